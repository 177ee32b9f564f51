// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kotel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// recordLink crosses the Kafka boundary with a LINK instead of a parent (docs/design.md §8): the
// process span starts a new trace and links to the producer's context extracted from the record
// headers, the pattern the messaging semantic conventions describe for consumers. Not a defect:
// a request becomes two traces joined by the link, and the auditor counts it linked, no orphan.
//
// A link is the right lineage when one span handles records from many traces (batch consumption,
// fan-in: a span has one parent but any number of links) or when the work outlives the request
// (long-lived work that must not grow the producer's trace). For one record processed on its
// own, recordParent (parent.go) keeps the request one trace, which readers expect.
func recordLink(prop propagation.TextMapPropagator) lineageFunc {
	return func(ctx context.Context, r *kgo.Record) (context.Context, []trace.SpanStartOption) {
		producer := trace.SpanContextFromContext(
			prop.Extract(context.Background(), recordHeaders{kotel.NewRecordCarrier(r), r}))
		opts := []trace.SpanStartOption{trace.WithNewRoot()}
		if producer.IsValid() {
			opts = append(opts, trace.WithLinks(trace.Link{SpanContext: producer}))
		}
		return ctx, opts
	}
}
