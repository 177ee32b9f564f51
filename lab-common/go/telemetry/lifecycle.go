// SPDX-License-Identifier: Apache-2.0

package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The identity of a long-running piece of work (a subscription, a periodic reconciler), stamped on
// every span started in its context by LifecycleStamper (docs/design.md §8, docs/long-running.md).
const (
	LifecycleNameKey       = attribute.Key("lifecycle.name")
	LifecycleInstanceIDKey = attribute.Key("lifecycle.instance.id")
)

// Lifecycle is kept in the context, not in a span: each unit of work gets a bounded trace of its
// own that links to Start, the lifecycle's one-span start trace.
type Lifecycle struct {
	Name       string
	InstanceID string
	Start      trace.SpanContext
}

type lifecycleKey struct{}

// StartLifecycle records the start as a span "<name> start" that is a root of its own and ends at
// once, with a new instance id.
func StartLifecycle(ctx context.Context, tracer trace.Tracer, name string) Lifecycle {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	_, span := tracer.Start(ctx, name+" start", trace.WithNewRoot(), trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(LifecycleNameKey.String(name), LifecycleInstanceIDKey.String(id)))
	span.End()
	return Lifecycle{Name: name, InstanceID: id, Start: span.SpanContext()}
}

// WithLifecycle returns ctx carrying l: set it once on the context the loop runs in.
func WithLifecycle(ctx context.Context, l Lifecycle) context.Context {
	return context.WithValue(ctx, lifecycleKey{}, l)
}

// LifecycleFrom is the lifecycle carried by ctx, if any.
func LifecycleFrom(ctx context.Context) (Lifecycle, bool) {
	l, ok := ctx.Value(lifecycleKey{}).(Lifecycle)
	return l, ok
}

// Link is the link from a unit of work to the lifecycle's start span.
func (l Lifecycle) Link() trace.SpanStartOption {
	return trace.WithLinks(trace.Link{SpanContext: l.Start})
}

// LifecycleStamper is a span processor that sets lifecycle.name and lifecycle.instance.id on every
// span started from a context carrying a Lifecycle (WithLifecycle), so no call site sets them.
type LifecycleStamper struct{}

var _ sdktrace.SpanProcessor = LifecycleStamper{}

// OnStart stamps s when parent carries a lifecycle.
func (LifecycleStamper) OnStart(parent context.Context, s sdktrace.ReadWriteSpan) {
	if l, ok := LifecycleFrom(parent); ok {
		s.SetAttributes(LifecycleNameKey.String(l.Name), LifecycleInstanceIDKey.String(l.InstanceID))
	}
}

// OnEnd does nothing.
func (LifecycleStamper) OnEnd(sdktrace.ReadOnlySpan) {}

// Shutdown does nothing.
func (LifecycleStamper) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing.
func (LifecycleStamper) ForceFlush(context.Context) error { return nil }
