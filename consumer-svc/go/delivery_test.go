// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"tracelab.dev/lab/lab-common/go/flow"
	"tracelab.dev/lab/lab-common/go/order"
)

// captured is a dead-letter producer that keeps what it was given (or fails with err).
type captured struct {
	records []*kgo.Record
	err     error
}

func (c *captured) produce(_ context.Context, r *kgo.Record) error {
	if c.err != nil {
		return c.err
	}
	c.records = append(c.records, r)
	return nil
}

type harness struct {
	spans  *tracetest.SpanRecorder
	ledger *ledger
	dlq    *captured
	proc   *processor
}

func newHarness(handle func(context.Context, string) error) *harness {
	h := &harness{spans: tracetest.NewSpanRecorder(), ledger: newLedger(), dlq: &captured{}}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	h.proc = newProcessor(tp, recordParent(w3c), h.ledger, newDeadLetters(tp, w3c, h.dlq.produce))
	h.proc.retry = retryPolicy{maxAttempts: 4, backoff: time.Millisecond}
	if handle != nil {
		base := h.proc.handle
		h.proc.handle = func(ctx context.Context, o order.Order) error {
			if err := handle(ctx, o.OrderID); err != nil {
				return err
			}
			return base(ctx, o)
		}
	}
	return h
}

func (h *harness) span(t *testing.T, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range h.spans.Ended() {
		if s.Name() == name {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d spans %q, want 1", len(found), name)
	}
	return found[0]
}

func header(r *kgo.Record, key string) string {
	return (&headers{r: r}).Get(key)
}

func validOrder() string { return `{"orderId":"` + orderID + `","sku":"A","quantity":1}` }

func TestPoisonRecordIsDeadLetteredOnceWithItsLineage(t *testing.T) {
	tests := []struct{ name, value, reason string }{
		{"malformed value", `{"orderId":`, "record orders/2@41: malformed order JSON: unexpected end of JSON input"},
		{"no orderId", `{"sku":"A","quantity":1}`, "record orders/2@41: order without orderId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(nil)
			r := record(tt.value, traceparent("01"), kgo.RecordHeader{Key: "x-custom", Value: []byte("kept")})
			out, err := h.proc.process(context.Background(), r)
			if out != deadLettered || err != nil {
				t.Fatalf("outcome %v err %v, want deadLettered", out, err)
			}
			if len(h.dlq.records) != 1 {
				t.Fatalf("%d dead-letter records, want 1", len(h.dlq.records))
			}
			dead := h.dlq.records[0]
			process, send := h.span(t, flow.ProcessSpan), h.span(t, deadLetterSpan)
			if process.Parent().SpanID().String() != producerSpan || send.Parent().SpanID() != process.SpanContext().SpanID() ||
				send.SpanKind() != trace.SpanKindProducer {
				t.Errorf("lineage: process parent %s, send parent %s (process %s)", process.Parent().SpanID(), send.Parent().SpanID(), process.SpanContext().SpanID())
			}
			want := map[string]string{
				"traceparent":           "00-" + producerTrace + "-" + send.SpanContext().SpanID().String() + "-01",
				categoryHeader:          "poison",
				reasonHeader:            tt.reason,
				originalTopicHeader:     "orders",
				originalPartitionHeader: "2",
				originalOffsetHeader:    "41",
				"x-custom":              "kept",
			}
			for k, v := range want {
				if got := header(dead, k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if dead.Topic != DeadLetterTopic || string(dead.Key) != orderID || string(dead.Value) != tt.value {
				t.Errorf("dead letter %s key %s value %s", dead.Topic, dead.Key, dead.Value)
			}
			if process.Status().Code != codes.Error || attrs(process)["app.failure.category"] != "poison" || attrs(process)["error.type"] == "" {
				t.Errorf("process span status %v attributes %v", process.Status(), attrs(process))
			}
			if got := h.ledger.snapshot(); !reflect.DeepEqual(got, ledgerJSON{Processed: []string{}, DeadLettered: []string{orderID}}) {
				t.Errorf("ledger = %+v", got)
			}
			if n := len(h.spans.Ended()); n != 2 {
				t.Errorf("%d spans, want process + send", n)
			}
		})
	}
}

func TestDuplicateDeliveryIsProcessedOnce(t *testing.T) {
	handled := 0
	h := newHarness(func(context.Context, string) error { handled++; return nil })
	for i := 0; i < 2; i++ {
		if _, err := h.proc.process(context.Background(), record(validOrder(), traceparent("01"))); err != nil {
			t.Fatal(err)
		}
	}
	if handled != 1 {
		t.Errorf("handled %d times, want 1", handled)
	}
	if got := h.ledger.snapshot(); !reflect.DeepEqual(got, ledgerJSON{Processed: []string{orderID}, DeadLettered: []string{}, DuplicatesSkipped: 1}) {
		t.Errorf("ledger = %+v", got)
	}
	spans := h.spans.Ended()
	if len(spans) != 2 || attrs(spans[0])["app.delivery.duplicate"] != "" || attrs(spans[1])["app.delivery.duplicate"] != "true" {
		t.Errorf("want two process spans, the second marked duplicate")
	}
}

func TestTransientFailureIsRetriedInPlace(t *testing.T) {
	attempts := 0
	h := newHarness(func(context.Context, string) error {
		attempts++
		if attempts < 3 {
			return errors.New("database busy")
		}
		return nil
	})
	out, err := h.proc.process(context.Background(), record(validOrder(), traceparent("01")))
	if out != processed || err != nil || attempts != 3 {
		t.Fatalf("outcome %v err %v after %d attempts", out, err, attempts)
	}
	s := h.span(t, flow.ProcessSpan)
	var got []string
	for _, e := range s.Events() {
		got = append(got, fmt.Sprintf("%s %v", e.Name, e.Attributes[0].Value.String()))
	}
	if !reflect.DeepEqual(got, []string{"retry 1", "retry 2"}) || s.Status().Code != codes.Unset {
		t.Errorf("events %v status %v", got, s.Status())
	}
	if len(h.spans.Ended()) != 1 || len(h.dlq.records) != 0 {
		t.Errorf("%d spans, %d dead letters: one span for every attempt, none dead-lettered", len(h.spans.Ended()), len(h.dlq.records))
	}
}

func TestExhaustedRetriesAreDeadLetteredByCategory(t *testing.T) {
	tests := []struct {
		name, category string
		err            error
	}{
		{"transient", categoryRetryableExhausted, errors.New("database down")},
		{"timeout", categoryTimeout, fmt.Errorf("inventory: %w", context.DeadlineExceeded)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attempts := 0
			h := newHarness(func(context.Context, string) error { attempts++; return tt.err })
			out, err := h.proc.process(context.Background(), record(validOrder(), traceparent("01")))
			if out != deadLettered || err != nil || attempts != 4 {
				t.Fatalf("outcome %v err %v after %d attempts", out, err, attempts)
			}
			if len(h.dlq.records) != 1 || header(h.dlq.records[0], categoryHeader) != tt.category ||
				header(h.dlq.records[0], reasonHeader) != tt.err.Error() {
				t.Fatalf("dead letters %v", h.dlq.records)
			}
			s := h.span(t, flow.ProcessSpan)
			if len(s.Events()) != 4 || attrs(s)["app.failure.category"] != tt.category { // 3 retries + exception
				t.Errorf("events %v attributes %v", s.Events(), attrs(s))
			}
		})
	}
}

func TestFailedDeadLetterSendIsNotDone(t *testing.T) {
	h := newHarness(nil)
	h.dlq.err = errors.New("broker restarting")
	out, err := h.proc.process(context.Background(), record("not json", traceparent("01")))
	var nd notDoneError
	if out != notDone || !errors.As(err, &nd) {
		t.Fatalf("outcome %v err %v, want notDone", out, err)
	}
	if got := h.ledger.snapshot(); len(got.DeadLettered) != 0 {
		t.Errorf("ledger = %+v", got)
	}
	if h.span(t, deadLetterSpan).Status().Code != codes.Error {
		t.Errorf("the failed send span is not an error")
	}
}

// An order processed twice (as if the duplicate check were bypassed) is listed twice: the ledger
// shows double processing instead of folding it into one entry.
func TestLedgerFileSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consumer.ledger")
	l, err := openLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = l.markProcessed("a")
	_ = l.markDeadLettered("b")
	_ = l.markProcessed("a")
	l.close()
	data, _ := os.ReadFile(path)
	if string(data) != "processed a\ndead-lettered b\nprocessed a\n" {
		t.Fatalf("file = %q", data)
	}
	l, err = openLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	if !l.seen("a") || !l.seen("b") || l.seen("c") {
		t.Errorf("reopened ledger = %+v", l.snapshot())
	}
	rec := httptest.NewRecorder()
	l.serve(rec, httptest.NewRequest("GET", "/ledger", nil))
	if rec.Body.String() != `{"processed":["a","a"],"deadLettered":["b"],"duplicatesSkipped":0}`+"\n" || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("GET /ledger = %q", rec.Body.String())
	}
}

// Through a Kafka protocol implementation on loopback (kfake): a poison record lands on
// orders.dlq exactly once with its trace context and category and its offset is committed; the
// same order delivered twice is processed once.
func TestLoopDeadLettersPoisonAndSkipsDuplicates(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, flow.Topic), kfake.SeedTopics(1, DeadLetterTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	producer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	produce := func(key, value string) { // all on partition 0: offsets 0, 1, 2
		r := &kgo.Record{Topic: flow.Topic, Partition: 0, Key: []byte(key), Value: []byte(value), Headers: []kgo.RecordHeader{traceparent("01")}}
		if err := producer.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}

	spans := make(endedSpans, 10)
	l := newLedger()
	stop := startConsumerWith(t, cluster.ListenAddrs(), spans, l)
	produce("poison-1", `{"orderId":`)
	send, process := spans.next(t), spans.next(t) // the child ends first
	stop()
	if send.Name() != deadLetterSpan || process.Name() != flow.ProcessSpan || send.Parent().SpanID() != process.SpanContext().SpanID() {
		t.Fatalf("spans %s (parent %s), %s", send.Name(), send.Parent().SpanID(), process.Name())
	}

	dlq, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics(DeadLetterTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer dlq.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var dead []*kgo.Record
	for len(dead) == 0 && ctx.Err() == nil {
		dead = append(dead, dlq.PollFetches(ctx).Records()...)
	}
	if len(dead) != 1 {
		t.Fatalf("%d records on %s, want 1", len(dead), DeadLetterTopic)
	}
	if got := header(dead[0], "traceparent"); got != "00-"+producerTrace+"-"+send.SpanContext().SpanID().String()+"-01" {
		t.Errorf("traceparent = %q", got)
	}
	if header(dead[0], categoryHeader) != "poison" {
		t.Errorf("category = %q", header(dead[0], categoryHeader))
	}

	// committed: a restarted consumer goes on with the next record, the same order twice
	produce(orderID, validOrder())
	produce(orderID, validOrder())
	stop = startConsumerWith(t, cluster.ListenAddrs(), spans, l)
	first, second := spans.next(t), spans.next(t)
	stop()
	if attrs(first)["messaging.kafka.offset"] != "1" || attrs(second)["messaging.kafka.offset"] != "2" || len(spans) != 0 {
		t.Errorf("after the restart: offsets %s, %s and %d more spans", attrs(first)["messaging.kafka.offset"], attrs(second)["messaging.kafka.offset"], len(spans))
	}
	got, _ := json.Marshal(l.snapshot())
	if want := `{"processed":["` + orderID + `"],"deadLettered":["poison-1"],"duplicatesSkipped":1}`; string(got) != want {
		t.Errorf("ledger = %s, want %s", got, want)
	}
	if attrs(second)["app.delivery.duplicate"] != "true" {
		t.Errorf("the second delivery is not marked duplicate: %v", attrs(second))
	}
}
