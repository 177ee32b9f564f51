// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.broken.LifecycleSpanParent;
import dev.tracelab.flow.Flow;
import dev.tracelab.kafka.RecordParent;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
import dev.tracelab.telemetry.lifecycle.Lifecycle;
import dev.tracelab.telemetry.lifecycle.LifecycleSpanProcessor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The long-running subscription span by span, without a broker: two produced records processed in
 * the poll loop's context of the {@code lifecycle} defect and of its fix {@code lifecycle-fixed}
 * (an SDK with {@link LifecycleSpanProcessor}, as every service's).
 */
class LifecycleSpansTest {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder()
          .addSpanProcessor(LifecycleSpanProcessor.create())
          .addSpanProcessor(SimpleSpanProcessor.create(exporter))
          .build();
  private final OpenTelemetry otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(provider)
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();

  @AfterEach
  void close() {
    provider.close();
  }

  @Test
  void lifecycleDefectParentsEveryProcessSpanUnderOneUnendedSubscriptionSpan() {
    List<SpanData> producers = processTwo(LifecycleSpanParent.start(otel));

    List<SpanData> process = spans(Flow.PROCESS);
    assertThat(process).hasSize(2);
    // one trace for both records, not the producers' traces; its parent (the subscription) not
    // exported
    assertThat(process.get(0).getTraceId()).isEqualTo(process.get(1).getTraceId());
    assertThat(process.get(0).getParentSpanId()).isEqualTo(process.get(1).getParentSpanId());
    assertThat(producers)
        .extracting(SpanData::getTraceId)
        .doesNotContain(process.get(0).getTraceId());
    assertThat(exporter.getFinishedSpanItems())
        .extracting(SpanData::getSpanId)
        .doesNotContain(process.get(0).getParentSpanId());
  }

  @Test
  void lifecycleFixedContinuesEachRequestLinksToTheStartSpanAndCarriesTheIdentity() {
    List<SpanData> producers = processTwo(LifecycleUnits.start(otel));

    List<SpanData> start = spans(LifecycleUnits.NAME + " start");
    assertThat(start).hasSize(1);
    assertThat(start.get(0).getParentSpanContext().isValid()).isFalse();
    String instanceId = start.get(0).getAttributes().get(Lifecycle.INSTANCE_ID);
    assertThat(instanceId).isNotBlank();
    List<SpanData> process = spans(Flow.PROCESS);
    assertThat(process).hasSize(2);
    for (int i = 0; i < 2; i++) {
      SpanData p = process.get(i);
      assertThat(p.getTraceId()).isEqualTo(producers.get(i).getTraceId());
      assertThat(p.getParentSpanId()).isEqualTo(producers.get(i).getSpanId());
      assertThat(p.getLinks())
          .extracting(l -> l.getSpanContext())
          .containsExactly(start.get(0).getSpanContext());
      assertThat(p.getAttributes().get(Lifecycle.NAME)).isEqualTo(LifecycleUnits.NAME);
      assertThat(p.getAttributes().get(Lifecycle.INSTANCE_ID)).isEqualTo(instanceId);
    }
    assertThat(producers)
        .allSatisfy(s -> assertThat(s.getAttributes().get(Lifecycle.NAME)).isNull());
  }

  /** Two records, each from its own producer span, processed in the parent's loop context. */
  private List<SpanData> processTwo(RecordParent parent) {
    List<ConsumerRecord<String, String>> records = List.of(produced(), produced());
    OrderProcessor processor =
        new OrderProcessor(
            otel,
            parent,
            Ledger.inMemory(),
            DeadLetters.create(
                otel,
                new MockProducer<>(true, null, new StringSerializer(), new StringSerializer())),
            OrderProcessor.FAIL_ON_REQUEST,
            RetryPolicy.DEFAULT);
    try (Scope loop = parent.loopContext(Context.current()).makeCurrent()) {
      records.forEach(processor::process);
    }
    return spans(Flow.PRODUCE);
  }

  private ConsumerRecord<String, String> produced() {
    Span producer =
        otel.getTracer("test").spanBuilder(Flow.PRODUCE).setSpanKind(SpanKind.PRODUCER).startSpan();
    RecordHeaders headers = new RecordHeaders();
    otel.getPropagators()
        .getTextMapPropagator()
        .inject(
            Context.root().with(producer),
            headers,
            (h, k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
    producer.end();
    String id = UUID.randomUUID().toString();
    String value = OrderJson.write(new Order(id, "ABC-1", 1, false, 0));
    return new ConsumerRecord<>(
        Flow.TOPIC,
        0,
        1L,
        0L,
        TimestampType.CREATE_TIME,
        id.length(),
        value.length(),
        id,
        value,
        headers,
        Optional.empty());
  }

  private List<SpanData> spans(String name) {
    return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
  }
}
