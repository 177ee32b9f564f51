// SPDX-License-Identifier: Apache-2.0

package config

import (
	"errors"
	"fmt"
	"testing"
)

func env(m map[string]string) Env {
	return func(name string) (string, bool) { v, ok := m[name]; return v, ok }
}

func TestPort(t *testing.T) {
	tests := []struct {
		raw     string
		want    int
		wantErr string
	}{
		{"", 8080, ""},
		{" 0 ", 0, ""},
		{"65535", 65535, ""},
		{"65536", 0, "PORT=65536 is out of range [0, 65535]"},
		{"http", 0, "PORT=http is not an integer"},
	}
	for _, tt := range tests {
		got, err := env(map[string]string{"PORT": tt.raw}).Port(8080)
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("Port(%q) = %d, %v; want %d, %q", tt.raw, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestVariant(t *testing.T) {
	tests := []struct {
		raw     string
		want    Variant
		wantErr string
	}{
		{"", Fixed, ""},
		{"fixed", Fixed, ""},
		{" BROKEN ", Broken, ""},
		{"linked", Linked, ""},
		{"lifecycle", Lifecycle, ""},
		{"lifecycle-fixed", LifecycleFixed, ""},
		{"chained", "", "unknown variant 'chained' (expected fixed, broken, linked, lifecycle or lifecycle-fixed)"},
	}
	for _, tt := range tests {
		got, err := env(map[string]string{VariantEnv: tt.raw}).Variant()
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("Variant(%q) = %q, %v; want %q, %q", tt.raw, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDefaults(t *testing.T) {
	e := env(nil)
	if e.BindHost() != "0.0.0.0" || e.Get("WORKER_URL", "x") != "x" {
		t.Errorf("BindHost %q", e.BindHost())
	}
}

func TestUsageErrorIsFoundThroughWrapping(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		usage bool
	}{
		{"usage", Usage(errors.New("PORT=x: not a number")), true},
		{"wrapped usage", fmt.Errorf("start: %w", Usage(errors.New("bad"))), true},
		{"runtime", errors.New("port in use"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errors.As(tc.err, new(UsageError)); got != tc.usage {
				t.Fatalf("errors.As(%v, UsageError) = %v, want %v", tc.err, got, tc.usage)
			}
		})
	}
}
