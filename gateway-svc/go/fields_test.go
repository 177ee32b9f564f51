// SPDX-License-Identifier: Apache-2.0

package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"tracelab.dev/lab/lab-common/go/config"
)

// The W3C Trace Context cases for header fields sent more than once: several traceparent lines
// restart the trace, several tracestate lines are combined in order (and then follow the
// tracestate rules, e.g. a key listed twice discards the tracestate).
func TestRepeatedTraceContextFields(t *testing.T) {
	const (
		callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
		callerSpan  = "00f067aa0ba902b7"
		parent      = "00-" + callerTrace + "-" + callerSpan + "-01"
		otherParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	)
	tests := []struct {
		name        string
		traceparent []string
		tracestate  []string
		continued   bool   // the server span's parent is the caller's span
		wantState   string // the server span's tracestate, and what the worker receives
	}{
		{name: "one traceparent is continued", traceparent: []string{parent}, continued: true},
		{name: "two identical traceparent fields restart the trace", traceparent: []string{parent, parent}},
		{name: "two different traceparent fields restart the trace", traceparent: []string{parent, otherParent}},
		{name: "one tracestate field", traceparent: []string{parent}, tracestate: []string{"foo=1,bar=2"},
			continued: true, wantState: "foo=1,bar=2"},
		{name: "two tracestate fields are combined in order", traceparent: []string{parent},
			tracestate: []string{"foo=1", "bar=2"}, continued: true, wantState: "foo=1,bar=2"},
		{name: "a key in two tracestate fields discards the tracestate", traceparent: []string{parent},
			tracestate: []string{"foo=1", "foo=2"}, continued: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := startLab(t, config.Fixed, http.StatusAccepted, w3c)
			req, err := http.NewRequest("POST", lab.gateway.URL+"/orders", strings.NewReader(validOrder))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			for _, v := range tt.traceparent {
				req.Header.Add("traceparent", v)
			}
			for _, v := range tt.tracestate {
				req.Header.Add("tracestate", v)
			}
			resp, err := lab.gateway.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			a := decodeAccepted(t, resp, body)
			call := <-lab.calls

			want := trace.SpanContext{} // a root: a new trace
			if tt.continued {
				want = trace.NewSpanContext(trace.SpanContextConfig{
					TraceID: mustTraceID(callerTrace), SpanID: mustSpanID(callerSpan), TraceFlags: trace.FlagsSampled, Remote: true,
				})
			}
			server, _ := assertFragment(t, lab.ended(t), a, want)
			if !tt.continued && a.TraceID == callerTrace {
				t.Errorf("traceId = %s, the caller's: want a new trace", a.TraceID)
			}
			if got := server.SpanContext().TraceState().String(); got != tt.wantState {
				t.Errorf("server span tracestate = %q, want %q", got, tt.wantState)
			}
			if got := strings.Join(call.Header.Values("tracestate"), ","); got != tt.wantState {
				t.Errorf("worker received tracestate %q, want %q", got, tt.wantState)
			}
		})
	}
}
