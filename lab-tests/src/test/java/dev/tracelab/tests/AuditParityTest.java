// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.cli.AuditCommand;
import dev.tracelab.auditor.input.SpanDump;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generic path on the lab itself (docs/audit.md §3): the spans the lab's auditor received in a
 * scenario, dumped as OTLP JSON Lines ({@code --dump-spans}) and judged again by {@code audit
 * --spec lab}, give the scenario's figures exactly; judged with no spec ({@code --entry
 * gateway-svc}), all-broken shows the http and messaging edges and the likely async hand-off,
 * counted exactly.
 */
class AuditParityTest {

  private static final int REQUESTS = 20;
  private static final AtomicReference<SpanDump> dump = new AtomicReference<>();
  private static LabEnvironment env;
  private static ScenarioRunner runner;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    Consumer<List<ReceivedSpan>> sink =
        spans -> {
          SpanDump d = dump.get();
          if (d != null) {
            d.write(spans);
          }
        };
    env =
        LabEnvironment.builder()
            .quietWindow(EmbeddedLab.QUIET_WINDOW)
            .onSpansReceived(sink)
            .start();
    runner = new ScenarioRunner(env, 8);
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  /**
   * Runs {@code scenario} with its spans dumped to a file of their own; returns the lab's figures.
   */
  private static ScenarioReport run(Scenario scenario, Path file) throws Exception {
    try (SpanDump d = SpanDump.create(file)) {
      dump.set(d);
      ScenarioRunner.Result result = runner.run(scenario, REQUESTS, n -> {});
      assertThat(result.failedRequests()).isZero();
      assertThat(result.incompleteRequests()).isZero();
      dump.set(null);
      return result.report();
    }
  }

  private static JsonNode audit(int expectedExit, String... args) throws Exception {
    Path report = Files.createTempFile(dir, "report", ".json");
    List<String> argv = new ArrayList<>(List.of(args));
    argv.add(0, report.toString());
    argv.add(0, "--report-json");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        AuditCommand.run(
            argv.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit)
        .as(
            "audit %s: %s%s",
            argv, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8))
        .isEqualTo(expectedExit);
    return JSON.readTree(report.toFile());
  }

  @Test
  void everyScenarioJudgedAgainThroughTheLabSpecGivesTheLabsFigures() throws Exception {
    for (Scenario scenario :
        List.of(
            Scenario.FIXED,
            Scenario.BROKEN_HTTP,
            Scenario.BROKEN_ASYNC,
            Scenario.BROKEN_KAFKA,
            Scenario.ALL_BROKEN,
            Scenario.LINKED_KAFKA)) {
      Path file = dir.resolve(scenario.id() + ".jsonl");
      ScenarioReport lab = run(scenario, file);

      JsonNode generic =
          audit(lab.servicesAbove(0.01).isEmpty() ? 0 : 1, "--spec", "lab", file.toString());

      assertThat(generic.path("mode").asText()).isEqualTo("spec");
      assertThat(generic.path("requests").asInt()).as(scenario.id()).isEqualTo(lab.requests());
      assertThat(generic.path("connectedRequests").asInt())
          .as(scenario.id())
          .isEqualTo(lab.connectedRequests());
      assertThat(generic.path("linkedRequests").asInt())
          .as(scenario.id())
          .isEqualTo(lab.linkedRequests());
      assertThat(generic.path("fragmentsPerRequest").asDouble())
          .as(scenario.id())
          .isEqualTo(lab.fragmentsPerRequest());
      for (Map.Entry<String, ScenarioReport.ServiceFigures> e : lab.services().entrySet()) {
        JsonNode s = generic.path("services").path(e.getKey());
        assertThat(s.path("spans").asLong())
            .as(scenario.id() + " " + e.getKey())
            .isEqualTo(e.getValue().spans());
        assertThat(s.path("orphanSpans").asLong())
            .as(scenario.id() + " " + e.getKey())
            .isEqualTo(e.getValue().orphanSpans());
        assertThat(s.path("orphanRate").asDouble())
            .as(scenario.id() + " " + e.getKey())
            .isEqualTo(e.getValue().orphanRate());
      }
      List<String> labDiagnoses =
          lab.diagnoses().stream()
              .map(d -> d.boundary() + " " + d.service() + " " + d.count())
              .toList();
      List<String> genericDiagnoses = new ArrayList<>();
      generic
          .path("diagnoses")
          .forEach(
              d ->
                  genericDiagnoses.add(
                      d.path("boundary").asText()
                          + " "
                          + d.path("service").asText()
                          + " "
                          + d.path("count").asLong()));
      assertThat(genericDiagnoses)
          .as(scenario.id())
          .containsExactlyInAnyOrderElementsOf(labDiagnoses);
    }
  }

  @Test
  void allBrokenWithoutASpecShowsTheHttpAndMessagingEdgesAndTheLikelyAsyncHandOff()
      throws Exception {
    Path file = dir.resolve("all-broken-entry.jsonl");
    run(Scenario.ALL_BROKEN, file);

    JsonNode r = audit(1, "--entry", "gateway-svc", file.toString());

    assertThat(r.path("mode").asText()).isEqualTo("entry");
    assertThat(r.has("requests")).isFalse(); // no correlation attribute without a spec
    assertThat(r.path("traces").asInt()).isEqualTo(4 * REQUESTS);
    assertThat(r.path("connectedTraces").asInt()).isZero();
    List<String> edges = new ArrayList<>();
    r.path("brokenEdges")
        .forEach(
            e ->
                edges.add(
                    e.path("from").asText()
                        + " -> "
                        + e.path("to").asText()
                        + " ("
                        + e.path("boundary").asText()
                        + ") "
                        + e.path("count").asLong()
                        + (e.path("likely").asBoolean() ? " likely" : "")));
    assertThat(edges)
        .containsExactlyInAnyOrder(
            "gateway-svc -> worker-svc (http) " + REQUESTS,
            "worker-svc -> consumer-svc (messaging) " + REQUESTS,
            "worker-svc -> worker-svc (async) " + REQUESTS + " likely");
    assertThat(r.toString()).doesNotContain(".java").doesNotContain("TracingHttpClient");
  }
}
