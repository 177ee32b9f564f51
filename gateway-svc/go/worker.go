// SPDX-License-Identifier: Apache-2.0

package main

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// tracingTransport is the FIX for the HTTP boundary (caller side). otelhttp makes the CLIENT span
// (named after the method only, as the HTTP semantic conventions say) as a child of the request's
// context, and injects the context that holds it into the outgoing headers with the service's
// propagator (W3C traceparent and baggage by default), so the worker's SERVER span becomes its
// child. The span ends when the caller closes the response body, or at once when the call fails.
// The defect this replaces is broken-variants/go/xtraceid.go.
func tracingTransport(tp trace.TracerProvider, prop propagation.TextMapPropagator, base http.RoundTripper) http.RoundTripper {
	return otelhttp.NewTransport(base,
		otelhttp.WithTracerProvider(tp),
		// tracelab:exercise http begin
		otelhttp.WithPropagators(prop),
		// tracelab:exercise http end
		otelhttp.WithMeterProvider(noop.NewMeterProvider()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
	)
}
