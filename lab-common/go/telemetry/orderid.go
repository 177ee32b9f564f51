// SPDX-License-Identifier: Apache-2.0

package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// OrderIDKey is the lab's own span attribute, on every span of the flow, so the fragments of one
// request can be found by order even when lineage breaks.
const OrderIDKey = attribute.Key("app.order_id")

type orderIDKey struct{}

// WithOrderID returns ctx carrying the order id that spans started from it are stamped with.
// It is a plain context value, not baggage: it never leaves the process.
func WithOrderID(ctx context.Context, orderID string) context.Context {
	return context.WithValue(ctx, orderIDKey{}, orderID)
}

// OrderID is the order id carried by ctx, if any.
func OrderID(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(orderIDKey{}).(string)
	return id, ok && id != ""
}

// OrderIDStamper is a span processor that sets app.order_id on every span started from a
// context carrying an order id (WithOrderID), so spans made by generic code (the otelhttp
// transport, a client library) carry it without knowing about orders. A span that starts before
// the order id is known (the server span) sets the attribute itself.
type OrderIDStamper struct{}

var _ sdktrace.SpanProcessor = OrderIDStamper{}

// OnStart stamps s when parent carries an order id.
func (OrderIDStamper) OnStart(parent context.Context, s sdktrace.ReadWriteSpan) {
	if id, ok := OrderID(parent); ok {
		s.SetAttributes(OrderIDKey.String(id))
	}
}

// OnEnd does nothing.
func (OrderIDStamper) OnEnd(sdktrace.ReadOnlySpan) {}

// Shutdown does nothing.
func (OrderIDStamper) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing.
func (OrderIDStamper) ForceFlush(context.Context) error { return nil }
