// SPDX-License-Identifier: Apache-2.0

// Package problem writes RFC 9457 problem details as application/problem+json, in the same
// shape as the Java services: type, title, status, detail, instance and, for invalid input,
// errors with a JSON pointer per field.
package problem

import (
	"encoding/json"
	"net/http"
	"strings"
)

// ContentType is the media type of a problem detail.
const ContentType = "application/problem+json"

// Problem is one problem detail. Instance is filled in from the request path when written.
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail"`
	Instance string       `json:"instance"`
	Errors   []FieldError `json:"errors,omitempty"`
}

// FieldError is one invalid field: its JSON pointer ("#/quantity") and what is wrong with it.
type FieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// Field reports that field is invalid; the detail names the field ("quantity: is required").
func Field(field, detail string) FieldError {
	return FieldError{Pointer: "#/" + field, Detail: field + ": " + detail}
}

// Name is the field name a FieldError points at.
func (e FieldError) Name() string {
	return strings.TrimPrefix(e.Pointer, "#/")
}

// New is a problem with the standard title of status ("Bad Gateway" for 502).
func New(status int, detail string) Problem {
	return Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
}

// BadRequest is a 400 problem, listing the invalid fields if any.
func BadRequest(detail string, errs ...FieldError) Problem {
	p := New(http.StatusBadRequest, detail)
	p.Errors = errs
	return p
}

// Write sends p as the response to r.
func Write(w http.ResponseWriter, r *http.Request, p Problem) {
	p.Instance = r.URL.Path
	body, err := json.Marshal(p)
	if err != nil { // cannot happen: every field is a string, an int or a slice of strings
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}
