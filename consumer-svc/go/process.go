package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"tracelab.dev/lab/lab-common/go/flow"
	"tracelab.dev/lab/lab-common/go/order"
	"tracelab.dev/lab/lab-common/go/telemetry"
)

// parentFunc is the consumer side of the Kafka boundary: the context a record's process span
// starts from. The fixed variant (recordParent) extracts it from the record headers; the broken
// one (broken-variants/go/ignoredheaders.go) ignores them.
type parentFunc func(ctx context.Context, r *kgo.Record) context.Context

// processor handles one record in one CONSUMER span "process orders", the only span this
// service makes per record.
type processor struct {
	tracer trace.Tracer
	parent parentFunc
}

func newProcessor(tp trace.TracerProvider, parent parentFunc) *processor {
	return &processor{tracer: tp.Tracer("tracelab.dev/lab/consumer-svc/go"), parent: parent}
}

// orderFailedError is the consumer's answer to an order with fail: true.
type orderFailedError struct{ orderID string }

func (e *orderFailedError) Error() string {
	return "order " + e.orderID + " failed on request (fail=true)"
}

// process runs r in its span and returns what went wrong, if anything; a failed record is
// recorded on the span (status ERROR, exception event) and is not retried.
func (p *processor) process(ctx context.Context, r *kgo.Record) (err error) {
	attrs := []attribute.KeyValue{
		semconv.MessagingSystemKafka,
		semconv.MessagingDestinationName(r.Topic),
		semconv.MessagingOperationTypeProcess,
		semconv.MessagingOperationName("process"),
		semconv.MessagingConsumerGroupName(flow.ConsumerGroup),
		semconv.MessagingDestinationPartitionID(strconv.Itoa(int(r.Partition))),
		semconv.MessagingKafkaOffset(int(r.Offset)),
	}
	if r.Key != nil {
		// the producer keys records by order id: known before the value is parsed
		attrs = append(attrs, semconv.MessagingKafkaMessageKey(string(r.Key)), telemetry.OrderIDKey.String(string(r.Key)))
	}
	ctx, span := p.tracer.Start(p.parent(ctx, r), flow.ProcessSpan,
		trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attrs...))
	defer func() {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
			span.SetAttributes(semconv.ErrorType(err))
		}
		span.End()
	}()

	o, err := order.Parse(r.Value)
	if err != nil {
		return fmt.Errorf("record %s/%d@%d: %w", r.Topic, r.Partition, r.Offset, err)
	}
	span.SetAttributes(telemetry.OrderIDKey.String(o.OrderID))
	ctx = telemetry.WithOrderID(ctx, o.OrderID)
	return handle(ctx, o)
}

// handle is the business logic: an order asking to fail fails.
func handle(_ context.Context, o order.Order) error {
	if o.Fail {
		return &orderFailedError{orderID: o.OrderID}
	}
	return nil
}
