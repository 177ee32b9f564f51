// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tracelab.experiments.bench.OverheadBench.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ratios of {@code ./lab bench overhead}: per pair, then the median; its order and warm-up. */
class OverheadRatioTest {

  /** A phase of 1000 orders taking {@code seconds}, with this p99. */
  private static Phase phase(int pair, boolean sdk, double seconds, double p99) {
    return new Phase(pair, sdk, 1000, 0, seconds, p99, Map.of());
  }

  @Test
  void throughputIsOnOverOffAndP99IsOffOverOnMedianOverPairs() {
    List<Phase> phases =
        List.of(
            phase(0, true, 1.25, 20), // 800/s vs 1000/s: 0.8; p99 10/20 = 0.5
            phase(0, false, 1.0, 10),
            phase(1, true, 1.0, 10), // 1000 vs 1000: 1.0; p99 10/10 = 1.0
            phase(1, false, 1.0, 10),
            phase(2, true, 2.0, 40), // 500 vs 1000: 0.5; p99 10/40 = 0.25
            phase(2, false, 1.0, 10));
    assertThat(OverheadBench.ratio(phases, true)).isCloseTo(0.8, within(1e-12));
    assertThat(OverheadBench.ratio(phases, false)).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void anEvenNumberOfPairsTakesTheMeanOfTheMiddleTwoAndAnUnpairedPhaseIsLeftOut() {
    List<Phase> phases =
        List.of(
            phase(0, true, 1.0, 10), // 1.0
            phase(0, false, 1.0, 10),
            phase(1, true, 1.25, 10), // 0.8
            phase(1, false, 1.0, 10),
            phase(2, true, 1.0, 10)); // no "off" side: left out
    assertThat(OverheadBench.ratio(phases, true)).isCloseTo(0.9, within(1e-12));
    assertThat(OverheadBench.ratio(List.of(phase(0, true, 1.0, 10)), true)).isNaN();
  }

  @Test
  void pairsAlternateTheirOrderSoADriftFavoursNeitherSide() {
    assertThat(List.of(0, 1, 2, 3).stream().map(OverheadBench::onFirst))
        .containsExactly(true, false, true, false);
  }

  @Test
  void warmUpIsSteadyWhenThroughputMovesAtMostFivePercent() {
    assertThat(OverheadBench.steady(Double.NaN, 500)).isFalse(); // the first round
    assertThat(OverheadBench.steady(500, 560)).isFalse(); // still climbing: +12%
    assertThat(OverheadBench.steady(500, 525)).isTrue();
    assertThat(OverheadBench.steady(500, 475)).isTrue();
    assertThat(OverheadBench.steady(500, 470)).isFalse();
  }

  @Test
  void bothLabsWarmUpTheSameRoundsUntilBothAreSteady() {
    // SDK off: steady from round 3; SDK on: still climbing until round 6
    double[] on = {100, 200, 300, 400, 500, 510, 900};
    double[] off = {100, 200, 205, 206, 207, 208, 900};
    int[] ran = {0, 0};
    List<String> printed = new ArrayList<>();
    int rounds =
        OverheadBench.warmUp(
            10,
            sdk -> {
              int i = ran[sdk ? 0 : 1]++;
              return new Phase(-1, sdk, 1000, 0, 1000 / (sdk ? on[i] : off[i]), 10, Map.of());
            },
            (round, p, steady) -> printed.add(round + (p.sdk() ? " on " : " off ") + steady));
    assertThat(rounds).isEqualTo(6);
    assertThat(ran).containsExactly(6, 6);
    assertThat(printed)
        .containsExactly(
            "1 on false",
            "1 off false",
            "2 on false",
            "2 off false",
            "3 on false",
            "3 off true",
            "4 on false",
            "4 off true",
            "5 on false",
            "5 off true",
            "6 on true",
            "6 off true");
    // never steady: stops at the limit, both labs the same rounds
    int[] limited = {0, 0};
    assertThat(
            OverheadBench.warmUp(
                4,
                sdk ->
                    new Phase(-1, sdk, 1000, 0, 1.0 / (1 + limited[sdk ? 0 : 1]++), 10, Map.of()),
                (round, p, steady) -> {}))
        .isEqualTo(4);
    assertThat(limited).containsExactly(4, 4);
  }

  @Test
  void aPhasesCpuPutsTheCompilerThreadsUnderJitAndLeavesThemOutOfTheirProcess() {
    OverheadBench.CompilerThread gatewayC2 = new OverheadBench.CompilerThread(10, 11);
    OverheadBench.CompilerThread gatewayC1 = new OverheadBench.CompilerThread(10, 12);
    OverheadBench.CompilerThread kafkaC2 = new OverheadBench.CompilerThread(20, 21);
    OverheadBench.CompilerThread kafkaNew = new OverheadBench.CompilerThread(20, 22);
    OverheadBench.Cpu before =
        new OverheadBench.Cpu(
            Map.of("gateway-svc", 5.0, "kafka", 8.0),
            Map.of(gatewayC2, 1.0, gatewayC1, 0.5, kafkaC2, 2.0));
    // gateway: +3.0 s of which its C2 +0.6; its C1 ended (idle: HotSpot stops it) and stays in
    // the gateway's figure; kafka: +2.0 s of which its C2 +0.3 and a new compiler thread 0.1
    OverheadBench.Cpu after =
        new OverheadBench.Cpu(
            Map.of("gateway-svc", 8.0, "kafka", 10.0),
            Map.of(gatewayC2, 1.6, kafkaC2, 2.3, kafkaNew, 0.1));
    Map<String, Double> used =
        OverheadBench.used(before, after, Map.of(10L, "gateway-svc", 20L, "kafka"));
    assertThat(used).containsOnlyKeys("gateway-svc", "kafka", OverheadBench.JIT);
    assertThat(used.get("gateway-svc")).isCloseTo(2.4, within(1e-9));
    assertThat(used.get("kafka")).isCloseTo(1.6, within(1e-9));
    assertThat(used.get(OverheadBench.JIT)).isCloseTo(1.0, within(1e-9));
    assertThat(
            OverheadBench.used(
                new OverheadBench.Cpu(Map.of(), Map.of()),
                new OverheadBench.Cpu(Map.of(), Map.of()),
                Map.of()))
        .isEmpty(); // nothing measured (no /proc): no row at all
  }

  @Test
  void compilerThreadsAreHotSpotsC1AndC2ByTheirTruncatedNames() {
    assertThat(OverheadBench.isCompilerThread("C2 CompilerThre")).isTrue();
    assertThat(OverheadBench.isCompilerThread("C1 CompilerThre")).isTrue();
    assertThat(OverheadBench.isCompilerThread("VM Thread")).isFalse();
    assertThat(OverheadBench.isCompilerThread("Sweeper thread")).isFalse();
    assertThat(OverheadBench.isCompilerThread("okhttp-dispatch")).isFalse();
  }

  @Test
  void cpuPerOrderSumsOneSidesMeasuredPhasesByProcessAndLeavesTheWarmUpOut() {
    List<Phase> phases =
        List.of(
            new Phase(-1, true, 1000, 0, 1, 10, Map.of("kafka", 9.0)), // warm-up: left out
            new Phase(0, true, 1000, 0, 1, 10, Map.of("kafka", 0.3, "gateway-svc", 0.2)),
            new Phase(0, false, 1000, 0, 1, 10, Map.of("kafka", 0.25, "gateway-svc", 0.1)),
            new Phase(1, true, 3000, 0, 1, 10, Map.of("kafka", 0.9, "gateway-svc", 0.6)));
    Map<String, Double> on = OverheadBench.cpuPerOrder(phases, true);
    assertThat(on).containsOnlyKeys("kafka", "gateway-svc");
    assertThat(on.get("kafka")).isCloseTo(300.0, within(1e-9)); // 1.2 s / 4000 orders
    assertThat(on.get("gateway-svc")).isCloseTo(200.0, within(1e-9));
    assertThat(OverheadBench.cpuPerOrder(phases, false).get("kafka"))
        .isCloseTo(250.0, within(1e-9));
    assertThat(OverheadBench.cpuPerOrder(List.of(phase(0, true, 1, 10)), true)).isEmpty();
  }

  @Test
  void p99IsTheNearestRank() {
    double[] sorted = new double[200];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = i + 1; // 1..200 ms
    }
    assertThat(OverheadBench.quantile(sorted, 0.99)).isEqualTo(198.0);
    assertThat(OverheadBench.quantile(new double[] {7}, 0.99)).isEqualTo(7.0);
    assertThat(OverheadBench.quantile(new double[0], 0.99)).isNaN();
  }
}
