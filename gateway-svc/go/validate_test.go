// SPDX-License-Identifier: Apache-2.0

package main

import (
	"strings"
	"testing"

	"tracelab.dev/lab/lab-common/go/order"
)

func TestValidateOrderRejectsBadInputNamingTheField(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		detail string   // exact problem detail
		fields []string // exact invalid fields, in order
	}{
		{"empty body", ``, "body must be a JSON object", nil},
		{"malformed JSON", `{"sku": "ABC-1", `, "body is not valid JSON", nil},
		{"not an object", `[1,2]`, "body must be a JSON object", nil},
		{"null", `null`, "body must be a JSON object", nil},
		{"missing sku", `{"quantity": 1}`, "invalid field(s): sku", []string{"sku"}},
		{"null sku", `{"sku": null, "quantity": 1}`, "invalid field(s): sku", []string{"sku"}},
		{"missing quantity", `{"sku": "ABC-1"}`, "invalid field(s): quantity", []string{"quantity"}},
		{"quantity 0", `{"sku": "ABC-1", "quantity": 0}`, "invalid field(s): quantity", []string{"quantity"}},
		{"quantity 1001", `{"sku": "ABC-1", "quantity": 1001}`, "invalid field(s): quantity", []string{"quantity"}},
		{"quantity as string", `{"sku": "ABC-1", "quantity": "2"}`, "invalid field(s): quantity", []string{"quantity"}},
		{"quantity fraction", `{"sku": "ABC-1", "quantity": 1.5}`, "invalid field(s): quantity", []string{"quantity"}},
		{"quantity 2.0", `{"sku": "ABC-1", "quantity": 2.0}`, "invalid field(s): quantity", []string{"quantity"}},
		{"quantity huge", `{"sku": "ABC-1", "quantity": 99999999999999999999}`, "invalid field(s): quantity", []string{"quantity"}},
		{"sku with space", `{"sku": "ABC 1", "quantity": 1}`, "invalid field(s): sku", []string{"sku"}},
		{"sku empty", `{"sku": "", "quantity": 1}`, "invalid field(s): sku", []string{"sku"}},
		{"sku too long", `{"sku": "` + strings.Repeat("A", 65) + `", "quantity": 1}`, "invalid field(s): sku", []string{"sku"}},
		{"sku a number", `{"sku": 12, "quantity": 1}`, "invalid field(s): sku", []string{"sku"}},
		{"fail not boolean", `{"sku": "A", "quantity": 1, "fail": "yes"}`, "invalid field(s): fail", []string{"fail"}},
		{"delayMs too big", `{"sku": "A", "quantity": 1, "delayMs": 60001}`, "invalid field(s): delayMs", []string{"delayMs"}},
		{"delayMs negative", `{"sku": "A", "quantity": 1, "delayMs": -1}`, "invalid field(s): delayMs", []string{"delayMs"}},
		{"every field wrong", `{"sku": "?", "quantity": 0, "fail": 1, "delayMs": "x"}`,
			"invalid field(s): sku, quantity, fail, delayMs", []string{"sku", "quantity", "fail", "delayMs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := validateOrder([]byte(tt.body), "id-1")
			if p == nil {
				t.Fatalf("validateOrder(%s) accepted the order", tt.body)
			}
			if p.Status != 400 || p.Title != "Bad Request" || p.Type != "about:blank" || p.Detail != tt.detail {
				t.Errorf("problem = %d %q %q %q, want 400 \"Bad Request\" about:blank %q", p.Status, p.Title, p.Type, p.Detail, tt.detail)
			}
			if len(p.Errors) != len(tt.fields) {
				t.Fatalf("errors = %v, want fields %v", p.Errors, tt.fields)
			}
			for i, f := range tt.fields {
				if e := p.Errors[i]; e.Pointer != "#/"+f || !strings.HasPrefix(e.Detail, f+": ") {
					t.Errorf("errors[%d] = %+v, want pointer #/%s and a detail naming %s", i, e, f, f)
				}
			}
		})
	}
}

func TestValidateOrderAcceptsValidOrders(t *testing.T) {
	tests := []struct {
		name string
		body string
		want order.Order
	}{
		{"minimal", `{"sku": "ABC-1", "quantity": 2}`, order.Order{OrderID: "id-1", SKU: "ABC-1", Quantity: 2}},
		{"all fields", `{"sku": "abc-9", "quantity": 1000, "fail": true, "delayMs": 60000}`,
			order.Order{OrderID: "id-1", SKU: "abc-9", Quantity: 1000, Fail: true, DelayMs: 60000}},
		{"nulls for optional fields", `{"sku": "A", "quantity": 1, "fail": null, "delayMs": null}`,
			order.Order{OrderID: "id-1", SKU: "A", Quantity: 1}},
		{"unknown fields ignored", `{"sku": "A", "quantity": 1, "note": "x"}`, order.Order{OrderID: "id-1", SKU: "A", Quantity: 1}},
		{"64-character sku", `{"sku": "` + strings.Repeat("Z", 64) + `", "quantity": 1}`,
			order.Order{OrderID: "id-1", SKU: strings.Repeat("Z", 64), Quantity: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, p := validateOrder([]byte(tt.body), "id-1")
			if p != nil {
				t.Fatalf("validateOrder(%s) = problem %+v", tt.body, *p)
			}
			if got != tt.want {
				t.Errorf("validateOrder(%s) = %+v, want %+v", tt.body, got, tt.want)
			}
		})
	}
}
