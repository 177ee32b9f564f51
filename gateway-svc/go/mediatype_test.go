// SPDX-License-Identifier: Apache-2.0

package main

import (
	"strings"
	"testing"
)

// The same cases as the Java JsonMediaTypeTest and the Node.js worker's media-type tests.
func TestNotJSONParsesTheMediaType(t *testing.T) {
	tests := []struct {
		contentType string
		json        bool
	}{
		{"application/json", true},
		{"Application/JSON", true},
		{"application/json; charset=utf-8", true},
		{"application/json;charset=UTF-8", true},
		{`application/json; charset="utf-8"`, true},
		{"application/json ; charset=utf-8", true},
		{"application/json; foo=bar", true},
		{"application/json;", true},

		{"application/jsonx", false},
		{"application/json-patch+json", false},
		{"application/problem+json", false},
		{"application/x-json", false},
		{"text/json", false},
		{"text/plain", false},
		{"application/json/x", false},
		{"application/json, text/plain", false},
		{"application/", false},
		{"application", false},
		{"json", false},
		{"/json", false},
		{"application/json; charset", false},
		{`application/json; charset="utf-8`, false},
		{"application/json; charset=iso-8859-1", false},
		{"", false},
		{" ", false},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			reason := notJSON(tt.contentType)
			if tt.json {
				if reason != "" {
					t.Fatalf("notJSON(%q) = %q, want JSON", tt.contentType, reason)
				}
				return
			}
			was := tt.contentType
			if strings.TrimSpace(was) == "" {
				was = "none"
			}
			if !strings.HasPrefix(reason, "Content-Type must be application/json") || !strings.HasSuffix(reason, "was "+was) {
				t.Fatalf("notJSON(%q) = %q", tt.contentType, reason)
			}
		})
	}
	if got := notJSON("application/json; charset=iso-8859-1"); got !=
		"Content-Type must be application/json in UTF-8 (charset utf-8 or none), was application/json; charset=iso-8859-1" {
		t.Errorf("charset reason = %q", got)
	}
}
