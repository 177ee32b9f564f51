// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kotel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"tracelab.dev/lab/lab-common/go/telemetry"
)

// lifecycleName names the subscription (its start span is "orders subscription start").
const lifecycleName = "orders subscription"

// lifecycleUnits is the FIX for the long-running subscription (docs/design.md §8; the defect is
// broken-variants/go/lifecycle.go): the subscription is a telemetry.Lifecycle, a short start span of
// its own and an identity put in the poll loop's context once (loopContext). Each record is a
// bounded unit of work: its process span continues the request the record carries (the producer's
// context, extracted onto the loop's context) and links to the lifecycle start span;
// telemetry.LifecycleStamper stamps lifecycle.name and lifecycle.instance.id from the context.
func lifecycleUnits(ctx context.Context, tracer trace.Tracer, prop propagation.TextMapPropagator) (loopContext context.Context, lineage lineageFunc) {
	l := telemetry.StartLifecycle(ctx, tracer, lifecycleName)
	return telemetry.WithLifecycle(ctx, l), func(ctx context.Context, r *kgo.Record) (context.Context, []trace.SpanStartOption) {
		return prop.Extract(ctx, recordHeaders{kotel.NewRecordCarrier(r), r}), []trace.SpanStartOption{l.Link()}
	}
}
