package main

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"tracelab.dev/lab/lab-common/go/problem"
)

// newHandler routes the gateway's HTTP API. Only POST /orders is traced: otelhttp extracts the
// caller's context with prop (an incoming valid traceparent is continued) and runs the handler
// in a SERVER span named after the route pattern ("POST /orders"). /health and unknown routes
// make no span.
func newHandler(orders http.Handler, tp trace.TracerProvider, prop propagation.TextMapPropagator) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /orders", otelhttp.NewHandler(traceResponse(recoverProblem(orders)), "orders",
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(prop),
		otelhttp.WithMeterProvider(noop.NewMeterProvider()),
	))
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "UP"})
	})
	notAllowed := func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, r, problem.New(http.StatusMethodNotAllowed, r.Method+" "+r.URL.Path))
	}
	mux.HandleFunc("/orders", notAllowed)
	mux.HandleFunc("/health", notAllowed)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, r, problem.New(http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path))
	})
	return mux
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
