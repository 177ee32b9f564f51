package dev.tracelab.auditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.orphans.AuditMerge;
import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
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
    try (Auditor auditor = Auditor.builder().setAuditMode("entry", ENTRY).build()) {
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
}
