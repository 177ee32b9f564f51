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
 * The collector of {@code ./lab bench scale} ({@code compose/collector/scale.yaml}): OTLP in, the
 * {@code load_balancing} exporter with {@code routing_key: traceID} and a static resolver listing
 * the auditors' OTLP/gRPC endpoints. A supervised child process ({@link ChildProcess}): it never
 * outlives this JVM.
 */
public final class ScaleCollector implements AutoCloseable {

  static final String CONFIG = "scale.yaml";

  private final ChildProcess process;
  private final int otlpHttpPort;
  private final int metricsPort;

  private ScaleCollector(ChildProcess process, int otlpHttpPort, int metricsPort) {
    this.process = process;
    this.otlpHttpPort = otlpHttpPort;
    this.metricsPort = metricsPort;
  }

  /**
   * Starts the collector in front of {@code auditors} and waits for its health check.
   *
   * @param auditors the backends, {@code host:port} of each auditor's OTLP/gRPC receiver
   * @param pin the command that pins it ({@code taskset -c 1}), empty for none
   * @param env extra environment, e.g. {@code GOMAXPROCS}
   */
  public static ScaleCollector start(
      Path runDir,
      List<String> auditors,
      List<String> pin,
      Map<String, String> env,
      Duration startTimeout) {
    if (auditors.isEmpty()) {
      throw new IllegalArgumentException("no auditor to balance over");
    }
    for (String a : auditors) {
      if (!a.matches("[A-Za-z0-9.\\-]+:\\d{1,5}")) {
        throw new IllegalArgumentException("not a host:port: " + a);
      }
    }
    Path bin = TierArtifacts.collectorBinary();
    Path config = CollectorConfigs.write(runDir, CONFIG);
    int grpc = LocalHost.freePort();
    int http = LocalHost.freePort();
    int health = LocalHost.freePort();
    int metrics = LocalHost.freePort();
    Map<String, String> all = new LinkedHashMap<>();
    all.put("BIND_HOST", CollectorTier.HOST);
    all.put("SCALE_OTLP_GRPC_PORT", String.valueOf(grpc));
    all.put("SCALE_OTLP_HTTP_PORT", String.valueOf(http));
    all.put("SCALE_HEALTH_PORT", String.valueOf(health));
    all.put("SCALE_METRICS_PORT", String.valueOf(metrics));
    all.put("SCALE_AUDITORS", resolverList(auditors));
    all.putAll(env);
    List<String> command = new ArrayList<>(pin);
    command.add(bin.toString());
    command.add("--config=" + config);
    ChildProcess process =
        ChildProcess.builder("scale-collector", command)
            .env(all)
            .log(runDir.resolve("scale-collector.log"))
            .healthUrl(URI.create("http://" + CollectorTier.HOST + ":" + health + "/"))
            .startTimeout(startTimeout)
            .stopGrace(Duration.ofSeconds(5))
            .start()
            .awaitReady();
    return new ScaleCollector(process, http, metrics);
  }

  /** {@code SCALE_AUDITORS}: a YAML flow sequence, which the collector reads as the list. */
  static String resolverList(List<String> auditors) {
    return "[" + String.join(", ", auditors) + "]";
  }

  /** Why the collector cannot run here (no binary), or null when it can. */
  public static String unavailableReason() {
    return BenchCollector.unavailableReason();
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
