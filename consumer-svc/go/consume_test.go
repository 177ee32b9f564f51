// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"tracelab.dev/lab/lab-common/go/flow"
)

// endedSpans hands every ended span to a channel, so a test waits on the span itself.
type endedSpans chan sdktrace.ReadOnlySpan

func (c endedSpans) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (c endedSpans) OnEnd(s sdktrace.ReadOnlySpan)                   { c <- s }
func (c endedSpans) Shutdown(context.Context) error                  { return nil }
func (c endedSpans) ForceFlush(context.Context) error                { return nil }

func (c endedSpans) next(t *testing.T) sdktrace.ReadOnlySpan {
	t.Helper()
	select {
	case s := <-c:
		return s
	case <-time.After(15 * time.Second):
		t.Fatal("no span ended within 15 s")
		return nil
	}
}

// startConsumer runs the poll loop against brokers until the returned stop is called.
func startConsumer(t *testing.T, brokers []string, spans endedSpans) (stop func()) {
	t.Helper()
	return startConsumerWith(t, brokers, spans, newLedger())
}

// startConsumerWith runs the poll loop with ledger l until the returned stop is called.
func startConsumerWith(t *testing.T, brokers []string, spans endedSpans, l *ledger) (stop func()) {
	t.Helper()
	client, err := kgo.NewClient(append(clientOptions(brokers[0]), kgo.FetchMaxWait(100*time.Millisecond))...)
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	c := &consumer{client: client, proc: newProcessor(tp, recordParent(w3c), l, newDeadLetters(tp, w3c, clientProducer(client)))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.run(ctx)
	}()
	return func() {
		cancel()
		<-done
		client.Close()
	}
}

// The loop against a Kafka protocol implementation on loopback (kfake): one span per record,
// parent from the headers, and offsets committed after processing, so a restarted member of
// the group resumes after the processed record instead of seeing it again.
func TestLoopProcessesThenCommits(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, flow.Topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	producer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	produce := func(value string) *kgo.Record {
		r := &kgo.Record{Topic: flow.Topic, Key: []byte(orderID), Value: []byte(value), Headers: []kgo.RecordHeader{traceparent("01")}}
		if err := producer.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
		return r
	}

	spans := make(endedSpans, 10)
	stop := startConsumer(t, cluster.ListenAddrs(), spans)
	first := produce(`{"orderId":"` + orderID + `","sku":"A","quantity":1}`)
	s := spans.next(t)
	stop()

	if s.Name() != flow.ProcessSpan || s.Parent().SpanID().String() != producerSpan || attrs(s)["messaging.kafka.offset"] != "0" {
		t.Fatalf("first span = %s parent %s offset %s", s.Name(), s.Parent().SpanID(), attrs(s)["messaging.kafka.offset"])
	}
	if len(spans) != 0 {
		t.Fatalf("%d more spans for one record", len(spans))
	}

	// same key, same partition: an uncommitted first record would come again before the second
	second := produce(`{"orderId":"` + orderID + `","sku":"B","quantity":2,"fail":true}`)
	if second.Partition != first.Partition {
		t.Fatalf("records on partitions %d and %d", first.Partition, second.Partition)
	}
	stop = startConsumer(t, cluster.ListenAddrs(), spans)
	s = spans.next(t)
	stop()

	if got := attrs(s)["messaging.kafka.offset"]; got != "1" {
		t.Errorf("restarted consumer processed offset %s first, want 1 (offset 0 was committed)", got)
	}
	if len(spans) != 0 {
		t.Errorf("%d more spans after the restart", len(spans))
	}
}
