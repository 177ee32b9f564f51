// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.telemetry.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifecycleSpanProcessorTest {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder()
          .addSpanProcessor(LifecycleSpanProcessor.create())
          .addSpanProcessor(SimpleSpanProcessor.create(exporter))
          .build();
  private final Tracer tracer = provider.get("test");

  @AfterEach
  void close() {
    provider.close();
  }

  @Test
  void everySpanStartedInTheLifecycleContextCarriesItsIdentityAndTheUnitsLinkToTheStartSpan() {
    Lifecycle lifecycle = Lifecycle.start(tracer, "orders subscription");
    try (Scope ignored = lifecycle.makeCurrent()) {
      for (int i = 0; i < 2; i++) {
        Span unit = lifecycle.addLink(tracer.spanBuilder("process " + i)).startSpan();
        try (Scope inUnit = unit.makeCurrent()) {
          tracer.spanBuilder("child " + i).startSpan().end(); // generic code, no lifecycle in sight
        } finally {
          unit.end();
        }
      }
    }
    tracer.spanBuilder("outside").startSpan().end();

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans)
        .extracting(SpanData::getName)
        .containsExactly(
            "orders subscription start", "child 0", "process 0", "child 1", "process 1", "outside");
    SpanData start = spans.get(0);
    assertThat(start.getParentSpanContext().isValid()).isFalse();
    assertThat(start.getAttributes().get(Lifecycle.NAME)).isEqualTo("orders subscription");
    assertThat(start.getAttributes().get(Lifecycle.INSTANCE_ID)).isEqualTo(lifecycle.instanceId());
    for (SpanData s : spans.subList(1, 5)) {
      assertThat(s.getAttributes().get(Lifecycle.NAME))
          .as(s.getName())
          .isEqualTo("orders subscription");
      assertThat(s.getAttributes().get(Lifecycle.INSTANCE_ID))
          .as(s.getName())
          .isEqualTo(lifecycle.instanceId());
    }
    // each unit: a root of its own trace (bounded), linked to the start span, not its child
    for (SpanData unit : List.of(spans.get(2), spans.get(4))) {
      assertThat(unit.getParentSpanContext().isValid()).isFalse();
      assertThat(unit.getTraceId()).isNotEqualTo(start.getTraceId());
      assertThat(unit.getLinks()).hasSize(1);
      assertThat(unit.getLinks().get(0).getSpanContext()).isEqualTo(start.getSpanContext());
    }
    assertThat(spans.get(2).getTraceId()).isNotEqualTo(spans.get(4).getTraceId());
    assertThat(spans.get(1).getTraceId()).isEqualTo(spans.get(2).getTraceId());
    assertThat(spans.get(5).getAttributes().get(Lifecycle.NAME)).isNull();
  }

  @Test
  void aSpanWithNoLifecycleInItsParentContextIsLeftAlone() {
    Span span = tracer.spanBuilder("plain").setParent(Context.root()).startSpan();
    span.end();
    assertThat(exporter.getFinishedSpanItems().get(0).getAttributes().isEmpty()).isTrue();
  }
}
