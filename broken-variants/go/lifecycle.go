// SPDX-License-Identifier: Apache-2.0

// DEFECT (lifecycle, consumer-svc): a long-running handler traced as ONE span. The subscription
// opens a span "orders subscription" when it starts and runs its poll loop in that span's context
// for its whole life; every record's process span starts from that context (the record headers
// are not read). The same happens with a periodic reconciler that opens a span at start.
//
// SYMPTOM: one trace that grows with uptime: every process span of the consumer's life, under a
// root that ends only at shutdown. The tail sampler decides it decision_wait after its FIRST span;
// every later span arrives after the decision (late) and rides on the cached decision (./lab
// longrun). The request is split, and the process span's parent is never exported while the
// consumer runs (auditor: missing-parent orphans on consumer-svc).
//
// FIX: consumer-svc/go/lifecycle.go (lifecycleUnits): each record's process span continues its
// request, links to a short lifecycle start span, and carries lifecycle.name /
// lifecycle.instance.id, stamped from the context by lab-common/go/telemetry/lifecycle.go
// (LifecycleStamper).
//
// SWITCH: consumer-svc with TRACELAB_VARIANT=lifecycle (CLI: --consumer lifecycle --consumer-lang go).

package broken

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/trace"
)

// LifecycleSpan opens the subscription's span; the poll loop runs in the returned context until
// end is called at shutdown.
func LifecycleSpan(ctx context.Context, tracer trace.Tracer) (loop context.Context, end func()) {
	loop, span := tracer.Start(ctx, "orders subscription", trace.WithNewRoot()) // THE BUG, part 1: one span for the loop's life
	return loop, func() { span.End() }
}

// LifecycleParent is the context a record's process span starts from: the loop's, i.e. the
// subscription span.
func LifecycleParent(ctx context.Context, _ *kgo.Record) context.Context {
	return ctx // THE BUG, part 2: every unit of work descends from the lifecycle span
}
