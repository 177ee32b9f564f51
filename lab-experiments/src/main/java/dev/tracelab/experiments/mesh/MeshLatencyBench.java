// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.mesh;

import dev.tracelab.env.LabEnvironment;
import dev.tracelab.experiments.scenario.HopLatency;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the Envoy sidecar adds to the gateway -> worker hop (docs/mesh.md), in one embedded lab:
 * {@code fixed} without the mesh and with it, one request at a time (no queueing in the figures),
 * each after a warm-up, in alternating rounds so that drift of a shared machine hits both alike.
 * Prints {@link HopLatency#compare} over all rounds.
 *
 * <pre>
 * java -cp "lab-cli/target/lab-cli.jar:lab-cli/target/lib/*" dev.tracelab.experiments.mesh.MeshLatencyBench [requests] [rounds]
 * </pre>
 *
 * Defaults: 200 requests per side, split over 2 rounds (plain, mesh, plain, mesh), 50 warm-up
 * requests before each measured batch. Needs Envoy (compose/mesh/install-envoy.sh).
 */
public final class MeshLatencyBench {

  private MeshLatencyBench() {}

  public static void main(String[] args) {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    run(requests, rounds, 50, System.out);
  }

  /** Runs the bench and prints its lines to {@code out}; returns {plain, mesh}. */
  public static HopLatency[] run(int requests, int rounds, int warmup, PrintStream out) {
    long t0 = System.nanoTime();
    List<String> plainOrders = new ArrayList<>();
    List<String> meshOrders = new ArrayList<>();
    HopLatency plain;
    HopLatency mesh;
    try (LabEnvironment env = LabEnvironment.builder().start()) {
      ScenarioRunner runner = new ScenarioRunner(env, 1);
      int perRound = (int) Math.ceil(requests / (double) rounds);
      for (int round = 0; round < rounds; round++) {
        int n = Math.min(perRound, requests - round * perRound);
        for (boolean withMesh : new boolean[] {false, true}) {
          env.switchTo(
              withMesh ? Implementations.JAVA.withMesh() : Implementations.JAVA, Scenario.FIXED);
          runner.run(Scenario.FIXED, warmup, i -> {});
          ScenarioRunner.Result result = runner.run(Scenario.FIXED, n, i -> {});
          (withMesh ? meshOrders : plainOrders).addAll(result.orderIds());
          out.printf(
              Locale.ROOT,
              "round %d %-12s %d requests, %d connected%n",
              round + 1,
              withMesh ? "with mesh" : "without mesh",
              n,
              result.report().connectedRequests());
        }
      }
      plain = HopLatency.of(env.auditor(), plainOrders);
      mesh = HopLatency.of(env.auditor(), meshOrders);
    }
    out.println();
    HopLatency.compare(plain, mesh).forEach(out::println);
    out.printf(
        Locale.ROOT,
        "(one request at a time, %d warm-up requests before each batch; %.0f s)%n",
        warmup,
        (System.nanoTime() - t0) / 1e9);
    return new HopLatency[] {plain, mesh};
  }
}
