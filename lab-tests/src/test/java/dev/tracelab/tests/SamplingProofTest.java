// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.env.tier.CollectorTier;
import dev.tracelab.experiments.sampling.SamplingExperiment;
import dev.tracelab.experiments.sampling.SamplingExperiment.Fragment;
import dev.tracelab.experiments.sampling.SamplingExperiment.Kind;
import dev.tracelab.experiments.sampling.SamplingExperiment.Outcome;
import dev.tracelab.experiments.sampling.TierProbe;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Proof of the tail-sampling tier (docs/design.md §6, docs/sampling.md) on the real collector:
 * services -> LB collector (routing by trace id, 100% copy to the auditor) -> tail-a | tail-b ->
 * Zipkin, all real processes on loopback. Skipped (assumption) when the collector binary or the
 * Zipkin jar is not there; CI builds/fetches them first (compose/collector/build-collector.sh,
 * fetch-zipkin.sh).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SamplingProofTest {

  static final int BASELINE = 2000;
  static final double P = 0.01;
  static final int THRESHOLD_MS = 2000;

  private static CollectorTier tier;
  private static LabEnvironment env;
  private static SamplingExperiment experiment;

  @BeforeAll
  static void startTier() {
    Optional<String> missing = CollectorTier.unavailableReason();
    assumeTrue(
        missing.isEmpty(), () -> "collector tier not available, skipping: " + missing.orElse(""));
    int auditorPort = LocalHost.freePort();
    tier =
        CollectorTier.builder()
            .auditorOtlpEndpoint("http://127.0.0.1:" + auditorPort)
            .decisionWait(Duration.ofSeconds(5)) // > slow delay (2.5 s) + export delays
            .latencyThresholdMs(THRESHOLD_MS)
            .samplingPercentage(P * 100)
            .start();
    env =
        LabEnvironment.builder()
            .ports(0, 0, 0, 0, auditorPort, 0)
            .quietWindow(Duration.ofSeconds(5)) // > the slow order's 2.5 s gap between spans
            .otlpEndpoint(tier.lbOtlpEndpoint())
            .start();
    System.out.printf(
        "collector tier up in %d ms (collectors %d ms), lab up in %d ms%n",
        tier.startupTime().toMillis(),
        tier.collectorsStartupTime().toMillis(),
        env.startupTime().toMillis());
    experiment = new SamplingExperiment(env, tier).concurrency(16).slowDelayMs(THRESHOLD_MS + 500);
  }

  @AfterAll
  static void stopTier() {
    if (env != null) {
      env.close();
    }
    if (tier != null) {
      Map<String, Long> pids = tier.pids();
      Path runDir = tier.runDir();
      tier.close();
      // nothing outlives close(): no child process, no run directory
      assertThat(pids).hasSize(4);
      pids.forEach(
          (name, pid) ->
              assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                  .as("%s (pid %d) alive", name, pid)
                  .isFalse());
      assertThat(Files.exists(runDir)).as("run dir %s exists", runDir).isFalse();
    }
  }

  @Test
  @Order(1)
  void fixedErrorAndSlowKeptWholeBaselineNearOnePercentRoutedByTraceId() {
    SamplingExperiment.Result r = experiment.run(Scenario.FIXED, BASELINE, true, true, n -> {});

    assertThat(r.failedRequests()).isZero();
    assertThat(r.runTraceIds()).hasSize(BASELINE + 2); // fixed: one trace per request

    // the error trace and the slow trace: kept, whole — one trace, the six spans of docs/design.md
    // §2
    for (Kind kind : List.of(Kind.ERROR, Kind.SLOW)) {
      List<Outcome> outcomes = r.of(kind);
      assertThat(outcomes).as(kind.id()).hasSize(1);
      Outcome o = outcomes.get(0);
      assertThat(o.fragments()).as("%s fragments", kind.id()).hasSize(1);
      Fragment f = o.fragments().get(0);
      assertThat(f.traceId()).isEqualTo(o.traceId());
      assertThat(f.zipkinSpans()).as("%s spans in Zipkin", kind.id()).isEqualTo(Flow.SPANS.size());
      assertThat(shape(f.zipkinSpanList()))
          .as("%s span shape", kind.id())
          .isEqualTo(expectedShape());
      assertThat(o.complete()).isTrue();
      assertThat(r.classes().get(kind))
          .isEqualTo(new SamplingExperiment.ClassSummary(kind, 1, 1, true));
    }
    Fragment error = r.of(Kind.ERROR).get(0).fragments().get(0);
    assertThat(
            error.zipkinSpanList().stream()
                .filter(TierProbe.ZipkinSpan::error)
                .map(s -> s.service() + " " + s.kind()))
        .containsExactly(Flow.CONSUMER + " CONSUMER");
    Fragment slow = r.of(Kind.SLOW).get(0).fragments().get(0);
    assertThat(slow.zipkinError()).isFalse();
    assertThat(
            slow.zipkinSpanList().stream()
                .mapToLong(TierProbe.ZipkinSpan::durationMicros)
                .max()
                .orElse(0))
        .as("longest span of the slow trace, µs")
        .isGreaterThan(THRESHOLD_MS * 1000L);

    // baseline: every kept trace whole. A baseline trace that really took longer than the
    // threshold (queueing under load) must be kept by the latency policy; the others can only be
    // kept by the 1% coin: their kept count lies in the exact 99.9% two-sided binomial interval.
    SamplingExperiment.ClassSummary baseline = r.classes().get(Kind.BASELINE);
    assertThat(baseline.sent()).isEqualTo(BASELINE);
    assertThat(r.of(Kind.BASELINE).stream().filter(Outcome::kept))
        .allSatisfy(o -> assertThat(o.complete()).isTrue());
    List<Outcome> fast = r.fastBaseline(THRESHOLD_MS);
    List<Outcome> slowUnderLoad =
        r.of(Kind.BASELINE).stream().filter(o -> !fast.contains(o)).toList();
    assertThat(slowUnderLoad)
        .allSatisfy(
            o ->
                assertThat(o.kept())
                    .as("baseline %s took %d ms", o.traceId(), o.fragments().get(0).durationMs())
                    .isTrue());
    assertThat(fast.size())
        .as("baseline traces within the threshold")
        .isGreaterThanOrEqualTo(BASELINE / 2);
    int[] bounds = binomialAcceptance(fast.size(), P, 0.001);
    long fastKept = fast.stream().filter(Outcome::kept).count();
    System.out.printf(
        Locale.ROOT,
        "baseline kept %d of %d (%.2f%%); by the coin %d of %d fast traces, accepted range [%d, %d];"
            + " %d slower than %d ms under load, all kept%n",
        baseline.kept(),
        baseline.sent(),
        baseline.keptShare() * 100,
        fastKept,
        fast.size(),
        bounds[0],
        bounds[1],
        slowUnderLoad.size(),
        THRESHOLD_MS);
    assertThat(fastKept).isBetween((long) bounds[0], (long) bounds[1]);

    // what Zipkin holds is exactly what the tails exported: the union of their "kept" files
    Set<String> keptInZipkin =
        r.outcomes().stream()
            .filter(Outcome::kept)
            .map(Outcome::traceId)
            .collect(Collectors.toSet());
    Set<String> keptInFiles = new HashSet<>();
    r.instances().forEach(i -> keptInFiles.addAll(i.sampledTraceIds()));
    assertThat(keptInZipkin).isEqualTo(keptInFiles).hasSize(baseline.kept() + 2);

    // routing by trace id: every trace reached exactly one tail, both tails got some
    assertThat(r.tracesInBothInstances()).isEmpty();
    Set<String> received = new HashSet<>();
    for (SamplingExperiment.Instance i : r.instances()) {
      assertThat(i.receivedTraceIds()).as("%s received", i.name()).hasSizeGreaterThan(BASELINE / 4);
      received.addAll(i.receivedTraceIds());
    }
    assertThat(received).isEqualTo(r.runTraceIds());

    // the tails' own counters agree: 2002 new trace ids in all, all decided, none evicted early
    assertThat(
            r.instances().stream()
                .mapToLong(i -> (Long) i.metrics().get("new_trace_id_received"))
                .sum())
        .isEqualTo(BASELINE + 2);
    assertThat(r.instances().stream().mapToLong(i -> sampled(i, "sampled")).sum())
        .isEqualTo(baseline.kept() + 2);
    assertThat(r.instances().stream().mapToLong(i -> sampled(i, "notSampled")).sum())
        .isEqualTo(BASELINE - baseline.kept());
    assertThat(r.instances())
        .allSatisfy(
            i -> {
              assertThat(i.metrics().get("sampling_trace_dropped_too_early")).isEqualTo(0L);
              assertThat(i.metrics().get("sampling_traces_on_memory")).isEqualTo(0L);
            });
  }

  /**
   * broken-kafka: the consumer starts a new trace, so a failing order is two traces — {1..5}
   * (gateway, worker) and {6} (the consumer, ERROR). The sampler decides per trace id: it keeps the
   * ERROR fragment and drops the other. To make "drops" exact rather than 99% likely, the tails are
   * restarted with the probabilistic policy at 0% for this test (errors and latency policies
   * unchanged); the baseline coin then cannot keep the gateway/worker fragment.
   */
  @Test
  @Order(2)
  void brokenKafkaKeepsOnlyTheErrorFragment() {
    tier.restartTails(0);
    SamplingExperiment.Result r = experiment.run(Scenario.BROKEN_KAFKA, 0, true, false, n -> {});

    assertThat(r.failedRequests()).isZero();
    Outcome o = r.of(Kind.ERROR).get(0);
    // what the auditor (100% copy, before sampling) saw: two fragments, 5 + 1 spans
    assertThat(o.fragments()).extracting(Fragment::auditorSpans).containsExactly(5, 1);
    Fragment gatewayWorker = o.fragments().get(0);
    Fragment consumer = o.fragments().get(1);
    assertThat(gatewayWorker.traceId()).isEqualTo(o.traceId());
    assertThat(gatewayWorker.auditorError()).isFalse();
    assertThat(consumer.auditorError()).isTrue();

    // what the sampler kept: the lone consumer span, ERROR — and nothing of gateway and worker
    assertThat(consumer.zipkinSpanList())
        .extracting(
            s -> s.service() + " " + s.kind() + " " + s.name() + " " + (s.error() ? "ERROR" : "OK"))
        .containsExactly(
            Flow.CONSUMER + " CONSUMER " + Flow.PROCESS.toLowerCase(Locale.ROOT) + " ERROR");
    assertThat(consumer.zipkinSpanList().get(0).parentId()).as("parent of the kept span").isNull();
    assertThat(gatewayWorker.zipkinSpans()).as("gateway/worker spans in Zipkin").isZero();
    assertThat(experiment.probe().zipkinTrace(gatewayWorker.traceId())).isEmpty();
    assertThat(r.classes().get(Kind.ERROR))
        .isEqualTo(new SamplingExperiment.ClassSummary(Kind.ERROR, 1, 1, false));

    // both fragments reached the samplers (each on one tail); only the ERROR one was exported
    Set<String> received = new HashSet<>();
    Set<String> kept = new HashSet<>();
    r.instances()
        .forEach(
            i -> {
              received.addAll(i.receivedTraceIds());
              kept.addAll(i.sampledTraceIds());
            });
    assertThat(received).containsExactlyInAnyOrder(gatewayWorker.traceId(), consumer.traceId());
    assertThat(kept).containsExactly(consumer.traceId());
    assertThat(r.instances().stream().mapToLong(i -> sampled(i, "sampled")).sum()).isEqualTo(1);
    assertThat(r.instances().stream().mapToLong(i -> sampled(i, "notSampled")).sum()).isEqualTo(1);
  }

  @SuppressWarnings("unchecked")
  private static long sampled(SamplingExperiment.Instance i, String key) {
    return ((Map<String, Long>) i.metrics().get("global_count_traces_sampled")).get(key);
  }

  /** service/kind/name of each span (Zipkin lower-cases names; INTERNAL has no kind there). */
  private static Set<String> shape(List<TierProbe.ZipkinSpan> spans) {
    return spans.stream()
        .map(s -> s.service() + "/" + s.kind() + "/" + s.name())
        .collect(Collectors.toSet());
  }

  private static Set<String> expectedShape() {
    return Flow.SPANS.stream()
        .map(
            (ExpectedSpan e) ->
                e.service() + "/" + e.kind() + "/" + e.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.toSet());
  }

  /**
   * The two-sided acceptance region [lo, hi] of Binomial(n, p) at level alpha: P(X < lo) <= alpha/2
   * and P(X > hi) <= alpha/2, computed exactly from the pmf.
   */
  static int[] binomialAcceptance(int n, double p, double alpha) {
    double[] pmf = new double[n + 1];
    for (int k = 0; k <= n; k++) {
      pmf[k] = Math.exp(logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
    }
    int lo = 0;
    double below = 0;
    while (below + pmf[lo] <= alpha / 2) {
      below += pmf[lo++];
    }
    int hi = n;
    double above = 0;
    while (above + pmf[hi] <= alpha / 2) {
      above += pmf[hi--];
    }
    return new int[] {lo, hi};
  }

  private static double logChoose(int n, int k) {
    double s = 0;
    for (int i = 1; i <= k; i++) {
      s += Math.log(n - k + i) - Math.log(i);
    }
    return s;
  }
}
