// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"tracelab.dev/lab/lab-common/go/flow"
)

// DeadLetterTopic is where the consumer puts a record it cannot process.
const DeadLetterTopic = "orders.dlq"

const (
	categoryHeader          = "tracelab.failure.category"
	reasonHeader            = "tracelab.failure.reason"
	originalTopicHeader     = "tracelab.original.topic"
	originalPartitionHeader = "tracelab.original.partition"
	originalOffsetHeader    = "tracelab.original.offset"
	deadLetterSpan          = "send " + DeadLetterTopic
	// deadLetterTimeout rides out a broker restart; the record is not committed until then.
	deadLetterTimeout = 60 * time.Second
)

// failure categories: the app.failure.category attribute and the category header
const (
	categoryRetryableExhausted = "retryable-exhausted"
	categoryPoison             = "poison"
	categoryTimeout            = "timeout"
)

// poisonError marks a record that cannot be an order: retrying cannot help.
type poisonError struct{ error }

func (e poisonError) Unwrap() error { return e.error }

// category classifies a failure: poison is dead-lettered at once; a timeout (a context deadline
// or a network timeout) and anything else are taken as transient and retried a bounded number
// of times.
func category(err error) string {
	var poison poisonError
	var netErr net.Error
	switch {
	case errors.As(err, &poison):
		return categoryPoison
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return categoryTimeout
	default:
		return categoryRetryableExhausted
	}
}

// produceFunc sends one record and waits for the broker's acknowledgement.
type produceFunc func(ctx context.Context, r *kgo.Record) error

// deadLetters produces a record that could not be processed to orders.dlq, synchronously, in a
// PRODUCER span "send orders.dlq" that is a child of the process span. The dead-letter record
// keeps the original key, value and headers; the trace context headers are replaced by the send
// span's, and the failure category and reason and the original coordinates are added.
type deadLetters struct {
	tracer  trace.Tracer
	prop    propagation.TextMapPropagator
	produce produceFunc
}

func newDeadLetters(tp trace.TracerProvider, prop propagation.TextMapPropagator, produce produceFunc) *deadLetters {
	return &deadLetters{tracer: tp.Tracer("tracelab.dev/lab/consumer-svc/go/dead-letters"), prop: prop, produce: produce}
}

// clientProducer produces with the consumer's own client (idempotent, acks=all by default).
func clientProducer(client *kgo.Client) produceFunc {
	return func(ctx context.Context, r *kgo.Record) error {
		return client.ProduceSync(ctx, r).FirstErr()
	}
}

func (d *deadLetters) send(ctx context.Context, original *kgo.Record, cat, reason string) (err error) {
	attrs := []attribute.KeyValue{
		semconv.MessagingSystemKafka,
		semconv.MessagingDestinationName(DeadLetterTopic),
		semconv.MessagingOperationTypeSend,
		semconv.MessagingOperationName("send"),
		semconv.MessagingClientID(flow.Consumer),
	}
	if original.Key != nil {
		attrs = append(attrs, semconv.MessagingKafkaMessageKey(string(original.Key)))
	}
	ctx, span := d.tracer.Start(ctx, deadLetterSpan, trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(attrs...))
	defer func() {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "dead-letter send failed")
			span.SetAttributes(semconv.ErrorType(err))
		}
		span.End()
	}()
	r := &kgo.Record{Topic: DeadLetterTopic, Key: original.Key, Value: original.Value}
	h := &headers{r: r}
	r.Headers = append(r.Headers, original.Headers...)
	d.prop.Inject(ctx, h)
	h.Set(categoryHeader, cat)
	h.Set(reasonHeader, reason)
	h.Set(originalTopicHeader, original.Topic)
	h.Set(originalPartitionHeader, strconv.Itoa(int(original.Partition)))
	h.Set(originalOffsetHeader, strconv.FormatInt(original.Offset, 10))
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deadLetterTimeout)
	defer cancel()
	if err := d.produce(sendCtx, r); err != nil {
		return err
	}
	span.SetAttributes(semconv.MessagingDestinationPartitionID(strconv.Itoa(int(r.Partition))), semconv.MessagingKafkaOffset(int(r.Offset)))
	return nil
}

// headers writes record headers, replacing any of the same key (case-insensitively, as the
// consumer's reader matches them).
type headers struct{ r *kgo.Record }

func (h *headers) Get(key string) string {
	for i := len(h.r.Headers) - 1; i >= 0; i-- {
		if strings.EqualFold(h.r.Headers[i].Key, key) {
			return string(h.r.Headers[i].Value)
		}
	}
	return ""
}

func (h *headers) Set(key, value string) {
	kept := h.r.Headers[:0]
	for _, kv := range h.r.Headers {
		if !strings.EqualFold(kv.Key, key) {
			kept = append(kept, kv)
		}
	}
	h.r.Headers = append(kept, kgo.RecordHeader{Key: key, Value: []byte(value)})
}

func (h *headers) Keys() []string {
	keys := make([]string, 0, len(h.r.Headers))
	for _, kv := range h.r.Headers {
		keys = append(keys, kv.Key)
	}
	return keys
}
