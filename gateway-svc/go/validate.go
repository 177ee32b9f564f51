// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"tracelab.dev/lab/lab-common/go/order"
	"tracelab.dev/lab/lab-common/go/problem"
)

var skuPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// validateOrder checks an order request body and, when it is valid, returns the order to hand
// to the worker under orderID. Every invalid field is reported, not just the first.
func validateOrder(body []byte, orderID string) (order.Order, *problem.Problem) {
	if len(bytes.TrimSpace(body)) == 0 {
		return order.Order{}, badRequest("body must be a JSON object")
	}
	if !json.Valid(body) {
		return order.Order{}, badRequest("body is not valid JSON")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return order.Order{}, badRequest("body must be a JSON object")
	}

	o := order.Order{OrderID: orderID}
	var errs []problem.FieldError
	if raw, ok := present(fields, "sku"); !ok {
		errs = append(errs, problem.Field("sku", "is required"))
	} else if err := json.Unmarshal(raw, &o.SKU); err != nil || !skuPattern.MatchString(o.SKU) {
		errs = append(errs, problem.Field("sku", "must be 1-64 characters of A-Z, a-z, 0-9 and -"))
	}
	if raw, ok := present(fields, "quantity"); !ok {
		errs = append(errs, problem.Field("quantity", "is required"))
	} else if n, ok := integer(raw, 1, 1000); !ok {
		errs = append(errs, problem.Field("quantity", "must be an integer from 1 to 1000"))
	} else {
		o.Quantity = int(n)
	}
	if raw, ok := present(fields, "fail"); ok {
		if err := json.Unmarshal(raw, &o.Fail); err != nil {
			errs = append(errs, problem.Field("fail", "must be true or false"))
		}
	}
	if raw, ok := present(fields, "delayMs"); ok {
		if n, ok := integer(raw, 0, 60_000); !ok {
			errs = append(errs, problem.Field("delayMs", "must be an integer from 0 to 60000"))
		} else {
			o.DelayMs = n
		}
	}
	if len(errs) > 0 {
		names := make([]string, len(errs))
		for i, e := range errs {
			names[i] = e.Name()
		}
		p := problem.BadRequest("invalid field(s): "+strings.Join(names, ", "), errs...)
		return order.Order{}, &p
	}
	return o, nil
}

// present is the field's raw JSON when it is there and not null.
func present(fields map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	raw, ok := fields[name]
	if !ok || string(raw) == "null" {
		return nil, false
	}
	return raw, true
}

// integer accepts a JSON integer literal in [lo, hi]; strings, fractions and exponents are not
// integers.
func integer(raw json.RawMessage, lo, hi int64) (int64, bool) {
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil && n >= lo && n <= hi
}

func badRequest(detail string) *problem.Problem {
	p := problem.BadRequest(detail)
	return &p
}
