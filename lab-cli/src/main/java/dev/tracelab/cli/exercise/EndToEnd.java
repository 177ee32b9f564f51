// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

import com.sun.net.httpserver.HttpServer;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.env.service.ChildProcessImplementation;
import dev.tracelab.env.service.GoImplementation;
import dev.tracelab.env.service.NodeImplementation;
import dev.tracelab.env.service.RunningService;
import dev.tracelab.env.service.ServiceImplementation;
import dev.tracelab.env.service.ServiceSpec;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Language;
import dev.tracelab.flow.Scenario;
import dev.tracelab.flow.Variant;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One end-to-end scenario through the auditor for one combination of implementations, every service
 * built from the workspace (Java as child JVMs with the workspace's freshly compiled classes first
 * on the class path), and what it shows at each boundary: the observed fragments, whether the
 * boundary's span has the expected parent, the auditor's diagnosis. For a broken HTTP boundary it
 * also looks at the wire: a gateway alone, calling a stand-in worker that records the headers it
 * receives.
 */
final class EndToEnd {

  static final int REQUESTS = 2;

  /** What a boundary looked like in the run. */
  enum Verdict {
    CONNECTED,
    ROOT,
    LINKED,
    WRONG_PARENT,
    NOT_SEEN
  }

  record Observation(
      Verdict verdict,
      List<AssembledTrace> fragments,
      ReceivedSpan span,
      ReceivedSpan actualParent,
      ScenarioReport.DiagnosisCount diagnosis) {}

  /** Headers the stand-in worker received from the gateway, and the gateway's answer's headers. */
  record Wire(Map<String, String> request, Map<String, String> response) {}

  private static final Map<String, String> MAIN_CLASSES =
      Map.of(
          Flow.GATEWAY, "dev.tracelab.gateway.GatewayMain",
          Flow.WORKER, "dev.tracelab.worker.WorkerMain",
          Flow.CONSUMER, "dev.tracelab.consumer.ConsumerMain");

  private final Path root;

  EndToEnd(Path root) {
    this.root = root;
  }

  /** The implementations the run uses for {@code languages}: one run per combination. */
  static List<Implementations> combinations(List<Language> languages) {
    List<Implementations> out = new ArrayList<>();
    if (languages.contains(Language.JAVA)) {
      out.add(Implementations.JAVA);
    }
    boolean go = languages.contains(Language.GO);
    boolean node = languages.contains(Language.NODE);
    if (go || node) {
      out.add(
          Implementations.of(
              go ? Language.GO : Language.JAVA,
              node ? Language.NODE : Language.JAVA,
              go ? Language.GO : Language.JAVA));
    }
    return out;
  }

  ServiceImplementation implementation(Language language) {
    return switch (language) {
      case JAVA -> javaFromWorkspace();
      case GO -> GoImplementation.create(root);
      case NODE -> NodeImplementation.create(root);
      case CPP, BROWSER ->
          throw new IllegalArgumentException(
              "no exercise runs " + language.id() + " as a lab service");
    };
  }

  /**
   * The Java services' mains in child JVMs, the workspace's compiled classes ahead of this JVM's
   * class path.
   */
  private ServiceImplementation javaFromWorkspace() {
    List<String> entries = new ArrayList<>();
    for (String role : Flow.SERVICES) {
      Path classes = root.resolve(role).resolve("target").resolve("classes");
      if (Files.isDirectory(classes)) {
        entries.add(classes.toString());
      }
    }
    entries.add(System.getProperty("java.class.path"));
    String classPath = String.join(File.pathSeparator, entries);
    return ChildProcessImplementation.builder(
            "java-process",
            role ->
                List.of(
                    LocalHost.javaBin(),
                    "-Xms32m",
                    "-Xmx256m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    classPath,
                    MAIN_CLASSES.get(role)))
        .language("java")
        .build();
  }

  /** Runs the scenario; the observation of every boundary whose orphan span this flow has. */
  Map<Boundary, Observation> run(
      Implementations combination, Map<Boundary, Wire> wires, List<Boundary> probeHttp) {
    LabEnvironment.Builder builder = LabEnvironment.builder().scenario(Scenario.FIXED);
    for (String role : Flow.SERVICES) {
      builder.implementation(role, implementation(combination.languageOf(role)));
    }
    ExpectedFlow flow = ExpectedFlow.of(combination);
    try (LabEnvironment env = builder.start()) {
      ScenarioRunner.Result result =
          new ScenarioRunner(env, 1).run(Scenario.FIXED, REQUESTS, n -> {});
      if (result.orderIds().isEmpty()) {
        throw new ExerciseException(
            "the gateway accepted none of "
                + REQUESTS
                + " orders: the services start, but"
                + " POST /orders fails (./lab trace shows the same flow with its logs)");
      }
      Map<Boundary, Observation> out = new LinkedHashMap<>();
      for (Boundary b : List.of(Boundary.HTTP, Boundary.ASYNC, Boundary.KAFKA)) {
        out.put(b, observe(b, flow, env, result));
      }
      if (!probeHttp.isEmpty() && out.get(Boundary.HTTP).verdict() != Verdict.CONNECTED) {
        wires.put(
            Boundary.HTTP,
            wire(combination.languageOf(Flow.GATEWAY), env.auditor().otlpEndpoint()));
      }
      return out;
    }
  }

  /** The first order on which the boundary is not connected, else the first order's view. */
  private static Observation observe(
      Boundary b, ExpectedFlow flow, LabEnvironment env, ScenarioRunner.Result result) {
    ExpectedSpan expected = flow.orphanSpan(b);
    ExpectedSpan parent = flow.step(expected.parentStep());
    Observation first = null;
    for (String orderId : result.orderIds()) {
      List<AssembledTrace> fragments = env.auditor().tracesOfOrder(orderId);
      ReceivedSpan span = find(fragments, expected);
      ReceivedSpan expectedParent = find(fragments, parent);
      Verdict verdict;
      ReceivedSpan actualParent = null;
      if (span == null) {
        verdict = Verdict.NOT_SEEN;
      } else if (span.isRoot()) {
        verdict = span.links().isEmpty() ? Verdict.ROOT : Verdict.LINKED;
      } else if (expectedParent != null
          && span.parentSpanId().equals(expectedParent.spanId())
          && span.traceId().equals(expectedParent.traceId())) {
        verdict = Verdict.CONNECTED;
      } else {
        verdict = Verdict.WRONG_PARENT;
        actualParent = byId(fragments, span.parentSpanId());
      }
      ScenarioReport.DiagnosisCount diagnosis =
          result.report().diagnoses().stream()
              .filter(d -> d.boundary().equals(b.id()))
              .findFirst()
              .orElse(null);
      Observation o = new Observation(verdict, fragments, span, actualParent, diagnosis);
      if (verdict != Verdict.CONNECTED) {
        return o;
      }
      if (first == null) {
        first = o;
      }
    }
    return first;
  }

  private static ReceivedSpan find(List<AssembledTrace> fragments, ExpectedSpan e) {
    for (AssembledTrace t : fragments) {
      for (ReceivedSpan s : t.spans()) {
        if (e.matches(s.service(), s.kind(), s.name())) {
          return s;
        }
      }
    }
    return null;
  }

  private static ReceivedSpan byId(List<AssembledTrace> fragments, String spanId) {
    for (AssembledTrace t : fragments) {
      for (ReceivedSpan s : t.spans()) {
        if (s.spanId().equals(spanId)) {
          return s;
        }
      }
    }
    return null;
  }

  /**
   * The gateway alone (as the learner built it), its worker a stand-in that records the headers of
   * {@code POST /work}; one order through it.
   */
  private Wire wire(Language gatewayLanguage, String otlpEndpoint) {
    AtomicReference<Map<String, String>> received = new AtomicReference<>(Map.of());
    HttpServer worker;
    try {
      worker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new ExerciseException("cannot start the stand-in worker: " + e.getMessage());
    }
    worker.createContext(
        "/",
        exchange -> {
          if (exchange.getRequestURI().getPath().equals("/work")) {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange
                .getRequestHeaders()
                .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            received.set(headers);
            exchange.getRequestBody().readAllBytes();
          }
          byte[] body = "{\"accepted\":true}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(
              exchange.getRequestURI().getPath().equals("/work") ? 202 : 200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    worker.start();
    Path log = root.resolve(".tracelab").resolve("build").resolve("wire-gateway.log");
    Map<String, String> otel =
        Map.of(
            "otel.traces.exporter",
            "otlp",
            "otel.exporter.otlp.protocol",
            "http/protobuf",
            "otel.exporter.otlp.endpoint",
            otlpEndpoint,
            "otel.propagators",
            Scenario.DEFAULT_PROPAGATORS);
    URI workerUrl = URI.create("http://127.0.0.1:" + worker.getAddress().getPort());
    try {
      Files.createDirectories(log.getParent());
      try (RunningService gateway =
          implementation(gatewayLanguage)
              .start(
                  new ServiceSpec(
                      Flow.GATEWAY, Variant.FIXED, "127.0.0.1", 0, workerUrl, null, otel, log))) {
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + gateway.port() + "/orders"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                "{\"sku\":\"WIRE-1\",\"quantity\":1}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        Map<String, String> answer = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        response
            .headers()
            .map()
            .forEach((k, v) -> answer.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        return new Wire(received.get(), answer);
      }
    } catch (IOException e) {
      throw new ExerciseException("the wire check could not call the gateway: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExerciseException("interrupted");
    } finally {
      worker.stop(0);
    }
  }
}
