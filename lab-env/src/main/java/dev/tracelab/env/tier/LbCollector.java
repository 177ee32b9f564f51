// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.tier;

import dev.tracelab.env.process.ChildProcess;
import dev.tracelab.env.process.LocalHost;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load-balancing collector ({@code lb.yaml}): OTLP in, routed by trace id to the tails, and a
 * 100% copy to the auditor.
 */
final class LbCollector {

  private final ChildProcess process;
  private final int grpcPort;
  private final int httpPort;
  private final int metricsPort;

  private LbCollector(ChildProcess process, int grpcPort, int httpPort, int metricsPort) {
    this.process = process;
    this.grpcPort = grpcPort;
    this.httpPort = httpPort;
    this.metricsPort = metricsPort;
  }

  /** Launches it on free ports; {@link #process()}'s awaitReady waits for its health check. */
  static LbCollector start(
      Path collectorBin,
      Path lbYaml,
      Path runDir,
      List<String> tailEndpoints,
      String auditorOtlpEndpoint,
      Duration startTimeout,
      Duration stopGrace) {
    int grpc = LocalHost.freePort();
    int http = LocalHost.freePort();
    int health = LocalHost.freePort();
    int metrics = LocalHost.freePort();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("BIND_HOST", CollectorTier.HOST);
    env.put("LB_OTLP_GRPC_PORT", String.valueOf(grpc));
    env.put("LB_OTLP_HTTP_PORT", String.valueOf(http));
    env.put("LB_HEALTH_PORT", String.valueOf(health));
    env.put("LB_METRICS_PORT", String.valueOf(metrics));
    env.put("TAIL_A_ENDPOINT", tailEndpoints.get(0));
    env.put("TAIL_B_ENDPOINT", tailEndpoints.get(1));
    env.put("AUDITOR_OTLP_ENDPOINT", auditorOtlpEndpoint);
    ChildProcess process =
        ChildProcess.builder("lb", List.of(collectorBin.toString(), "--config=" + lbYaml))
            .env(env)
            .log(runDir.resolve("lb-1.log"))
            .healthUrl(URI.create("http://" + CollectorTier.HOST + ":" + health + "/"))
            .startTimeout(startTimeout)
            .stopGrace(stopGrace)
            .start();
    return new LbCollector(process, grpc, http, metrics);
  }

  ChildProcess process() {
    return process;
  }

  String otlpHttpEndpoint() {
    return "http://" + CollectorTier.HOST + ":" + httpPort;
  }

  String otlpGrpcEndpoint() {
    return CollectorTier.HOST + ":" + grpcPort;
  }

  URI metricsUrl() {
    return URI.create("http://" + CollectorTier.HOST + ":" + metricsPort + "/metrics");
  }
}
