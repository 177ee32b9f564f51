// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.flow.Flow;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery contract record by record, over a MockConsumer (offsets) and a MockProducer (the
 * dead-letter topic): poison is dead-lettered once with its lineage, a duplicate is not processed
 * twice, transient failures are retried a bounded number of times, and a record whose dead-letter
 * send fails is not committed.
 */
class DeliveryTest {

  @RegisterExtension static final OpenTelemetryExtension testing = OpenTelemetryExtension.create();

  static final TopicPartition PARTITION = new TopicPartition(Flow.TOPIC, 0);
  static final String ORDER_ID = "0b8e4e0c-1b53-4c7a-9d2a-6f7e2f9c1d01";
  static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(1));

  @TempDir Path dir;

  private MockConsumer<String, String> consumer;
  private MockProducer<String, String> dlq;
  private Ledger ledger;
  private String producerSpanId;

  @BeforeEach
  void setUp() {
    consumer = new MockConsumer<>("earliest");
    consumer.assign(List.of(PARTITION));
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    dlq = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    ledger = Ledger.inMemory();
  }

  private PollLoop loop(OrderProcessor.Handler handler) {
    return new PollLoop(
        consumer,
        new OrderProcessor(
            testing.getOpenTelemetry(),
            RecordHeadersParent.create(testing.getOpenTelemetry()),
            ledger,
            DeadLetters.create(testing.getOpenTelemetry(), dlq),
            handler,
            FAST));
  }

  /** A record at {@code offset} with key ORDER_ID and a producer span's context in its headers. */
  private ConsumerRecord<String, String> record(long offset, String value) {
    return record(offset, ORDER_ID, value);
  }

  private ConsumerRecord<String, String> record(long offset, String key, String value) {
    Span producer =
        testing
            .getOpenTelemetry()
            .getTracer("test")
            .spanBuilder(Flow.PRODUCE)
            .setSpanKind(SpanKind.PRODUCER)
            .startSpan();
    producerSpanId = producer.getSpanContext().getSpanId();
    RecordHeaders headers = new RecordHeaders();
    testing
        .getOpenTelemetry()
        .getPropagators()
        .getTextMapPropagator()
        .inject(
            Context.root().with(producer),
            headers,
            (h, k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
    headers.add("x-custom", "kept".getBytes(StandardCharsets.UTF_8));
    producer.end();
    return new ConsumerRecord<>(
        Flow.TOPIC,
        0,
        offset,
        0L,
        TimestampType.CREATE_TIME,
        key.length(),
        value.length(),
        key,
        value,
        headers,
        Optional.empty());
  }

  private static String order(boolean fail) {
    return OrderJson.write(new Order(ORDER_ID, "ABC-1", 2, fail, 0));
  }

  private long committed() {
    OffsetAndMetadata offset = consumer.committed(Set.of(PARTITION)).get(PARTITION);
    return offset == null ? -1 : offset.offset();
  }

  private static String header(ProducerRecord<String, String> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static SpanData span(String name) {
    List<SpanData> spans =
        testing.getSpans().stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(spans).hasSize(1);
    return spans.get(0);
  }

  @Test
  void poisonRecordIsDeadLetteredOnceWithItsLineageAndCommitted() {
    consumer.addRecord(record(0, "{\"orderId\":"));

    assertThat(loop(OrderProcessor.FAIL_ON_REQUEST).pollOnce()).isEqualTo(1);

    assertThat(dlq.history()).hasSize(1);
    ProducerRecord<String, String> dead = dlq.history().get(0);
    assertThat(dead.topic()).isEqualTo(Flow.DEAD_LETTER_TOPIC);
    assertThat(dead.key()).isEqualTo(ORDER_ID);
    assertThat(dead.value()).isEqualTo("{\"orderId\":");
    assertThat(header(dead, DeadLetters.CATEGORY_HEADER)).isEqualTo("poison");
    assertThat(header(dead, DeadLetters.REASON_HEADER)).startsWith("malformed order JSON: ");
    assertThat(header(dead, DeadLetters.ORIGINAL_TOPIC_HEADER)).isEqualTo(Flow.TOPIC);
    assertThat(header(dead, DeadLetters.ORIGINAL_PARTITION_HEADER)).isEqualTo("0");
    assertThat(header(dead, DeadLetters.ORIGINAL_OFFSET_HEADER)).isEqualTo("0");
    assertThat(header(dead, "x-custom")).isEqualTo("kept");
    assertThat(committed()).isEqualTo(1);
    assertThat(ledger.deadLetteredIds()).containsExactly(ORDER_ID);
    assertThat(ledger.processedIds()).isEmpty();

    // lineage: original producer <- process (poison) <- send orders.dlq, whose context the record
    // carries
    SpanData process = span(Flow.PROCESS);
    SpanData send = span(DeadLetters.SEND);
    assertThat(process.getParentSpanId()).isEqualTo(producerSpanId);
    assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(process.getAttributes().get(OrderProcessor.FAILURE_CATEGORY)).isEqualTo("poison");
    assertThat(process.getAttributes().get(io.opentelemetry.semconv.ErrorAttributes.ERROR_TYPE))
        .isEqualTo(IllegalArgumentException.class.getName());
    assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(send.getParentSpanId()).isEqualTo(process.getSpanId());
    assertThat(send.getTraceId()).isEqualTo(process.getTraceId());
    assertThat(dead.headers().headers("traceparent")).hasSize(1);
    assertThat(header(dead, "traceparent"))
        .startsWith("00-" + send.getTraceId() + "-" + send.getSpanId() + "-");
    assertThat(testing.getSpans()).hasSize(3);
  }

  @Test
  void duplicateDeliveryIsProcessedOnce() {
    consumer.addRecord(record(0, order(false)));
    consumer.addRecord(record(1, order(false)));
    AtomicInteger handled = new AtomicInteger();

    assertThat(loop(order -> handled.incrementAndGet()).pollOnce()).isEqualTo(2);

    assertThat(handled).hasValue(1);
    assertThat(ledger.processedIds()).containsExactly(ORDER_ID);
    assertThat(ledger.duplicatesSkippedCount()).isEqualTo(1);
    assertThat(ledger.toJson())
        .isEqualTo(
            "{\"processed\":[\"" + ORDER_ID + "\"],\"deadLettered\":[],\"duplicatesSkipped\":1}");
    assertThat(committed()).isEqualTo(2);
    assertThat(dlq.history()).isEmpty();
    List<SpanData> process =
        testing.getSpans().stream().filter(s -> s.getName().equals(Flow.PROCESS)).toList();
    assertThat(process).hasSize(2);
    assertThat(process.get(0).getAttributes().get(OrderProcessor.DUPLICATE)).isNull();
    assertThat(process.get(1).getAttributes().get(OrderProcessor.DUPLICATE)).isTrue();
  }

  @Test
  void failOnRequestIsABusinessFailureProcessedNotDeadLettered() {
    consumer.addRecord(record(0, order(true)));

    loop(OrderProcessor.FAIL_ON_REQUEST).pollOnce();

    assertThat(ledger.processedIds()).containsExactly(ORDER_ID);
    assertThat(dlq.history()).isEmpty();
    assertThat(committed()).isEqualTo(1);
    assertThat(span(Flow.PROCESS).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span(Flow.PROCESS).getAttributes().get(OrderProcessor.FAILURE_CATEGORY)).isNull();
  }

  @Test
  void transientFailureIsRetriedInPlaceEachAttemptAnEvent() {
    consumer.addRecord(record(0, order(false)));
    AtomicInteger attempts = new AtomicInteger();

    loop(order -> {
          if (attempts.incrementAndGet() < 3) {
            throw new IllegalStateException("database busy");
          }
        })
        .pollOnce();

    assertThat(attempts).hasValue(3);
    assertThat(ledger.processedIds()).containsExactly(ORDER_ID);
    assertThat(dlq.history()).isEmpty();
    SpanData process = span(Flow.PROCESS);
    assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(process.getEvents())
        .extracting(EventData::getName)
        .containsExactly("retry", "retry");
    assertThat(process.getEvents())
        .extracting(e -> e.getAttributes().get(OrderProcessor.RETRY_ATTEMPT))
        .containsExactly(1L, 2L);
    assertThat(process.getEvents())
        .extracting(e -> e.getAttributes().get(OrderProcessor.RETRY_BACKOFF_MS))
        .containsExactly(1L, 2L);
    assertThat(testing.getSpans()).hasSize(2); // producer + process: no span per attempt
  }

  @Test
  void exhaustedRetriesAreDeadLettered() {
    consumer.addRecord(record(0, order(false)));
    AtomicInteger attempts = new AtomicInteger();

    loop(order -> {
          attempts.incrementAndGet();
          throw new IllegalStateException("database down");
        })
        .pollOnce();

    assertThat(attempts).hasValue(4);
    assertThat(dlq.history()).hasSize(1);
    assertThat(header(dlq.history().get(0), DeadLetters.CATEGORY_HEADER))
        .isEqualTo("retryable-exhausted");
    assertThat(header(dlq.history().get(0), DeadLetters.REASON_HEADER)).isEqualTo("database down");
    assertThat(ledger.deadLetteredIds()).containsExactly(ORDER_ID);
    assertThat(committed()).isEqualTo(1);
    assertThat(span(Flow.PROCESS).getEvents())
        .extracting(EventData::getName)
        .containsExactly("retry", "retry", "retry", "exception");
    assertThat(span(Flow.PROCESS).getAttributes().get(OrderProcessor.FAILURE_CATEGORY))
        .isEqualTo("retryable-exhausted");
  }

  @Test
  void timeoutsAreRetriedThenDeadLetteredAsTimeout() {
    consumer.addRecord(record(0, order(false)));

    loop(order -> {
          throw new TimeoutException("inventory did not answer in 2 s");
        })
        .pollOnce();

    assertThat(dlq.history()).hasSize(1);
    assertThat(header(dlq.history().get(0), DeadLetters.CATEGORY_HEADER)).isEqualTo("timeout");
    assertThat(span(Flow.PROCESS).getEvents()).hasSize(4);
  }

  @Test
  void failedDeadLetterSendIsNotCommittedAndComesAgain() {
    dlq.sendException = new org.apache.kafka.common.errors.TimeoutException("broker restarting");
    consumer.addRecord(record(0, "not json"));
    consumer.addRecord(record(1, order(false)));

    assertThat(loop(OrderProcessor.FAIL_ON_REQUEST).pollOnce()).isEqualTo(0);

    assertThat(committed()).isEqualTo(-1);
    assertThat(consumer.position(PARTITION)).isEqualTo(0);
    assertThat(ledger.deadLetteredIds()).isEmpty();
    assertThat(ledger.processedIds()).isEmpty(); // offset 1 waits behind offset 0
    assertThat(span(DeadLetters.SEND).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void ledgerFileSurvivesARestart() throws Exception {
    Path file = dir.resolve("run").resolve("consumer.ledger");
    ledger = Ledger.open(file);
    consumer.addRecord(record(0, order(false)));
    consumer.addRecord(record(1, "poison-key", "poison"));
    loop(OrderProcessor.FAIL_ON_REQUEST).pollOnce();
    ledger.close();
    assertThat(Files.readAllLines(file))
        .containsExactly("processed " + ORDER_ID, "dead-lettered poison-key");

    ledger = Ledger.open(file);
    assertThat(ledger.processedIds()).containsExactly(ORDER_ID);
    assertThat(ledger.deadLetteredIds()).containsExactly("poison-key");
    // the restarted consumer sees the redelivered order as a duplicate
    consumer.addRecord(record(2, order(false)));
    AtomicInteger handled = new AtomicInteger();
    loop(order -> handled.incrementAndGet()).pollOnce();
    assertThat(handled).hasValue(0);
    assertThat(ledger.duplicatesSkippedCount()).isEqualTo(1);
    assertThat(Files.readAllLines(file)).hasSize(2);
    ledger.close();
  }

  @Test
  void ledgerListsAnOrderProcessedTwiceTwiceAndKeepsItAcrossARestart() throws Exception {
    Path file = dir.resolve("twice").resolve("consumer.ledger");
    ledger = Ledger.open(file);
    ledger.processed(ORDER_ID);
    ledger.processed(ORDER_ID); // as if the duplicate check had been bypassed
    assertThat(ledger.processedIds()).containsExactly(ORDER_ID, ORDER_ID);
    ledger.close();
    assertThat(Files.readAllLines(file))
        .containsExactly("processed " + ORDER_ID, "processed " + ORDER_ID);

    ledger = Ledger.open(file);
    assertThat(ledger.processedIds()).containsExactly(ORDER_ID, ORDER_ID);
    assertThat(ledger.seen(ORDER_ID)).isTrue();
    ledger.close();
  }
}
