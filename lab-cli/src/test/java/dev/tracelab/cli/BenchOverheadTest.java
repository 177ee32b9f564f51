// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CPU table's rows of {@code ./lab bench overhead}. */
class BenchOverheadTest {

  @Test
  void aRowGivesOnOffTheirDifferenceAndTheirRatio() {
    assertThat(BenchOverhead.cpuRow("gateway-svc", 409.4, 366.2))
        .isEqualTo("| gateway-svc | 409 | 366 | +43 | 1.118 |" + System.lineSeparator());
    assertThat(BenchOverhead.cpuRow("JIT compilers", 94, 135))
        .isEqualTo("| JIT compilers | 94 | 135 | -41 | 0.696 |" + System.lineSeparator());
  }

  @Test
  void aRowWithNothingOffHasNoRatio() {
    // go/node/go: no Java service, and the Kafka broker compiled its code during the warm-up
    assertThat(BenchOverhead.cpuRow("JIT compilers", 1, 0))
        .isEqualTo("| JIT compilers | 1 | 0 | +1 | - |" + System.lineSeparator());
  }

  @Test
  void theRowsComeInFlowOrderThenTheBrokerThenTheJitThenTheRest() {
    // measured in whatever order the processes were read (this one is from a real run)
    Set<String> on =
        new java.util.LinkedHashSet<>(
            java.util.List.of(
                "JIT compilers", "kafka", "consumer-svc", "worker-svc", "gateway-svc"));
    assertThat(BenchOverhead.rows(on, Set.of("sidecar", "kafka")))
        .containsExactly(
            "gateway-svc", "worker-svc", "consumer-svc", "kafka", "JIT compilers", "sidecar");
  }
}
