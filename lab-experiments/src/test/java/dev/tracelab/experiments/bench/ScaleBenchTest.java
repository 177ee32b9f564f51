// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lab bench scale} end to end, small: the lab's collector (the real binary, {@code
 * scale.yaml}) balancing by trace id over three auditors (child JVMs), the same requests to one
 * auditor, and the three reports merged equal the single one exactly — although the two ends of
 * almost every broken edge sit on different auditors. Skipped without the collector binary
 * (compose/collector/build-collector.sh), unless {@code -Dtracelab.containers=required} (CI, which
 * builds it), where it fails.
 */
class ScaleBenchTest {

  private static final long REQUESTS = 400;

  @TempDir Path dir;

  @Test
  void threeAuditorsBehindTheCollectorMergeIntoExactlyWhatOneAuditorReports() {
    String missing = ScaleBench.unavailableReason();
    if (missing != null && "required".equals(System.getProperty("tracelab.containers"))) {
      throw new AssertionError("-Dtracelab.containers=required, but " + missing);
    }
    assumeTrue(missing == null, () -> "no collector binary, skipping: " + missing);

    ScaleBench.Result r =
        new ScaleBench().auditors(3).requests(REQUESTS).quietMs(300).runDir(dir).run();

    IngestWorkload w = IngestWorkload.withBrokenEdges();
    long broken = w.brokenHttpTraces(REQUESTS);
    assertThat(broken).isEqualTo(50);
    assertThat(w.brokenKafkaTraces(REQUESTS)).isEqualTo(50);
    assertThat(w.brokenHttpTraces(401)).isEqualTo(51);
    assertThat(w.brokenKafkaTraces(401)).isEqualTo(50);
    assertThat(w.brokenKafkaTraces(405)).isEqualTo(51);
    assertThat(r.single().requests()).isEqualTo(REQUESTS);
    assertThat(r.scaled().requests()).isEqualTo(REQUESTS);
    assertThat(r.single().errors()).isZero();
    assertThat(r.scaled().errors()).isZero();
    assertThat(r.scaled().spansPerAuditor().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(REQUESTS * w.spansPerRequest());
    assertThat(r.scaled().spansPerAuditor()).allSatisfy(n -> assertThat(n).isPositive());

    AuditReport single = r.singleReport();
    // every request's traces, plus the trace each broken boundary split off
    assertThat(single.traces())
        .isEqualTo(REQUESTS * IngestWorkload.TRACES_PER_REQUEST + 2 * broken);
    assertThat(single.connectedTraces())
        .isEqualTo(REQUESTS * IngestWorkload.TRACES_PER_REQUEST - 2 * broken);
    assertThat(single.brokenEdges())
        .extracting(BrokenEdge::from, BrokenEdge::to, BrokenEdge::count)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("gateway-svc", "worker-svc", broken),
            org.assertj.core.groups.Tuple.tuple("worker-svc", "consumer-svc", broken));
    // no auditor alone sees every pair: the ends sit on different auditors
    for (AuditReport part : r.scaled().reports()) {
      assertThat(part.brokenEdges().stream().mapToLong(BrokenEdge::count).sum()).isLessThan(broken);
    }

    assertThat(r.differences()).isEmpty();
    assertThat(r.equal()).isTrue();
    assertThat(r.merged().traces()).isEqualTo(single.traces());
    assertThat(r.merged().connectedTraces()).isEqualTo(single.connectedTraces());
    assertThat(r.merged().services()).isEqualTo(single.services());
    assertThat(r.merged().brokenEdges())
        .extracting(BrokenEdge::from, BrokenEdge::to, BrokenEdge::count)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("gateway-svc", "worker-svc", broken),
            org.assertj.core.groups.Tuple.tuple("worker-svc", "consumer-svc", broken));
  }
}
