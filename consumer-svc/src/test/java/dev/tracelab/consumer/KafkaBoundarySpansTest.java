// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.equalTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.broken.IgnoredRecordHeaders;
import dev.tracelab.flow.Flow;
import dev.tracelab.kafka.RecordParent;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
import dev.tracelab.telemetry.AppAttributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.assertj.AttributeAssertion;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Kafka boundary span by span, without a broker: a PRODUCER span injects its context into a
 * record's headers (as worker-svc does), and {@link OrderProcessor} processes the record with the
 * fixed {@link RecordHeadersParent} or the broken {@link IgnoredRecordHeaders}.
 */
class KafkaBoundarySpansTest {

  @RegisterExtension static final OpenTelemetryExtension testing = OpenTelemetryExtension.create();

  static final String ORDER_ID = "7d3f7a56-7c1f-4a7e-9a53-3f0f4b8f1a11";

  /**
   * A record of topic orders, partition 3, offset 42, with the producer span's context in its
   * headers.
   */
  private ConsumerRecord<String, String> producedRecord(boolean fail) {
    Span producer =
        testing
            .getOpenTelemetry()
            .getTracer("test")
            .spanBuilder(Flow.PRODUCE)
            .setSpanKind(SpanKind.PRODUCER)
            .startSpan();
    RecordHeaders headers = new RecordHeaders();
    testing
        .getOpenTelemetry()
        .getPropagators()
        .getTextMapPropagator()
        .inject(
            Context.root().with(producer),
            headers,
            (h, k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
    producer.end();
    String value = OrderJson.write(new Order(ORDER_ID, "ABC-1", 2, fail, 0));
    return new ConsumerRecord<>(
        Flow.TOPIC,
        3,
        42L,
        0L,
        TimestampType.CREATE_TIME,
        ORDER_ID.length(),
        value.length(),
        ORDER_ID,
        value,
        headers,
        Optional.empty());
  }

  private static List<AttributeAssertion> processAttributes(AttributeAssertion... extra) {
    List<AttributeAssertion> attributes =
        new ArrayList<>(
            List.of(
                equalTo(MessagingIncubatingAttributes.MESSAGING_SYSTEM, "kafka"),
                equalTo(MessagingIncubatingAttributes.MESSAGING_DESTINATION_NAME, Flow.TOPIC),
                equalTo(MessagingIncubatingAttributes.MESSAGING_OPERATION_TYPE, "process"),
                equalTo(MessagingIncubatingAttributes.MESSAGING_OPERATION_NAME, "process"),
                equalTo(
                    MessagingIncubatingAttributes.MESSAGING_CONSUMER_GROUP_NAME,
                    Flow.CONSUMER_GROUP),
                equalTo(MessagingIncubatingAttributes.MESSAGING_CLIENT_ID, "consumer-svc"),
                equalTo(MessagingIncubatingAttributes.MESSAGING_DESTINATION_PARTITION_ID, "3"),
                equalTo(MessagingIncubatingAttributes.MESSAGING_KAFKA_OFFSET, 42L),
                equalTo(MessagingIncubatingAttributes.MESSAGING_KAFKA_MESSAGE_KEY, ORDER_ID),
                equalTo(AppAttributes.ORDER_ID, ORDER_ID)));
    attributes.addAll(List.of(extra));
    return attributes;
  }

  private OrderProcessor processor(RecordParent parent) {
    return new OrderProcessor(
        testing.getOpenTelemetry(),
        parent,
        Ledger.inMemory(),
        DeadLetters.create(
            testing.getOpenTelemetry(),
            new MockProducer<>(true, null, new StringSerializer(), new StringSerializer())),
        OrderProcessor.FAIL_ON_REQUEST,
        RetryPolicy.DEFAULT);
  }

  @Test
  void fixedProcessSpanIsTheChildOfTheProducerSpan() {
    processor(RecordHeadersParent.create(testing.getOpenTelemetry()))
        .process(producedRecord(false));

    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span -> span.hasName(Flow.PRODUCE).hasKind(SpanKind.PRODUCER).hasNoParent(),
                    span ->
                        span.hasName(Flow.PROCESS)
                            .hasKind(SpanKind.CONSUMER)
                            .hasParent(trace.actual().get(0))
                            .hasStatus(StatusData.unset())
                            .hasAttributesSatisfyingExactly(processAttributes())));
  }

  @Test
  void brokenProcessSpanIsARootOfANewTrace() {
    processor(IgnoredRecordHeaders.INSTANCE).process(producedRecord(false));

    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(span -> span.hasName(Flow.PRODUCE).hasNoParent()),
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span ->
                        span.hasName(Flow.PROCESS)
                            .hasKind(SpanKind.CONSUMER)
                            .hasNoParent()
                            .hasAttributesSatisfyingExactly(processAttributes())));
  }

  @Test
  void linkedProcessSpanStartsANewTraceLinkedToTheProducerSpan() {
    processor(RecordHeadersLink.create(testing.getOpenTelemetry())).process(producedRecord(false));

    List<io.opentelemetry.sdk.trace.data.SpanData> spans = testing.getSpans();
    assertThat(spans).hasSize(2);
    io.opentelemetry.sdk.trace.data.SpanData producer =
        spans.stream().filter(s -> s.getName().equals(Flow.PRODUCE)).findFirst().orElseThrow();
    io.opentelemetry.sdk.trace.data.SpanData process =
        spans.stream().filter(s -> s.getName().equals(Flow.PROCESS)).findFirst().orElseThrow();
    assertThat(process.getParentSpanContext().isValid()).isFalse();
    assertThat(process.getTraceId()).isNotEqualTo(producer.getTraceId());
    assertThat(process.getLinks()).hasSize(1);
    assertThat(process.getLinks().get(0).getSpanContext().getTraceId())
        .isEqualTo(producer.getTraceId());
    assertThat(process.getLinks().get(0).getSpanContext().getSpanId())
        .isEqualTo(producer.getSpanId());
    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(span -> span.hasName(Flow.PRODUCE).hasNoParent()),
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span ->
                        span.hasName(Flow.PROCESS)
                            .hasKind(SpanKind.CONSUMER)
                            .hasNoParent()
                            .hasAttributesSatisfyingExactly(processAttributes())));
  }

  @Test
  void failedOrderIsAnErrorProcessSpanStillInTheRequestsTrace() {
    processor(RecordHeadersParent.create(testing.getOpenTelemetry())).process(producedRecord(true));

    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span -> span.hasName(Flow.PRODUCE),
                    span ->
                        span.hasName(Flow.PROCESS)
                            .hasParent(trace.actual().get(0))
                            .hasStatus(
                                StatusData.create(
                                    io.opentelemetry.api.trace.StatusCode.ERROR,
                                    "order " + ORDER_ID + " failed on request (fail=true)"))
                            .hasEventsSatisfyingExactly(event -> event.hasName("exception"))
                            .hasAttributesSatisfyingExactly(
                                processAttributes(
                                    equalTo(
                                        ErrorAttributes.ERROR_TYPE,
                                        OrderProcessor.OrderFailedException.class.getName())))));
  }

  @Test
  void fixedRecordWithoutHeadersIsARoot() {
    String value = OrderJson.write(new Order(ORDER_ID, "ABC-1", 2, false, 0));
    processor(RecordHeadersParent.create(testing.getOpenTelemetry()))
        .process(
            new ConsumerRecord<>(
                Flow.TOPIC,
                3,
                42L,
                0L,
                TimestampType.CREATE_TIME,
                ORDER_ID.length(),
                value.length(),
                ORDER_ID,
                value,
                new RecordHeaders(),
                Optional.empty()));

    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(span -> span.hasName(Flow.PROCESS).hasNoParent()));
  }
}
