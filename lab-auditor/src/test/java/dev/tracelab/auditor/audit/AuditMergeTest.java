// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.orphans.AuditMerge;
import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.SpanSelector;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Scale-out (docs/design.md §11.4): the traffic split by trace id over three auditors, as the
 * Collector's loadbalancing exporter does, and their reports merged equal one auditor's report of
 * the same traffic — broken edges included, although each edge's two ends sit on different
 * auditors.
 */
class AuditMergeTest {

  private static final FlowSpec ENTRY =
      FlowSpec.entryOnly(List.of(new SpanSelector("web", SpanKind.SERVER, null)));
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final int N = 60;

  private static AuditReport audit(List<ReceivedSpan> spans) {
    return audit(spans, "entry", ENTRY);
  }

  private static AuditReport audit(List<ReceivedSpan> spans, String mode, FlowSpec spec) {
    try (Auditor auditor = Auditor.builder().setAuditMode(mode, spec).build()) {
      auditor.assembler().accept(spans);
      auditor.closeAll();
      return auditor.auditReport(true);
    }
  }

  @Test
  void threeAuditorsBehindATraceIdBalancerMergeIntoWhatOneAuditorSees() throws Exception {
    ThirdPartySystem system = new ThirdPartySystem();
    system.breakPayments = true;
    system.breakReceipts = true;
    system.breakBackground = true;
    List<ReceivedSpan> spans = system.requests(N);

    AuditReport single = audit(spans);
    List<List<ReceivedSpan>> shards =
        List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (ReceivedSpan s : spans) {
      shards.get(Math.floorMod(s.traceId().hashCode(), 3)).add(s); // routing_key: traceID
    }
    List<AuditReport> reports = new ArrayList<>();
    for (List<ReceivedSpan> shard : shards) {
      assertThat(shard).isNotEmpty();
      // through JSON, as `audit merge` reads the files the auditors wrote
      reports.add(JSON.readValue(JSON.writeValueAsString(audit(shard)), AuditReport.class));
    }
    // the ends of most broken edges are on different auditors: no shard alone sees them all
    assertThat(reports)
        .allSatisfy(
            r ->
                assertThat(r.brokenEdges().stream().mapToLong(BrokenEdge::count).sum())
                    .isLessThan(3L * N));

    AuditReport merged =
        AuditMerge.merge(reports, ENTRY, Duration.ofMillis(100), Duration.ofMinutes(10));

    assertThat(merged.traces()).isEqualTo(single.traces());
    assertThat(merged.connectedTraces()).isEqualTo(single.connectedTraces());
    assertThat(merged.services()).containsExactlyInAnyOrderEntriesOf(single.services());
    assertThat(merged.diagnoses()).containsExactlyInAnyOrderElementsOf(single.diagnoses());
    assertThat(merged.brokenEdges())
        .extracting(
            BrokenEdge::label,
            BrokenEdge::count,
            BrokenEdge::likely,
            BrokenEdge::side,
            BrokenEdge::fix)
        .containsExactlyInAnyOrderElementsOf(
            single.brokenEdges().stream()
                .map(
                    e ->
                        org.assertj.core.groups.Tuple.tuple(
                            e.label(), e.count(), e.likely(), e.side(), e.fix()))
                .toList());
    assertThat(merged.brokenEdges()).extracting(BrokenEdge::count).containsOnly((long) N);
    assertThat(merged.pending().roots()).isEmpty();
    assertThat(merged.pending().asyncRoots()).isEmpty();
  }

  /**
   * The lab's flow, correlated by {@code app.order_id}, broken at the Kafka boundary: {1..5} and
   * {6} are two traces, here always on two different auditors. The auditor holding the consumer's
   * root alone sees no producer of its request and judges it {@code no-context} (not an orphan);
   * the merge, finding the request's unanswered producer pending on another auditor, counts it as
   * the Kafka orphan one auditor counts, and pairs it.
   */
  @Test
  void aConsumerRootWhoseProducerSitsOnAnotherAuditorMergesAsTheKafkaOrphanOneAuditorSees()
      throws Exception {
    FlowSpec lab = dev.tracelab.auditor.lab.LabFlowSpecs.JAVA;
    List<ReceivedSpan> spans = new ArrayList<>();
    List<List<ReceivedSpan>> shards =
        List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int i = 0; i < N; i++) {
      String order = "order-" + i;
      String main = dev.tracelab.auditor.Spans.pad(Integer.toHexString(0x1000 + i), 32);
      String split = dev.tracelab.auditor.Spans.pad(Integer.toHexString(0x9000 + i), 32);
      long base = 1_700_000_000_000_000_000L + i * 50_000_000L;
      for (dev.tracelab.flow.ExpectedSpan e : dev.tracelab.flow.Flow.SPANS) {
        boolean consumer = e.kind() == SpanKind.CONSUMER;
        long start = base + e.step() * 1_000_000L;
        ReceivedSpan s =
            new ReceivedSpan(
                consumer ? split : main,
                dev.tracelab.auditor.Spans.pad(Integer.toHexString(i * 16 + e.step()), 16),
                consumer || e.isRoot()
                    ? null
                    : dev.tracelab.auditor.Spans.pad(
                        Integer.toHexString(i * 16 + e.parentStep()), 16),
                e.service(),
                e.kind(),
                e.name(),
                start,
                start + 10_000_000L - e.step() * 1_000_000L,
                false,
                java.util.Map.of("app.order_id", order, "messaging.system", "kafka"));
        spans.add(s);
        shards.get((i + (consumer ? 1 : 0)) % 3).add(s);
      }
    }
    AuditReport single = audit(spans, "spec", lab);
    assertThat(single.brokenEdges())
        .extracting(BrokenEdge::from, BrokenEdge::to, BrokenEdge::count)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("worker-svc", "consumer-svc", (long) N));
    assertThat(single.services().get("consumer-svc").orphanRoots()).isEqualTo(N);

    List<AuditReport> reports = new ArrayList<>();
    for (List<ReceivedSpan> shard : shards) {
      AuditReport r = audit(shard, "spec", lab);
      // alone, each auditor sees messages produced outside the flow: no orphan, no edge
      assertThat(r.brokenEdges()).isEmpty();
      assertThat(r.services().get("consumer-svc").orphanRoots()).isZero();
      assertThat(r.diagnoses())
          .extracting(ScenarioReport.DiagnosisCount::boundary)
          .containsOnly(dev.tracelab.auditor.orphans.OrphanRules.NO_CONTEXT);
      reports.add(JSON.readValue(JSON.writeValueAsString(r), AuditReport.class));
    }

    AuditReport merged =
        AuditMerge.merge(reports, lab, Duration.ofMillis(100), Duration.ofMinutes(10));

    assertThat(merged.traces()).isEqualTo(single.traces()).isEqualTo(2L * N);
    assertThat(merged.connectedTraces()).isEqualTo(single.connectedTraces()).isZero();
    assertThat(merged.services()).containsExactlyInAnyOrderEntriesOf(single.services());
    assertThat(merged.diagnoses()).containsExactlyInAnyOrderElementsOf(single.diagnoses());
    assertThat(merged.brokenEdges())
        .extracting(
            BrokenEdge::label,
            BrokenEdge::count,
            BrokenEdge::likely,
            BrokenEdge::side,
            BrokenEdge::fix)
        .containsExactlyInAnyOrderElementsOf(
            single.brokenEdges().stream()
                .map(
                    e ->
                        org.assertj.core.groups.Tuple.tuple(
                            e.label(), e.count(), e.likely(), e.side(), e.fix()))
                .toList());
    assertThat(merged.pending().calls()).isEmpty();
  }
}
