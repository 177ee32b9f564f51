// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.tier;

import dev.tracelab.env.process.ChildProcess;
import dev.tracelab.env.process.LocalHost;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One tail-sampling collector ({@code tail.yaml} plus the received-spans overlay). Its ports stay
 * the same across restarts ({@link #restart}), so the LB in front keeps its endpoints; each
 * generation writes fresh files.
 */
final class TailCollector {

  /** The policies' knobs, the same for both instances. */
  record Policies(
      Duration decisionWait,
      int latencyThresholdMs,
      double samplingPercentage,
      Map<String, String> extraEnv) {}

  private final Ports ports;
  private final CollectorTier.Tail tail;
  private final ChildProcess process;

  private record Ports(String name, int grpc, int health, int metrics) {}

  private TailCollector(Ports ports, CollectorTier.Tail tail, ChildProcess process) {
    this.ports = ports;
    this.tail = tail;
    this.process = process;
  }

  /**
   * Launches instance {@code name} on free ports; {@link #process()}'s awaitReady waits for health.
   */
  static TailCollector start(
      String name,
      Path collectorBin,
      Path tailYaml,
      Path runDir,
      Policies policies,
      String zipkinUrl,
      Duration startTimeout,
      Duration stopGrace) {
    Ports ports = new Ports(name, LocalHost.freePort(), LocalHost.freePort(), LocalHost.freePort());
    return launch(
        ports, 1, collectorBin, tailYaml, runDir, policies, zipkinUrl, startTimeout, stopGrace);
  }

  /** Stops this one and launches the next generation on the same ports. */
  TailCollector restart(
      int generation,
      Path collectorBin,
      Path tailYaml,
      Path runDir,
      Policies policies,
      String zipkinUrl,
      Duration startTimeout,
      Duration stopGrace) {
    process.stop(stopGrace);
    return launch(
        ports,
        generation,
        collectorBin,
        tailYaml,
        runDir,
        policies,
        zipkinUrl,
        startTimeout,
        stopGrace);
  }

  private static TailCollector launch(
      Ports ports,
      int generation,
      Path collectorBin,
      Path tailYaml,
      Path runDir,
      Policies policies,
      String zipkinUrl,
      Duration startTimeout,
      Duration stopGrace) {
    String base = "tail-" + ports.name() + "-" + generation;
    Path sampled = runDir.resolve(base + ".sampled.json");
    Path received = runDir.resolve(base + ".received.json");
    Path overlay =
        CollectorConfigs.receivedOverlay(runDir.resolve(base + ".received.yaml"), received);
    String host = CollectorTier.HOST;
    Map<String, String> env = new LinkedHashMap<>();
    env.put("BIND_HOST", host);
    env.put("TAIL_NAME", ports.name());
    env.put("TAIL_OTLP_GRPC_PORT", String.valueOf(ports.grpc()));
    env.put("TAIL_HEALTH_PORT", String.valueOf(ports.health()));
    env.put("TAIL_METRICS_PORT", String.valueOf(ports.metrics()));
    env.put("TAIL_FILE", sampled.toString());
    env.put("TAIL_DECISION_WAIT", policies.decisionWait().toMillis() + "ms");
    env.put("TAIL_LATENCY_THRESHOLD_MS", String.valueOf(policies.latencyThresholdMs()));
    env.put("TAIL_SAMPLING_PERCENTAGE", format(policies.samplingPercentage()));
    env.put("ZIPKIN_ENDPOINT", zipkinUrl + "/api/v2/spans");
    env.putAll(policies.extraEnv());
    ChildProcess process =
        ChildProcess.builder(
                "tail-" + ports.name(),
                List.of(collectorBin.toString(), "--config=" + tailYaml, "--config=" + overlay))
            .env(env)
            .log(runDir.resolve(base + ".log"))
            .healthUrl(URI.create("http://" + host + ":" + ports.health() + "/"))
            .startTimeout(startTimeout)
            .stopGrace(stopGrace)
            .start();
    CollectorTier.Tail tail =
        new CollectorTier.Tail(
            ports.name(),
            ports.grpc(),
            ports.health(),
            URI.create("http://" + host + ":" + ports.metrics() + "/metrics"),
            sampled,
            received);
    return new TailCollector(ports, tail, process);
  }

  CollectorTier.Tail tail() {
    return tail;
  }

  ChildProcess process() {
    return process;
  }

  /** host:port of its OTLP/gRPC receiver (the LB's static resolver entry). */
  String grpcEndpoint() {
    return CollectorTier.HOST + ":" + ports.grpc();
  }

  private static String format(double percentage) {
    return percentage == Math.rint(percentage)
        ? String.valueOf((long) percentage)
        : String.format(Locale.ROOT, "%s", percentage);
  }
}
