// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.env.tier.CollectorTier;
import dev.tracelab.experiments.longrun.LongRunExperiment;
import dev.tracelab.experiments.longrun.LongRunExperiment.Phase;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Variant;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The long-running trace on the real collector tier, at CI scale (docs/long-running.md; {@code
 * ./lab longrun} runs it at full scale): a 6 s decision_wait and 15 s of steady traffic per phase,
 * 100% baseline so that only lineage and timing decide what is kept whole. Before (consumer {@code
 * lifecycle}): every process span lands in the subscription's one trace, which grows with the run
 * (exactly one span per order) and is decided on its first 6 s: the rest arrive late. After
 * (consumer {@code lifecycle-fixed}): every request is one trace of the flow's six spans, none
 * late, every one kept whole. The tail collectors' RSS is printed, not asserted (a Go heap on a
 * shared box is too noisy to bound in a few seconds).
 */
class LongRunTest {

  static final Duration DECISION_WAIT = Duration.ofSeconds(6);
  static final Duration RUN = Duration.ofSeconds(15);
  static final int RATE = 10;

  private static CollectorTier tier;
  private static LabEnvironment env;

  @BeforeAll
  static void start() {
    Optional<String> missing = CollectorTier.unavailableReason();
    assumeTrue(
        missing.isEmpty(), () -> "collector tier not available, skipping: " + missing.orElse(""));
    int auditorPort = LocalHost.freePort();
    tier =
        CollectorTier.builder()
            .auditorOtlpEndpoint("http://127.0.0.1:" + auditorPort)
            .decisionWait(DECISION_WAIT)
            .samplingPercentage(100)
            .start();
    env =
        LabEnvironment.builder()
            .ports(0, 0, 0, 0, auditorPort, 0)
            .quietWindow(DECISION_WAIT)
            .otlpEndpoint(tier.lbOtlpEndpoint())
            .start();
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
    if (tier != null) {
      tier.close();
    }
  }

  @Test
  void theLifecycleTraceGrowsWithTheRunAndArrivesLateThePerRecordTracesAreBoundedAndKeptWhole()
      throws Exception {
    LongRunExperiment experiment =
        new LongRunExperiment(
            env,
            tier,
            new LongRunExperiment.Settings(DECISION_WAIT, RUN, RATE, 100),
            System.out::println);
    Phase before = experiment.phase("before", Variant.LIFECYCLE);
    Phase after = experiment.phase("after", Variant.LIFECYCLE_FIXED);
    for (Phase p : new Phase[] {before, after}) {
      System.out.printf(
          Locale.ROOT,
          "%s: accepted %d, late spans %d, largest trace %d spans (%s), kept whole %d,"
              + " longest request trace %d ms, tail RSS peak %.1f MiB, final %.1f MiB, slope %.1f MiB/min %s%n",
          p.name(),
          p.accepted(),
          p.lateSpans(),
          p.largestTraceSpans(),
          p.largestTrace(),
          p.tracesKeptWhole(),
          p.longestRequestTraceMs(),
          p.collectorPeakRssMiB(),
          p.collectorFinalRssMiB(),
          p.rssSlopeMiBPerMin(),
          p.tails());
    }
    int orders = RATE * (int) RUN.toSeconds();

    assertThat(before.accepted()).isEqualTo(orders);
    // one trace holds one process span per order of the run: it grows with the run's length
    assertThat(before.largestTraceSpans()).isEqualTo(orders);
    assertThat(before.largestTrace().auditorSpans()).isEqualTo(orders);
    // decided on its first decision_wait; what came after is late (and rides on that decision)
    assertThat(before.lateSpans()).isPositive().isLessThan(orders);
    assertThat(before.largestTrace().keptSpans())
        .isEqualTo(orders); // 100%: kept, late spans included
    // no request is one trace: its process span sits in the subscription's trace
    assertThat(before.tracesKeptWhole()).isZero();

    assertThat(after.accepted()).isEqualTo(orders);
    assertThat(after.lateSpans()).isZero();
    assertThat(after.largestTraceSpans()).isEqualTo(Flow.SPANS.size());
    assertThat(after.tracesKeptWhole()).isEqualTo(orders);
  }
}
