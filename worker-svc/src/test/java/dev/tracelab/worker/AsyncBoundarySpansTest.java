// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.worker;

import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.equalTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracelab.async.HandOff;
import dev.tracelab.broken.RawExecutorHandOff;
import dev.tracelab.flow.Flow;
import dev.tracelab.order.Order;
import dev.tracelab.telemetry.AppAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The async boundary span by span: the worker's request span hands an order to the pool ({@link
 * ContextBoundHandOff} fixed, {@link RawExecutorHandOff} broken); the deferred work runs {@code
 * order.prepare} and produces the record ({@link MockProducer}, no broker) in {@code send orders},
 * whose context goes into the record headers.
 */
class AsyncBoundarySpansTest {

  @RegisterExtension static final OpenTelemetryExtension testing = OpenTelemetryExtension.create();

  static final Order ORDER =
      new Order("7d3f7a56-7c1f-4a7e-9a53-3f0f4b8f1a11", "ABC-1", 2, false, 0);

  private MockProducer<String, String> kafka;
  private DeferredWork deferred;
  private HandOff handOff;

  @BeforeEach
  void setUp() {
    kafka = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    deferred =
        new DeferredWork(
            testing.getOpenTelemetry(), OrderProducer.create(testing.getOpenTelemetry(), kafka));
  }

  @AfterEach
  void tearDown() {
    handOff.close();
  }

  /**
   * Runs the request span "POST /work" on this thread and submits the deferred work from inside it;
   * the request span ends only after the deferred work has produced, so export order is fixed.
   */
  private void handleRequest() {
    Span request =
        testing
            .getOpenTelemetry()
            .getTracer("test")
            .spanBuilder(Flow.WORKER_SERVER)
            .setSpanKind(SpanKind.SERVER)
            .startSpan();
    try (Scope ignored = request.makeCurrent()) {
      handOff.submit(() -> deferred.run(ORDER, new java.util.concurrent.CompletableFuture<>()));
      await().atMost(Duration.ofSeconds(10)).until(() -> testing.getSpans().size() == 2);
    } finally {
      request.end();
    }
  }

  @Test
  void fixedHandOffKeepsTheDeferredWorkInTheRequestsTrace() {
    handOff = ContextBoundHandOff.wrap(Executors.newSingleThreadExecutor());

    handleRequest();

    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span -> span.hasName(Flow.WORKER_SERVER).hasKind(SpanKind.SERVER).hasNoParent(),
                    span ->
                        span.hasName(Flow.DEFERRED_WORK)
                            .hasKind(SpanKind.INTERNAL)
                            .hasParent(trace.actual().get(0))
                            .hasAttributesSatisfyingExactly(
                                equalTo(AppAttributes.ORDER_ID, ORDER.orderId()),
                                equalTo(AttributeKey.stringKey("app.order.sku"), "ABC-1"),
                                equalTo(AttributeKey.longKey("app.order.quantity"), 2L)),
                    span ->
                        span.hasName(Flow.PRODUCE)
                            .hasKind(SpanKind.PRODUCER)
                            .hasParent(trace.actual().get(1))
                            .hasAttributesSatisfyingExactly(
                                equalTo(MessagingIncubatingAttributes.MESSAGING_SYSTEM, "kafka"),
                                equalTo(
                                    MessagingIncubatingAttributes.MESSAGING_DESTINATION_NAME,
                                    Flow.TOPIC),
                                equalTo(
                                    MessagingIncubatingAttributes.MESSAGING_OPERATION_TYPE, "send"),
                                equalTo(
                                    MessagingIncubatingAttributes.MESSAGING_OPERATION_NAME, "send"),
                                equalTo(
                                    MessagingIncubatingAttributes.MESSAGING_KAFKA_MESSAGE_KEY,
                                    ORDER.orderId()),
                                equalTo(
                                    MessagingIncubatingAttributes.MESSAGING_CLIENT_ID,
                                    "worker-svc"),
                                equalTo(
                                    MessagingIncubatingAttributes
                                        .MESSAGING_DESTINATION_PARTITION_ID,
                                    "0"),
                                equalTo(
                                    MessagingIncubatingAttributes.MESSAGING_KAFKA_OFFSET, 0L))));
    assertThat(kafka.history()).hasSize(1);
    assertThat(traceparentOf(kafka.history().get(0))).isEqualTo(traceparentOf(producerSpan()));
  }

  @Test
  void brokenHandOffStartsANewTraceForTheDeferredWork() {
    handOff = RawExecutorHandOff.wrap(Executors.newSingleThreadExecutor());

    handleRequest();

    // the deferred work's trace is exported first (the request span ends after it)
    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span ->
                        span.hasName(Flow.DEFERRED_WORK).hasKind(SpanKind.INTERNAL).hasNoParent(),
                    span ->
                        span.hasName(Flow.PRODUCE)
                            .hasKind(SpanKind.PRODUCER)
                            .hasParent(trace.actual().get(0))),
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span -> span.hasName(Flow.WORKER_SERVER).hasNoParent()));
    // the producer still injects: the consumer follows the deferred work into its new trace
    assertThat(kafka.history()).hasSize(1);
    assertThat(traceparentOf(kafka.history().get(0))).isEqualTo(traceparentOf(producerSpan()));
  }

  private SpanData producerSpan() {
    return testing.getSpans().stream()
        .filter(s -> s.getKind() == SpanKind.PRODUCER)
        .findFirst()
        .orElseThrow();
  }

  private static String traceparentOf(SpanData span) {
    return "00-"
        + span.getTraceId()
        + "-"
        + span.getSpanId()
        + "-"
        + span.getSpanContext().getTraceFlags().asHex();
  }

  private static String traceparentOf(ProducerRecord<String, String> record) {
    Header header = record.headers().lastHeader("traceparent");
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
