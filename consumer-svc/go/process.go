// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

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

// lineageFunc, when set, replaces parentFunc: the context the process span starts from and the
// options that give its lineage (the linked variant: a new root with a link, see linked.go).
type lineageFunc func(ctx context.Context, r *kgo.Record) (context.Context, []trace.SpanStartOption)

// processor handles one record in one CONSUMER span "process orders" (and, only for a record it
// dead-letters, a child PRODUCER span "send orders.dlq"), with at-most-once processing per order
// id (the ledger) and classified failures:
//   - an order already in the ledger is a duplicate delivery: skipped, counted, the span marked
//     app.delivery.duplicate;
//   - poison (the value is not an order): dead-lettered at once, one log line;
//   - transient failures and timeouts: retried in place with bounded exponential backoff, each
//     failed attempt a "retry" event on the span; when every attempt failed, dead-lettered;
//   - fail: true is the business outcome of that order, not a delivery failure: an ERROR span,
//     and the order counts as processed.
type processor struct {
	tracer      trace.Tracer
	parent      parentFunc
	lineage     lineageFunc // nil: the span is a child of parent's answer
	ledger      *ledger
	deadLetters *deadLetters
	handle      func(context.Context, order.Order) error
	retry       retryPolicy
}

// retryPolicy: attempt n (from 1) that fails waits backoff * 2^(n-1) before attempt n+1.
type retryPolicy struct {
	maxAttempts int
	backoff     time.Duration
}

// defaultRetry: 4 attempts, 100/200/400 ms apart.
var defaultRetry = retryPolicy{maxAttempts: 4, backoff: 100 * time.Millisecond}

func newProcessor(tp trace.TracerProvider, parent parentFunc, l *ledger, dl *deadLetters) *processor {
	return &processor{
		tracer: tp.Tracer("tracelab.dev/lab/consumer-svc/go"), parent: parent,
		ledger: l, deadLetters: dl, handle: handle, retry: defaultRetry,
	}
}

// orderFailedError is the consumer's answer to an order with fail: true.
type orderFailedError struct{ orderID string }

func (e *orderFailedError) Error() string {
	return "order " + e.orderID + " failed on request (fail=true)"
}

// notDoneError: the record was neither processed nor dead-lettered; do not commit it.
type notDoneError struct{ error }

func (e notDoneError) Unwrap() error { return e.error }

// outcome is what became of a record.
type outcome int

const (
	notDone outcome = iota
	processed
	duplicate
	deadLettered
)

const (
	attrFailureCategory = attribute.Key("app.failure.category")
	attrDuplicate       = attribute.Key("app.delivery.duplicate")
	attrRetryAttempt    = attribute.Key("app.retry.attempt")
	attrRetryBackoffMs  = attribute.Key("app.retry.backoff_ms")
)

// process runs r in its span. The error is what went wrong, if anything: with outcome processed
// it is the order's business failure (recorded on the span); with notDone the record must not be
// committed (its dead-letter send failed, or ctx ended while retrying).
func (p *processor) process(ctx context.Context, r *kgo.Record) (outcome, error) {
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
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attrs...)}
	var start context.Context
	if p.lineage != nil {
		var lineage []trace.SpanStartOption
		start, lineage = p.lineage(ctx, r)
		opts = append(opts, lineage...)
	} else {
		start = p.parent(ctx, r)
	}
	ctx, span := p.tracer.Start(start, flow.ProcessSpan, opts...)
	defer span.End()

	o, err := order.Parse(r.Value)
	if err != nil {
		id := ledgerID(r)
		if p.skippedAsDuplicate(id, span) {
			return duplicate, nil
		}
		return p.deadLetter(ctx, span, r, id, poisonError{fmt.Errorf("record %s/%d@%d: %w", r.Topic, r.Partition, r.Offset, err)})
	}
	span.SetAttributes(telemetry.OrderIDKey.String(o.OrderID))
	ctx = telemetry.WithOrderID(ctx, o.OrderID)
	if p.skippedAsDuplicate(o.OrderID, span) {
		return duplicate, nil
	}
	for attempt := 1; ; attempt++ {
		err := p.handle(ctx, o)
		var failed *orderFailedError
		if err == nil || errors.As(err, &failed) {
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, err.Error())
				span.SetAttributes(semconv.ErrorType(err))
			}
			if lerr := p.ledger.markProcessed(o.OrderID); lerr != nil {
				return notDone, notDoneError{lerr}
			}
			return processed, err
		}
		cat := category(err)
		if cat == categoryPoison || attempt >= p.retry.maxAttempts {
			return p.deadLetter(ctx, span, r, o.OrderID, err)
		}
		backoff := p.retry.backoff << (attempt - 1)
		span.AddEvent("retry", trace.WithAttributes(
			attrRetryAttempt.Int(attempt), attrRetryBackoffMs.Int64(backoff.Milliseconds()),
			semconv.ErrorType(err), semconv.ExceptionMessage(err.Error())))
		select {
		case <-ctx.Done():
			return notDone, notDoneError{fmt.Errorf("stopped while retrying %s: %w", o.OrderID, ctx.Err())}
		case <-time.After(backoff):
		}
	}
}

func (p *processor) skippedAsDuplicate(id string, span trace.Span) bool {
	if !p.ledger.seen(id) {
		return false
	}
	p.ledger.duplicateSkipped()
	span.SetAttributes(attrDuplicate.Bool(true))
	return true
}

func (p *processor) deadLetter(ctx context.Context, span trace.Span, r *kgo.Record, id string, cause error) (outcome, error) {
	cat := category(cause)
	span.RecordError(cause)
	span.SetStatus(codes.Error, cause.Error())
	span.SetAttributes(semconv.ErrorType(cause), attrFailureCategory.String(cat))
	if err := p.deadLetters.send(ctx, r, cat, cause.Error()); err != nil {
		return notDone, notDoneError{fmt.Errorf("dead-letter send failed: %w", err)}
	}
	if err := p.ledger.markDeadLettered(id); err != nil {
		return notDone, notDoneError{err}
	}
	slog.WarnContext(ctx, "order dead-lettered", "orderId", id, "topic", DeadLetterTopic, "category", cat,
		"record", fmt.Sprintf("%s/%d@%d", r.Topic, r.Partition, r.Offset), "reason", cause.Error())
	return deadLettered, nil
}

// ledgerID is the order id a record that is not an order stands for: its key, else its coordinates.
func ledgerID(r *kgo.Record) string {
	if len(r.Key) > 0 {
		return string(r.Key)
	}
	return fmt.Sprintf("%s-%d@%d", r.Topic, r.Partition, r.Offset)
}

// handle is the business logic: an order asking to fail fails.
func handle(_ context.Context, o order.Order) error {
	if o.Fail {
		return &orderFailedError{orderID: o.OrderID}
	}
	return nil
}
