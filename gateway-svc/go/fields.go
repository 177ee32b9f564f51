// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/propagation"
)

// joinFields makes prop's Extract read a header sent as several field lines as one value: the
// lines joined with commas in order (RFC 9110 §5.3), which is what W3C Trace Context asks for.
// Several traceparent fields then make an invalid traceparent, so the server restarts the trace;
// several tracestate fields are combined. propagation.HeaderCarrier.Get, which otelhttp hands
// the propagator, reads the first line only. Inject and Fields are prop's own.
func joinFields(prop propagation.TextMapPropagator) propagation.TextMapPropagator {
	return joinedExtract{prop}
}

type joinedExtract struct {
	propagation.TextMapPropagator
}

func (p joinedExtract) Extract(ctx context.Context, carrier propagation.TextMapCarrier) context.Context {
	if h, ok := carrier.(propagation.HeaderCarrier); ok {
		carrier = joinedHeaderCarrier{h}
	}
	return p.TextMapPropagator.Extract(ctx, carrier)
}

// joinedHeaderCarrier is a propagation.HeaderCarrier whose Get joins all of a header's lines.
type joinedHeaderCarrier struct {
	propagation.HeaderCarrier
}

func (c joinedHeaderCarrier) Get(key string) string {
	return strings.Join(http.Header(c.HeaderCarrier).Values(key), ",")
}
