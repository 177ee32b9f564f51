// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/contrib/propagators/b3"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	broken "tracelab.dev/lab/broken-variants/go"
	"tracelab.dev/lab/lab-common/go/flow"
	"tracelab.dev/lab/lab-common/go/telemetry"
)

const (
	producerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	producerSpan  = "00f067aa0ba902b7"
	orderID       = "5f0c8f1e-2a8b-4d6e-9a41-0c7d3e5b9a10"
)

var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// record is what the worker produces: key = order id, value = the order's JSON, the producer
// span's context in the headers.
func record(value string, headers ...kgo.RecordHeader) *kgo.Record {
	return &kgo.Record{
		Topic: flow.Topic, Partition: 2, Offset: 41,
		Key: []byte(orderID), Value: []byte(value), Headers: headers,
	}
}

func traceparent(flags string) kgo.RecordHeader {
	return kgo.RecordHeader{Key: "traceparent", Value: []byte("00-" + producerTrace + "-" + producerSpan + "-" + flags)}
}

// processOne runs one record through a processor and returns every span it made.
func processOne(t *testing.T, parent parentFunc, r *kgo.Record) ([]sdktrace.ReadOnlySpan, error) {
	t.Helper()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(telemetry.OrderIDStamper{}), sdktrace.WithSpanProcessor(spans))
	noDeadLetters := func(context.Context, *kgo.Record) error {
		t.Fatal("a valid order was dead-lettered")
		return nil
	}
	_, err := newProcessor(tp, parent, newLedger(), newDeadLetters(tp, w3c, noDeadLetters)).process(context.Background(), r)
	if len(spans.Started()) != len(spans.Ended()) {
		t.Fatalf("started %d spans, ended %d", len(spans.Started()), len(spans.Ended()))
	}
	return spans.Ended(), err
}

func only(t *testing.T, spans []sdktrace.ReadOnlySpan) sdktrace.ReadOnlySpan {
	t.Helper()
	if len(spans) != 1 || spans[0].Name() != flow.ProcessSpan || spans[0].SpanKind() != trace.SpanKindConsumer {
		var got []string
		for _, s := range spans {
			got = append(got, s.SpanKind().String()+" "+s.Name())
		}
		t.Fatalf("spans = %v, want exactly CONSUMER %q", got, flow.ProcessSpan)
	}
	return spans[0]
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
	m := map[attribute.Key]string{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value.String()
	}
	return m
}

func TestProcessSpanIsTheChildOfTheProducerSpan(t *testing.T) {
	tests := []struct {
		name    string
		prop    propagation.TextMapPropagator
		headers []kgo.RecordHeader
	}{
		{"W3C traceparent", w3c, []kgo.RecordHeader{traceparent("01")}},
		{"W3C traceparent and baggage", w3c, []kgo.RecordHeader{traceparent("01"), {Key: "baggage", Value: []byte("k=v")}}},
		{"B3 multi headers", b3.New(b3.WithInjectEncoding(b3.B3MultipleHeader)), []kgo.RecordHeader{
			{Key: "X-B3-TraceId", Value: []byte(producerTrace)},
			{Key: "X-B3-SpanId", Value: []byte(producerSpan)},
			{Key: "X-B3-Sampled", Value: []byte("1")},
		}},
		{"B3 multi headers, lower case", b3.New(b3.WithInjectEncoding(b3.B3MultipleHeader)), []kgo.RecordHeader{
			{Key: "x-b3-traceid", Value: []byte(producerTrace)},
			{Key: "x-b3-spanid", Value: []byte(producerSpan)},
			{Key: "x-b3-sampled", Value: []byte("1")},
		}},
		{"repeated traceparent: the last wins", w3c, []kgo.RecordHeader{
			{Key: "traceparent", Value: []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")}, traceparent("01"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans, err := processOne(t, recordParent(tt.prop), record(`{"orderId":"`+orderID+`","sku":"ABC-1","quantity":2,"fail":false,"delayMs":0}`, tt.headers...))
			if err != nil {
				t.Fatal(err)
			}
			s := only(t, spans)
			if s.Parent().TraceID().String() != producerTrace || s.Parent().SpanID().String() != producerSpan || !s.Parent().IsRemote() {
				t.Errorf("parent = %s/%s remote %v, want the producer span %s/%s", s.Parent().TraceID(), s.Parent().SpanID(), s.Parent().IsRemote(), producerTrace, producerSpan)
			}
			if s.SpanContext().TraceID().String() != producerTrace {
				t.Errorf("trace = %s, want the producer's", s.SpanContext().TraceID())
			}
			if s.Status().Code != codes.Unset || len(s.Events()) != 0 {
				t.Errorf("status %v, events %v", s.Status(), s.Events())
			}
			want := map[attribute.Key]string{
				"messaging.system":                   "kafka",
				"messaging.destination.name":         "orders",
				"messaging.operation.type":           "process",
				"messaging.operation.name":           "process",
				"messaging.consumer.group.name":      "consumer-svc",
				"messaging.destination.partition.id": "2",
				"messaging.kafka.offset":             "41",
				"messaging.kafka.message.key":        orderID,
				"app.order_id":                       orderID,
			}
			got := attrs(s)
			if len(got) != len(want) {
				t.Errorf("attributes = %v, want %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestRecordWithoutContextIsARoot(t *testing.T) {
	spans, err := processOne(t, recordParent(w3c), record(`{"orderId":"`+orderID+`","sku":"A","quantity":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if p := only(t, spans).Parent(); p.IsValid() {
		t.Errorf("parent = %v, want none", p)
	}
}

func TestBrokenConsumerStartsANewTrace(t *testing.T) {
	spans, err := processOne(t, broken.IgnoredRecordHeaders, record(`{"orderId":"`+orderID+`","sku":"A","quantity":1}`, traceparent("01")))
	if err != nil {
		t.Fatal(err)
	}
	s := only(t, spans)
	if s.Parent().IsValid() {
		t.Errorf("parent = %v, want a root (the defect ignores the headers)", s.Parent())
	}
	if s.SpanContext().TraceID().String() == producerTrace {
		t.Errorf("the broken consumer continued the producer's trace")
	}
	if got := attrs(s)["app.order_id"]; got != orderID {
		t.Errorf("app.order_id = %q: the lone fragment must still be findable by order", got)
	}
}

func TestFailedOrdersAreErrorSpansWithTheExceptionRecorded(t *testing.T) {
	tests := []struct {
		name, value, message string
		orderID              string
	}{
		{"fail: true", `{"orderId":"` + orderID + `","sku":"A","quantity":1,"fail":true}`,
			"order " + orderID + " failed on request (fail=true)", orderID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans, err := processOne(t, recordParent(w3c), record(tt.value, traceparent("01")))
			if err == nil || err.Error() != tt.message {
				t.Fatalf("err = %v, want %q", err, tt.message)
			}
			s := only(t, spans)
			if s.Status().Code != codes.Error || s.Status().Description != tt.message {
				t.Errorf("status = %+v, want ERROR %q", s.Status(), tt.message)
			}
			if s.Parent().SpanID().String() != producerSpan {
				t.Errorf("a failed record must stay in its request's trace; parent = %v", s.Parent())
			}
			events := s.Events()
			if len(events) != 1 || events[0].Name != "exception" {
				t.Fatalf("events = %v, want one exception event", events)
			}
			ev := map[attribute.Key]string{}
			for _, kv := range events[0].Attributes {
				ev[kv.Key] = kv.Value.String()
			}
			if ev["exception.message"] != tt.message || ev["exception.type"] == "" {
				t.Errorf("exception event = %v", ev)
			}
			if attrs(s)["error.type"] == "" || attrs(s)["app.order_id"] != tt.orderID {
				t.Errorf("attributes = %v", attrs(s))
			}
		})
	}
}

func TestUnsampledProducerTraceMakesNoSpan(t *testing.T) {
	spans, err := processOne(t, recordParent(w3c), record(`{"orderId":"`+orderID+`","sku":"A","quantity":1}`, traceparent("00")))
	if err != nil || len(spans) != 0 {
		t.Errorf("err %v, %d spans, want none (the producer's sampling decision is kept)", err, len(spans))
	}
}

func TestLinkedConsumerStartsANewTraceLinkedToTheProducerSpan(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(telemetry.OrderIDStamper{}), sdktrace.WithSpanProcessor(spans))
	noDeadLetters := func(context.Context, *kgo.Record) error {
		t.Fatal("a valid order was dead-lettered")
		return nil
	}
	p := newProcessor(tp, recordParent(w3c), newLedger(), newDeadLetters(tp, w3c, noDeadLetters))
	p.lineage = recordLink(w3c)
	if _, err := p.process(context.Background(), record(`{"orderId":"`+orderID+`","sku":"A","quantity":1}`, traceparent("01"))); err != nil {
		t.Fatal(err)
	}
	s := only(t, spans.Ended())
	if s.Parent().IsValid() {
		t.Errorf("parent = %v, want none (a new trace)", s.Parent())
	}
	if s.SpanContext().TraceID().String() == producerTrace {
		t.Errorf("the linked consumer continued the producer's trace")
	}
	links := s.Links()
	if len(links) != 1 {
		t.Fatalf("links = %d, want exactly 1", len(links))
	}
	if got := links[0].SpanContext.TraceID().String(); got != producerTrace {
		t.Errorf("link trace id = %s, want the producer's %s", got, producerTrace)
	}
	if got := links[0].SpanContext.SpanID().String(); got != producerSpan {
		t.Errorf("link span id = %s, want the producer span %s", got, producerSpan)
	}
	if got := attrs(s)["app.order_id"]; got != orderID {
		t.Errorf("app.order_id = %q", got)
	}
}
