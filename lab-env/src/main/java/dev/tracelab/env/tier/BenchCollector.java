// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.tier;

import dev.tracelab.env.process.ChildProcess;
import dev.tracelab.env.process.LocalHost;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The collector side of {@code ./lab bench ingest}: the lab collector running {@code
 * compose/collector/bench.yaml} (OTLP/HTTP in, memory_limiter, tail_sampling with a decision wait,
 * batch, the debug exporter), on free loopback ports, optionally pinned to CPUs with {@code
 * taskset}. A supervised child process ({@link ChildProcess}): it never outlives this JVM.
 */
public final class BenchCollector implements AutoCloseable {

  static final String CONFIG = "bench.yaml";

  private final ChildProcess process;
  private final int otlpHttpPort;
  private final int metricsPort;

  private BenchCollector(ChildProcess process, int otlpHttpPort, int metricsPort) {
    this.process = process;
    this.otlpHttpPort = otlpHttpPort;
    this.metricsPort = metricsPort;
  }

  /**
   * Starts the collector and waits for its health check.
   *
   * @param pin the command that pins it ({@code taskset -c 1}), empty for none
   * @param env extra environment, e.g. {@code BENCH_DECISION_WAIT}, {@code GOMAXPROCS}
   */
  public static BenchCollector start(
      Path runDir, List<String> pin, Map<String, String> env, Duration startTimeout) {
    Path bin = TierArtifacts.collectorBinary();
    Path config = CollectorConfigs.write(runDir, CONFIG);
    int http = LocalHost.freePort();
    int health = LocalHost.freePort();
    int metrics = LocalHost.freePort();
    Map<String, String> all = new LinkedHashMap<>();
    all.put("BIND_HOST", CollectorTier.HOST);
    all.put("BENCH_OTLP_HTTP_PORT", String.valueOf(http));
    all.put("BENCH_HEALTH_PORT", String.valueOf(health));
    all.put("BENCH_METRICS_PORT", String.valueOf(metrics));
    all.putAll(env);
    List<String> command = new ArrayList<>(pin);
    command.add(bin.toString());
    command.add("--config=" + config);
    ChildProcess process =
        ChildProcess.builder("bench-collector", command)
            .env(all)
            .log(runDir.resolve("bench-collector.log"))
            .healthUrl(URI.create("http://" + CollectorTier.HOST + ":" + health + "/"))
            .startTimeout(startTimeout)
            .stopGrace(Duration.ofSeconds(5))
            .start()
            .awaitReady();
    return new BenchCollector(process, http, metrics);
  }

  /** Why the collector cannot run here (no binary), or null when it can. */
  public static String unavailableReason() {
    try {
      TierArtifacts.collectorBinary();
      return null;
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  /** Base URL of its OTLP/HTTP receiver ({@code /v1/traces} is appended by senders). */
  public URI otlpHttpEndpoint() {
    return URI.create("http://" + CollectorTier.HOST + ":" + otlpHttpPort);
  }

  public int otlpHttpPort() {
    return otlpHttpPort;
  }

  /** Its self-metrics (Prometheus text). */
  public URI metricsUrl() {
    return URI.create("http://" + CollectorTier.HOST + ":" + metricsPort + "/metrics");
  }

  public ChildProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.close();
  }
}
