// SPDX-License-Identifier: Apache-2.0

// DEFECT (http, gateway-svc): "we do propagate an id". The gateway calls the worker through a
// plain http.RoundTripper with home-grown tracing: a request id minted once and carried in the
// context (context.WithValue), sent as an X-Trace-ID header. No W3C traceparent is sent. It even
// makes a proper CLIENT span, so the gateway's own trace looks complete.
//
// SYMPTOM: no propagator on the worker reads X-Trace-ID, so its SERVER span "POST /work" (flow
// step 3) starts a NEW trace. One request = two traces: {POST /orders, POST} and
// {POST /work, order.prepare, send orders, process orders}. The auditor reports step 3 as an
// orphan root on worker-svc: HTTP boundary (1/3 of worker spans).
//
// FIX: gateway-svc/go/worker.go (tracingTransport) wraps the transport with otelhttp, which
// injects the CLIENT span's context with the configured propagator (traceparent + baggage).
//
// SWITCH: gateway-svc with TRACELAB_VARIANT=broken (CLI: --gateway broken; scenario broken-http).

// Package broken holds the Go services' deliberate defects, one file per boundary.
package broken

import (
	"context"
	"net/http"
	"strconv"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

type requestIDKey struct{}

// XTraceIDTransport wraps base with a CLIENT span and the home-made X-Trace-ID header.
func XTraceIDTransport(tp trace.TracerProvider, base http.RoundTripper) http.RoundTripper {
	return &xTraceID{tracer: tp.Tracer("tracelab.dev/lab/broken-variants/go"), base: base}
}

type xTraceID struct {
	tracer trace.Tracer
	base   http.RoundTripper
}

func (t *xTraceID) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx, span := t.tracer.Start(r.Context(), r.Method,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			semconv.HTTPRequestMethodKey.String(r.Method),
			semconv.URLFull(r.URL.String()),
			semconv.ServerAddress(r.URL.Hostname()),
			semconv.ServerPort(port(r.URL.Port(), r.URL.Scheme)),
		))
	defer span.End()

	ctx, id := requestID(ctx)
	r = r.Clone(ctx)
	r.Header.Set("X-Trace-ID", id) // THE BUG: a header only our own code knows; no traceparent is sent

	resp, err := t.base.RoundTrip(r)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		span.SetAttributes(semconv.ErrorType(err))
		return nil, err
	}
	span.SetAttributes(semconv.HTTPResponseStatusCode(resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetStatus(codes.Error, "")
		span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(resp.StatusCode)))
	}
	return resp, nil
}

// requestID is the home-grown trace id: the one in ctx, or a new UUID stored there.
func requestID(ctx context.Context) (context.Context, string) {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		return ctx, id
	}
	id := uuid.NewString()
	return context.WithValue(ctx, requestIDKey{}, id), id
}

func port(p, scheme string) int {
	if n, err := strconv.Atoi(p); err == nil {
		return n
	}
	if scheme == "https" {
		return 443
	}
	return 80
}
