// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"tracelab.dev/lab/lab-common/go/problem"
)

// newHandler routes the gateway's HTTP API. Only POST /orders is traced: otelhttp extracts the
// caller's context with prop, a header sent as several lines read as their comma-joined value
// (an incoming valid traceparent is continued; several traceparent lines restart the trace, several
// tracestate lines are combined), and runs the handler in a SERVER span named after the route
// pattern ("POST /orders"). /health (liveness), /health/ready (ready while the worker answers its
// health check) and unknown routes make no span.
// Another method on a known route is a 405 problem naming the allowed ones in Allow.
func newHandler(orders *ordersHandler, tp trace.TracerProvider, prop propagation.TextMapPropagator) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /orders", otelhttp.NewHandler(traceResponse(recoverProblem(orders)), "orders",
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(joinFields(prop)),
		otelhttp.WithMeterProvider(noop.NewMeterProvider()),
	))
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "UP"})
	})
	mux.HandleFunc("GET /health/ready", orders.ready)
	notAllowed := func(allow string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			problem.Write(w, r, problem.New(http.StatusMethodNotAllowed, r.Method+" "+r.URL.Path+"; allowed: "+allow))
		}
	}
	mux.HandleFunc("/orders", notAllowed("POST"))
	mux.HandleFunc("/health", notAllowed("GET, HEAD"))
	mux.HandleFunc("/health/ready", notAllowed("GET, HEAD"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, r, problem.New(http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path))
	})
	return mux
}

// probeClient checks the worker's health: untraced, short.
var probeClient = &http.Client{Timeout: time.Second}

// ready is GET /health/ready: 200 while the worker answers GET /health with 200, else a 503 problem.
func (h *ordersHandler) ready(w http.ResponseWriter, r *http.Request) {
	healthURL := strings.TrimSuffix(h.workURL, "/work") + "/health"
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, healthURL, nil)
	if err == nil {
		var resp *http.Response
		if resp, err = probeClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]string{"status": "UP", "worker": "UP"})
				return
			}
			err = fmt.Errorf("worker health answered %d", resp.StatusCode)
		}
	}
	problem.Write(w, r, problem.New(http.StatusServiceUnavailable, "worker not ready at "+healthURL+": "+failure(err)))
}

// traceResponse answers with the W3C Trace Context Level 2 traceresponse header,
// version-traceid-spanid-flags, naming the SERVER span and its sampled flag.
func traceResponse(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sc := trace.SpanContextFromContext(r.Context()); sc.IsValid() {
			flags := "00"
			if sc.IsSampled() {
				flags = "01"
			}
			w.Header().Set("traceresponse", "00-"+sc.TraceID().String()+"-"+sc.SpanID().String()+"-"+flags)
		}
		next.ServeHTTP(w, r)
	})
}

// recoverProblem turns a panic into a 500 problem (and so an ERROR server span): never a stack
// trace to the client.
func recoverProblem(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				slog.ErrorContext(r.Context(), "handler panicked", "path", r.URL.Path, "panic", v)
				problem.Write(w, r, problem.New(http.StatusInternalServerError, "the gateway failed; see its log"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
