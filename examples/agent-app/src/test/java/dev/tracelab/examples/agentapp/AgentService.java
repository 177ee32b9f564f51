// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.examples.agentapp;

import dev.tracelab.testkit.TraceAuditor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of the example's services in a child JVM under the real OpenTelemetry Java agent, exporting
 * over OTLP to the kit's auditor: configured by environment only, as in production.
 */
final class AgentService implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile(".* listening on port (\\d+)");

  private final Process process;
  private final int port;

  private AgentService(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts {@code main} as service {@code name}, waits until it listens.
   *
   * @param env more environment, e.g. {@code CUSTOMER_URL} or {@code OTEL_PROPAGATORS}
   */
  static AgentService start(
      Class<?> main, String name, TraceAuditor auditor, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:"
                    + System.getProperty(
                        "example.javaagent", "target/agent/opentelemetry-javaagent.jar"),
                "-cp",
                classes(main),
                main.getName())
            .redirectErrorStream(true);
    Map<String, String> e = builder.environment();
    e.keySet().removeIf(k -> k.startsWith("OTEL_")); // only what this test sets
    e.put("OTEL_SERVICE_NAME", name);
    e.put("OTEL_EXPORTER_OTLP_ENDPOINT", auditor.otlpHttpEndpoint());
    e.put("OTEL_TRACES_EXPORTER", "otlp");
    e.put("OTEL_METRICS_EXPORTER", "none");
    e.put("OTEL_LOGS_EXPORTER", "none");
    e.put("OTEL_BSP_SCHEDULE_DELAY", "100"); // export within the auditor's quiet window (1 s)
    // the request id on every span: the auditor's correlation attribute,
    // http.request.header.x-request-id
    e.put("OTEL_INSTRUMENTATION_HTTP_SERVER_CAPTURE_REQUEST_HEADERS", "X-Request-Id");
    e.put("OTEL_INSTRUMENTATION_HTTP_CLIENT_CAPTURE_REQUEST_HEADERS", "X-Request-Id");
    e.put("PORT", "0");
    e.putAll(env);
    Process process = builder.start();
    CompletableFuture<Integer> listening = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                  System.out.println("[" + name + "] " + line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.matches()) {
                    listening.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException ignored) {
                // the process ended
              }
              listening.completeExceptionally(
                  new IllegalStateException(name + " exited before it listened"));
            },
            name + "-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new AgentService(process, listening.get(90, TimeUnit.SECONDS));
    } catch (ExecutionException | TimeoutException ex) {
      process.destroyForcibly();
      throw new IllegalStateException(name + " did not start: " + ex.getMessage(), ex);
    }
  }

  private static String classes(Class<?> main) {
    try {
      return Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Stops it as an orchestrator does (SIGTERM): the agent exports what it holds on the way out. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
