// SPDX-License-Identifier: Apache-2.0

package main

import (
	"mime"
	"strings"
)

// notJSON says why a request's Content-Type is not JSON, or "" when it is. The value is parsed as
// a media type (RFC 9110 §8.3.1), never prefix-matched: application/json in any case, with any
// parameters, a charset (if given) utf-8 as RFC 8259 §8.1 requires of JSON on the wire.
// application/jsonx, application/json-patch+json, text/json, a malformed value and none are not
// JSON. The Java services (dev.tracelab.http.JsonMediaType) and the Node.js worker
// (src/media-type.js) decide the same cases the same way, with the same words.
func notJSON(contentType string) string {
	was := contentType
	if strings.TrimSpace(was) == "" {
		was = "none"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "application/json" {
		return "Content-Type must be application/json, was " + was
	}
	if charset, ok := params["charset"]; ok && !strings.EqualFold(charset, "utf-8") {
		return "Content-Type must be application/json in UTF-8 (charset utf-8 or none), was " + was
	}
	return ""
}
