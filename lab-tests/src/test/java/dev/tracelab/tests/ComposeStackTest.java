// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static dev.tracelab.testkit.TracelabAssertions.assertThatTraces;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.env.Versions;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.experiments.sampling.TierProbe;
import dev.tracelab.experiments.sampling.TierProbe.Sample;
import dev.tracelab.experiments.sampling.TierProbe.ZipkinSpan;
import dev.tracelab.flow.Scenario;
import dev.tracelab.testkit.AuditedSpan;
import dev.tracelab.testkit.AuditedTrace;
import io.opentelemetry.api.trace.SpanKind;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The workshop room's compose files, run as they are by the local {@code docker compose} (Compose
 * V2) through Testcontainers' {@link ComposeContainer}: the stack alone ({@code
 * compose/docker-compose.yml}), with the sampling tier overlay ({@code docker-compose.tier.yml})
 * and with the mesh overlay ({@code docker-compose.mesh.yml}: the Envoy sidecar in front of the
 * worker). Every published port is moved to a free one; the images are the local ones (nothing is
 * pulled). Skipped with the reason without Docker, Compose V2 or the images, unless {@code
 * -Dtracelab.containers=required}.
 */
@ExtendWith(ComposeStackTest.Available.class)
class ComposeStackTest {

  private static final Duration STARTUP = Duration.ofMinutes(3);
  private static final Duration ARRIVAL = Duration.ofSeconds(60);

  /** The room's decision_wait (the overlay's default). */
  private static final Duration DECISION_WAIT = Duration.ofSeconds(10);

  private static final String ZIPKIN_IMAGE = "openzipkin/zipkin:" + Versions.ZIPKIN;
  private static final String OTELCOL_IMAGE =
      "otel/opentelemetry-collector-contrib:" + Versions.OTELCOL;
  private static final String ENVOY_IMAGE = "envoyproxy/envoy:v" + Versions.ENVOY;

  /**
   * One order through the stack: one connected trace of the six spans, in Zipkin and in the
   * auditor.
   */
  @Test
  void oneOrderIsOneConnectedTraceInZipkinAndInTheAuditor() {
    Map<String, String> ports =
        freePorts(
            "GATEWAY_PORT",
            "WORKER_PORT",
            "CONSUMER_PORT",
            "AUDITOR_API_PORT",
            "AUDITOR_OTLP_PORT",
            "ZIPKIN_PORT",
            "KAFKA_HOST_PORT",
            "FRONTEND_PAGE_PORT",
            "FRONTEND_API_PORT",
            "FRONTEND_ANALYTICS_PORT");
    try (Stack stack =
        Stack.start("tracelab-compose", ports, Map.of(), List.of("docker-compose.yml"))) {
      stack.verify(
          () -> {
            // the page is part of the stack: served on its origin, which names the API origin
            String config =
                given()
                    .get(
                        "http://127.0.0.1:"
                            + ports.get("FRONTEND_PAGE_PORT")
                            + "/frontend-config.json")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            assertThat(config)
                .isEqualTo(
                    "{\"variant\":\"fixed\",\"apiOrigin\":\"http://localhost:"
                        + ports.get("FRONTEND_API_PORT")
                        + "\",\"analyticsUrl\":\"http://localhost:"
                        + ports.get("FRONTEND_ANALYTICS_PORT")
                        + "/collect\",\"telemetryPath\":\"/v1/traces\"}");
            Orders.Accepted accepted =
                stack.orders().place(Map.of("sku", "SMOKE-1", "quantity", 2));

            List<ZipkinSpan> spans = awaitZipkinSpans(stack.zipkin(), accepted.traceId(), 6);
            assertZipkinTraceIsConnected(accepted.traceId(), spans);

            stack.scenarios().assertConnected(accepted);
          });
    }
  }

  /**
   * The mesh overlay: the gateway's worker URL is the Envoy sidecar's; one order is one trace of
   * eight spans in the auditor, the sidecar's SERVER and CLIENT spans between the gateway's CLIENT
   * span and the worker's SERVER span.
   */
  @Test
  void throughTheMeshOverlayOneOrderIsOneTraceWithTheSidecarsSpansInTheHop() {
    Map<String, String> ports =
        freePorts(
            "GATEWAY_PORT",
            "WORKER_PORT",
            "CONSUMER_PORT",
            "AUDITOR_API_PORT",
            "AUDITOR_OTLP_PORT",
            "ZIPKIN_PORT",
            "KAFKA_HOST_PORT",
            "SIDECAR_PORT",
            "SIDECAR_ADMIN_PORT",
            "FRONTEND_PAGE_PORT",
            "FRONTEND_API_PORT",
            "FRONTEND_ANALYTICS_PORT");
    try (Stack stack =
        Stack.start(
            "tracelab-mesh",
            ports,
            Map.of(),
            List.of("docker-compose.yml", "docker-compose.mesh.yml"))) {
      stack.verify(
          () -> {
            Orders.Accepted accepted = stack.orders().place(Map.of("sku", "MESH-1", "quantity", 2));

            LabScenarios mesh =
                new LabScenarios(stack, dev.tracelab.flow.Implementations.JAVA.withMesh());
            mesh.assertConnected(accepted);
          });
    }
  }

  /**
   * The tier overlay (services -> otel-lb -> tail-a | tail-b -> Zipkin, otel-lb -> auditor), no
   * baseline: an order that fails is kept whole, a plain one is dropped, each trace id reached
   * exactly one tail, and the auditor (fed before sampling) has both whole.
   */
  @Test
  void tierKeepsTheErrorTraceWholeDropsThePlainOneAndTheAuditorSeesBoth() {
    Map<String, String> ports =
        freePorts(
            "GATEWAY_PORT",
            "WORKER_PORT",
            "CONSUMER_PORT",
            "AUDITOR_API_PORT",
            "AUDITOR_OTLP_PORT",
            "ZIPKIN_PORT",
            "KAFKA_HOST_PORT",
            "LB_HEALTH_HOST_PORT",
            "LB_METRICS_HOST_PORT",
            "TAIL_A_METRICS_HOST_PORT",
            "TAIL_B_METRICS_HOST_PORT",
            "FRONTEND_PAGE_PORT",
            "FRONTEND_API_PORT",
            "FRONTEND_ANALYTICS_PORT");
    Map<String, String> tier =
        Map.of(
            "TIER_DECISION_WAIT",
            DECISION_WAIT.toSeconds() + "s",
            // no baseline: a trace without error and not slow MUST be dropped
            "TIER_SAMPLING_PERCENTAGE",
            "0");
    try (Stack stack =
        Stack.start(
            "tracelab-tier",
            ports,
            tier,
            List.of("docker-compose.yml", "docker-compose.tier.yml"))) {
      stack.verify(
          () -> {
            List<URI> tails =
                List.of(
                    URI.create(
                        "http://127.0.0.1:" + ports.get("TAIL_A_METRICS_HOST_PORT") + "/metrics"),
                    URI.create(
                        "http://127.0.0.1:" + ports.get("TAIL_B_METRICS_HOST_PORT") + "/metrics"));

            Orders.Accepted failed =
                stack.orders().place(Map.of("sku", "TIER-ERR", "quantity", 1, "fail", true));
            Orders.Accepted plain = stack.orders().place(Map.of("sku", "TIER-OK", "quantity", 1));

            // both decided: the error trace's six spans in Zipkin, two decisions on the tails
            List<ZipkinSpan> kept =
                awaitZipkinSpans(stack.zipkin(), failed.traceId(), 6, DECISION_WAIT.plus(ARRIVAL));
            await("two sampling decisions on the tails")
                .atMost(ARRIVAL)
                .pollInterval(Duration.ofMillis(500))
                .until(
                    () ->
                        tailSum(stack.zipkin(), tails, "global_count_traces_sampled", Map.of())
                            == 2);

            assertThat(tailSum(stack.zipkin(), tails, "new_trace_id_received", Map.of()))
                .as("trace ids received by tail-a + tail-b")
                .isEqualTo(2);
            assertThat(
                    tailSum(
                        stack.zipkin(),
                        tails,
                        "global_count_traces_sampled",
                        Map.of("sampled", "true")))
                .as("traces sampled")
                .isEqualTo(1);
            assertThat(
                    tailSum(
                        stack.zipkin(),
                        tails,
                        "global_count_traces_sampled",
                        Map.of("sampled", "false")))
                .as("traces not sampled")
                .isEqualTo(1);

            assertZipkinTraceIsConnected(failed.traceId(), kept);
            assertThat(kept.stream().filter(ZipkinSpan::error).map(ZipkinSpan::service).toList())
                .as("spans in error")
                .containsExactly("consumer-svc");
            assertThat(stack.zipkin().zipkinTrace(plain.traceId()))
                .as("the plain trace in Zipkin (dropped by the tail sampler, no other way there)")
                .isEmpty();

            for (Orders.Accepted order : List.of(failed, plain)) {
              stack.scenarios().assertConnected(order);
            }
          });
    }
  }

  /**
   * The spans Zipkin holds for {@code traceId} are the lab's connected trace, judged by the kit
   * against the lab's flow spec (Zipkin stores names in lower case, which the spec's names match,
   * and has no INTERNAL kind: TierProbe reads none as INTERNAL).
   */
  private static void assertZipkinTraceIsConnected(String traceId, List<ZipkinSpan> spans) {
    assertThat(spans)
        .as("trace ids of Zipkin's spans of %s", traceId)
        .allSatisfy(s -> assertThat(s.traceId()).isEqualTo(traceId));
    List<AuditedSpan> audited =
        spans.stream()
            .map(
                s ->
                    new AuditedSpan(
                        s.traceId(),
                        s.id(),
                        s.parentId(),
                        s.service(),
                        SpanKind.valueOf(s.kind()),
                        s.name(),
                        s.error(),
                        Map.of()))
            .toList();
    assertThatTraces(
            List.of(new AuditedTrace(traceId, true, audited, List.of())), LabFlowSpecs.JAVA)
        .as("Zipkin's trace %s", traceId)
        .matchesSpec();
  }

  private static List<ZipkinSpan> awaitZipkinSpans(TierProbe zipkin, String traceId, int spans) {
    return awaitZipkinSpans(zipkin, traceId, spans, ARRIVAL);
  }

  private static List<ZipkinSpan> awaitZipkinSpans(
      TierProbe zipkin, String traceId, int spans, Duration atMost) {
    AtomicReference<List<ZipkinSpan>> seen = new AtomicReference<>(List.of());
    await("%d spans of trace %s in Zipkin".formatted(spans, traceId))
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              seen.set(zipkin.zipkinTrace(traceId));
              return seen.get().size() >= spans;
            });
    return seen.get();
  }

  /**
   * A tail-sampling counter summed over both tails (with or without the Prometheus _total suffix).
   */
  private static long tailSum(
      TierProbe probe, List<URI> tails, String metric, Map<String, String> labels) {
    double sum = 0;
    for (URI tail : tails) {
      List<Sample> samples = probe.tailSamplingMetrics(tail);
      sum +=
          TierProbe.sum(samples, metric, labels)
              + TierProbe.sum(samples, metric + "_total", labels);
    }
    return Math.round(sum);
  }

  private static Map<String, String> freePorts(String... names) {
    Map<String, String> ports = new LinkedHashMap<>();
    for (String name : names) {
      ports.put(name, Integer.toString(LocalHost.freePort()));
    }
    return ports;
  }

  /** One compose project, up until closed; its logs printed when a test fails inside. */
  private static final class Stack implements LabTarget, AutoCloseable {
    private final String project;
    private final ComposeContainer compose;
    private final Map<String, String> env;

    private Stack(String project, ComposeContainer compose, Map<String, String> env) {
      this.project = project;
      this.compose = compose;
      this.env = env;
    }

    static Stack start(
        String project, Map<String, String> ports, Map<String, String> extra, List<String> files) {
      Path dir = composeDir();
      List<File> composeFiles = files.stream().map(f -> dir.resolve(f).toFile()).toList();
      Map<String, String> env = new LinkedHashMap<>(ports);
      env.putAll(extra);
      env.put("KAFKA_VERSION", Versions.KAFKA);
      env.put("ZIPKIN_VERSION", Versions.ZIPKIN);
      env.put("OTELCOL_VERSION", Versions.OTELCOL);
      env.put("ENVOY_VERSION", Versions.ENVOY);
      env.put("TRACELAB_IMAGE_TAG", ContainerLab.TAG);
      env.put("GATEWAY_VARIANT", "fixed");
      env.put("WORKER_VARIANT", "fixed");
      env.put("CONSUMER_VARIANT", "fixed");
      env.putIfAbsent("AUDITOR_QUIET_MS", Long.toString(EmbeddedLab.QUIET_WINDOW.toMillis()));
      // the local `docker compose` (no container image for it here), images as they are locally
      ComposeContainer compose =
          new ComposeContainer(project, composeFiles)
              .withPull(false)
              .withEnv(env)
              .withRemoveVolumes(true)
              .withStartupTimeout(STARTUP);
      for (String service :
          List.of("kafka", "zipkin", "auditor", "worker", "consumer", "gateway", "frontend")) {
        compose.waitingFor(service, Wait.forHealthcheck());
      }
      if (files.contains("docker-compose.mesh.yml")) {
        compose.waitingFor("envoy-sidecar", Wait.forHealthcheck());
      }
      if (files.contains("docker-compose.tier.yml")) {
        // scratch images: no health check possible; the collector logs when it serves
        for (String collector : List.of("otel-lb", "tail-a", "tail-b")) {
          compose.waitingFor(collector, Wait.forLogMessage(".*Everything is ready.*", 1));
        }
      }
      Stack stack = new Stack(project, compose, env);
      long t0 = System.nanoTime();
      try {
        compose.start();
      } catch (RuntimeException e) {
        System.out.println(
            "===== compose project " + project + " failed to start\n" + stack.logs());
        stack.close();
        throw e;
      }
      System.out.printf(
          "compose project %s (%s) up in %d ms%n",
          project, String.join(" + ", files), (System.nanoTime() - t0) / 1_000_000);
      return stack;
    }

    /** Runs the checks; on failure, prints the containers' logs first. */
    void verify(Runnable checks) {
      try {
        checks.run();
      } catch (RuntimeException | AssertionError e) {
        System.out.println("===== compose project " + project + " after a failed check\n" + logs());
        throw e;
      }
    }

    Orders orders() {
      return new Orders(gatewayUrl());
    }

    TierProbe zipkin() {
      return new TierProbe("http://127.0.0.1:" + env.get("ZIPKIN_PORT"));
    }

    LabScenarios scenarios() {
      return new LabScenarios(this);
    }

    @Override
    public URI gatewayUrl() {
      return URI.create("http://127.0.0.1:" + env.get("GATEWAY_PORT"));
    }

    @Override
    public URI auditorApiUrl() {
      return URI.create("http://127.0.0.1:" + env.get("AUDITOR_API_PORT"));
    }

    @Override
    public java.time.Duration quietWindow() {
      return java.time.Duration.ofMillis(Long.parseLong(env.get("AUDITOR_QUIET_MS")));
    }

    @Override
    public void use(Scenario scenario) {
      if (scenario != Scenario.FIXED) {
        throw new UnsupportedOperationException(
            "the compose stack here runs the fixed variants only");
      }
    }

    /** Every container of the project: status and last 100 log lines (docker logs). */
    String logs() {
      StringBuilder sb = new StringBuilder();
      try {
        for (var c :
            DockerClientFactory.instance()
                .client()
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(List.of("com.docker.compose.project"))
                .exec()) {
          if (!c.getLabels().get("com.docker.compose.project").startsWith(project)) {
            continue;
          }
          sb.append("----- ")
              .append(c.getLabels().get("com.docker.compose.service"))
              .append(" (")
              .append(c.getStatus())
              .append(")\n");
          Process p =
              new ProcessBuilder("docker", "logs", "--tail", "100", c.getId())
                  .redirectErrorStream(true)
                  .start();
          sb.append(new String(p.getInputStream().readAllBytes()));
          p.waitFor();
        }
      } catch (IOException | RuntimeException e) {
        sb.append("(logs unavailable: ").append(e).append(")\n");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return sb.toString();
    }

    @Override
    public void close() {
      compose.stop();
    }
  }

  /** compose/ of this checkout (the tests run in lab-tests/). */
  static Path composeDir() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("compose/docker-compose.yml"))) {
        return p.resolve("compose");
      }
    }
    throw new IllegalStateException(
        "no compose/docker-compose.yml above " + Path.of("").toAbsolutePath());
  }

  /** Docker, Compose V2 and every image of the stack and the tier overlay. */
  static final class Available extends ContainersAvailable {
    @Override
    List<String> images() {
      List<String> all =
          new ArrayList<>(
              List.of(
                  ContainerLab.KAFKA_IMAGE,
                  ZIPKIN_IMAGE,
                  OTELCOL_IMAGE,
                  ContainerLab.AUDITOR_IMAGE,
                  ENVOY_IMAGE,
                  "tracelab/frontend:" + ContainerLab.TAG));
      // compose's default GATEWAY_LANG, WORKER_LANG, CONSUMER_LANG: java
      dev.tracelab.flow.Flow.SERVICES.forEach(
          role -> all.add(ContainerLab.image(role, dev.tracelab.flow.Language.JAVA)));
      return all;
    }

    @Override
    boolean needsCompose() {
      return true;
    }
  }
}
