// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import dev.tracelab.flow.Variant;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the environment asks of one service: its role, variant, address and where it exports.
 *
 * @param role the service name: {@code gateway-svc}, {@code worker-svc} or {@code consumer-svc}
 * @param port the port to listen on (the consumer: health only); 0 = any free port
 * @param workerUrl the worker's base URL (the gateway's downstream), else null
 * @param kafkaBootstrapServers the broker (worker and consumer)
 * @param otelProperties SDK settings in property form ({@code otel.exporter.otlp.endpoint} ...),
 *     the same for every implementation
 * @param log where a child process writes its output
 * @param ledgerFile the consumer's {@code LEDGER_FILE} (kept across its restarts), else null
 */
public record ServiceSpec(
    String role,
    Variant variant,
    String bindHost,
    int port,
    URI workerUrl,
    String kafkaBootstrapServers,
    Map<String, String> otelProperties,
    Path log,
    Path ledgerFile) {

  /**
   * Lab defaults for a child's SDK, the same as the Java services' built-in ones (spans arrive well
   * within a second; no metrics or logs to the trace receiver); this JVM's environment wins.
   */
  static final Map<String, String> CHILD_OTEL_DEFAULTS =
      Map.of(
          "OTEL_METRICS_EXPORTER", "none",
          "OTEL_LOGS_EXPORTER", "none",
          "OTEL_PROPAGATORS", "tracecontext,baggage",
          "OTEL_BSP_SCHEDULE_DELAY", "100");

  public ServiceSpec {
    otelProperties = Map.copyOf(otelProperties);
  }

  /** A service without a ledger file. */
  public ServiceSpec(
      String role,
      Variant variant,
      String bindHost,
      int port,
      URI workerUrl,
      String kafkaBootstrapServers,
      Map<String, String> otelProperties,
      Path log) {
    this(
        role, variant, bindHost, port, workerUrl, kafkaBootstrapServers, otelProperties, log, null);
  }

  /**
   * The environment of a service process listening on {@code port}: {@code PORT}, {@code
   * BIND_HOST}, {@code WORKER_URL}, {@code KAFKA_BOOTSTRAP_SERVERS}, {@code LEDGER_FILE}, {@code
   * TRACELAB_VARIANT}, {@code OTEL_SERVICE_NAME} and every {@link #otelProperties()} entry as its
   * {@code OTEL_*} variable ({@code otel.exporter.otlp.endpoint} -> {@code
   * OTEL_EXPORTER_OTLP_ENDPOINT}).
   */
  public Map<String, String> environment(int port) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PORT", String.valueOf(port));
    env.put("BIND_HOST", bindHost);
    if (workerUrl != null) {
      env.put("WORKER_URL", workerUrl.toString());
    }
    if (kafkaBootstrapServers != null) {
      env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers);
    }
    if (ledgerFile != null) {
      env.put("LEDGER_FILE", ledgerFile.toString());
    }
    env.put(Variant.ENV, variant.id());
    CHILD_OTEL_DEFAULTS.forEach(
        (k, v) -> {
          if (System.getenv(k) == null) {
            env.put(k, v);
          }
        });
    otelProperties.forEach((k, v) -> env.put(k.toUpperCase(Locale.ROOT).replace('.', '_'), v));
    env.put("OTEL_SERVICE_NAME", role);
    return env;
  }
}
