// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	broken "tracelab.dev/lab/broken-variants/go"
	"tracelab.dev/lab/lab-common/go/telemetry"
)

// lifecycleRun processes one record in the loop context of a variant and returns the spans ended.
func lifecycleRun(t *testing.T, setup func(ctx context.Context, tp *sdktrace.TracerProvider, p *processor) context.Context) []sdktrace.ReadOnlySpan {
	t.Helper()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(telemetry.OrderIDStamper{}),
		sdktrace.WithSpanProcessor(telemetry.LifecycleStamper{}), sdktrace.WithSpanProcessor(spans))
	noDeadLetters := func(context.Context, *kgo.Record) error {
		t.Fatal("a valid order was dead-lettered")
		return nil
	}
	p := newProcessor(tp, recordParent(w3c), newLedger(), newDeadLetters(tp, w3c, noDeadLetters))
	loop := setup(context.Background(), tp, p)
	if _, err := p.process(loop, record(`{"orderId":"`+orderID+`","sku":"A","quantity":1}`, traceparent("01"))); err != nil {
		t.Fatal(err)
	}
	return spans.Ended()
}

func TestLifecycleDefectParentsTheProcessSpanUnderTheUnendedSubscriptionSpan(t *testing.T) {
	var subscription string
	ended := lifecycleRun(t, func(ctx context.Context, tp *sdktrace.TracerProvider, p *processor) context.Context {
		loop, _ := broken.LifecycleSpan(ctx, tp.Tracer("test")) // not ended: the consumer still runs
		p.parent = broken.LifecycleParent
		return loop
	})
	s := only(t, ended)
	subscription = s.Parent().SpanID().String()
	if s.SpanContext().TraceID().String() == producerTrace {
		t.Errorf("the process span continued the producer's trace; want the subscription's")
	}
	if !s.Parent().IsValid() || subscription == producerSpan {
		t.Errorf("parent = %v, want the subscription span", s.Parent())
	}
}

func TestLifecycleFixedContinuesTheRequestLinksToTheStartSpanAndCarriesTheIdentity(t *testing.T) {
	ended := lifecycleRun(t, func(ctx context.Context, tp *sdktrace.TracerProvider, p *processor) context.Context {
		loop, lineage := lifecycleUnits(ctx, tp.Tracer("test"), w3c)
		p.lineage = lineage
		return loop
	})
	if len(ended) != 2 || ended[0].Name() != lifecycleName+" start" {
		t.Fatalf("spans = %d, first %q; want the start span then the process span", len(ended), ended[0].Name())
	}
	start, s := ended[0], ended[1]
	if start.Parent().IsValid() {
		t.Errorf("the start span has a parent %v", start.Parent())
	}
	if got := s.Parent().SpanID().String(); got != producerSpan || s.SpanContext().TraceID().String() != producerTrace {
		t.Errorf("parent = %v, want the producer span %s of trace %s", s.Parent(), producerSpan, producerTrace)
	}
	if links := s.Links(); len(links) != 1 || links[0].SpanContext.SpanID() != start.SpanContext().SpanID() {
		t.Errorf("links = %v, want exactly the start span", links)
	}
	a := attrs(s)
	if a["lifecycle.name"] != lifecycleName || a["lifecycle.instance.id"] == "" || a["lifecycle.instance.id"] != attrs(start)["lifecycle.instance.id"] {
		t.Errorf("lifecycle attributes = %q / %q", a["lifecycle.name"], a["lifecycle.instance.id"])
	}
}
