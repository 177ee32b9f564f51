// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A packed trace unpacks into equal spans, attributes iterating in the same order. */
class SpanPackingTest {

  @Test
  void unpacksWhatWasPacked() {
    SplittableRandom random = new SplittableRandom(5);
    for (int round = 0; round < 3000; round++) {
      String traceId = id(random, 32);
      List<ReceivedSpan> spans = new ArrayList<>();
      int n = random.nextInt(12);
      for (int i = 0; i < n; i++) {
        spans.add(span(random, traceId));
      }
      List<ReceivedSpan> unpacked = SpanPacking.unpack(traceId, SpanPacking.pack(traceId, spans));
      assertThat(unpacked).isEqualTo(spans);
      for (int i = 0; i < n; i++) {
        assertThat(new ArrayList<>(unpacked.get(i).attributes().entrySet()))
            .isEqualTo(new ArrayList<>(spans.get(i).attributes().entrySet()));
      }
    }
  }

  @Test
  void aStringUtf8CannotCarryLeavesTheTraceUnpacked() {
    AssembledTrace trace = new AssembledTrace("4bf92f3577b34da6a3ce929d0e0e4736", 0);
    ReceivedSpan lone =
        new ReceivedSpan(
            trace.traceId(),
            "00f067aa0ba902b7",
            null,
            "svc",
            SpanKind.SERVER,
            "bad \ud800 name",
            1,
            2,
            false,
            Map.of());
    trace.add(lone, 0, 0, null);
    trace.close(AssembledTrace.CloseReason.QUIET, 1);
    trace.judged();
    trace.pack();
    assertThat(trace.spans()).containsExactly(lone);
  }

  @Test
  void aClosedTraceReadsTheSameOncePacked() {
    AssembledTrace trace = new AssembledTrace("4bf92f3577b34da6a3ce929d0e0e4736", 0);
    SplittableRandom random = new SplittableRandom(9);
    for (int i = 0; i < 20; i++) {
      trace.add(span(random, trace.traceId()), i, 0, null);
    }
    trace.close(AssembledTrace.CloseReason.QUIET, 30);
    List<ReceivedSpan> before = trace.spans();
    var ids = trace.spanIds();
    trace.judged();
    trace.pack();
    assertThat(trace.spans()).isEqualTo(before);
    assertThat(trace.spanIds()).isEqualTo(ids);
    for (ReceivedSpan s : before) {
      assertThat(trace.hasSpan(s.spanId())).isTrue();
    }
    assertThat(trace.hasSpan("nope")).isFalse();
    assertThat(trace.spanCount()).isEqualTo(20);
  }

  private static ReceivedSpan span(SplittableRandom random, String traceId) {
    Map<String, String> attributes;
    int count = random.nextInt(12);
    String[] keys = new String[count];
    String[] values = new String[count];
    for (int a = 0; a < count; a++) {
      keys[a] = random.nextInt(5) == 0 ? "ключ" + a : "key." + random.nextInt(15);
      values[a] = random.nextInt(6) == 0 ? "" : "v" + random.nextInt(100);
    }
    if (random.nextBoolean()) {
      attributes = SpanAttributes.of(keys, values, count, random.nextInt(4) == 0 ? "alice" : null);
    } else {
      attributes = new HashMap<>();
      for (int a = 0; a < count; a++) {
        attributes.put(keys[a], values[a]);
      }
    }
    List<ReceivedSpan.Link> links = new ArrayList<>();
    for (int l = random.nextInt(3); l > 0; l--) {
      links.add(
          new ReceivedSpan.Link(random.nextBoolean() ? traceId : id(random, 32), odd(random)));
    }
    return new ReceivedSpan(
        random.nextInt(20) == 0 ? id(random, 32) : traceId,
        odd(random),
        random.nextInt(3) == 0 ? null : odd(random),
        random.nextInt(10) == 0 ? "sérvice" : "svc-" + random.nextInt(3),
        SpanKind.values()[random.nextInt(SpanKind.values().length)],
        random.nextInt(8) == 0 ? "" : "name " + random.nextInt(5),
        random.nextLong(),
        random.nextLong(),
        random.nextBoolean(),
        attributes,
        links);
  }

  /** Mostly 16-digit lowercase hex; sometimes upper case, short or anything. */
  private static String odd(SplittableRandom random) {
    return switch (random.nextInt(8)) {
      case 0 -> id(random, 16).toUpperCase();
      case 1 -> id(random, 15);
      case 2 -> "not-hex-" + random.nextInt(9);
      default -> id(random, 16);
    };
  }

  private static String id(SplittableRandom random, int digits) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < digits; i++) {
      sb.append("0123456789abcdef".charAt(random.nextInt(16)));
    }
    return sb.toString();
  }
}
