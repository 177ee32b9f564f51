// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static dev.tracelab.flow.Language.GO;
import static dev.tracelab.flow.Language.JAVA;
import static dev.tracelab.flow.Language.NODE;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.service.RunningService;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import dev.tracelab.testkit.AuditedSpan;
import dev.tracelab.testkit.AuditedTrace;
import dev.tracelab.testkit.TraceAuditor;
import io.opentelemetry.api.trace.SpanKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared scenarios per combination of implementations (docs/design.md §7) on the one embedded
 * lab, which switches languages between tests: each Go or Node.js implementation fixed and broken
 * with the other roles in Java, the all-non-Java combination (go/node/go), the propagators
 * mismatch, concurrency, and bad input to each new service. Expected shapes come from each
 * combination's {@link ExpectedFlow}. Skipped with the reason when Go or Node.js is missing (failed
 * instead under {@code -Dtracelab.toolchains=required}).
 */
class PolyglotLabTest {

  static final Implementations GO_GATEWAY = Implementations.of(GO, JAVA, JAVA);
  static final Implementations NODE_WORKER = Implementations.of(JAVA, NODE, JAVA);
  static final Implementations GO_CONSUMER = Implementations.of(JAVA, JAVA, GO);
  static final Implementations POLYGLOT = Implementations.POLYGLOT;

  private final EmbeddedLab lab = EmbeddedLab.get();

  private LabScenarios on(Implementations implementations, Scenario scenario) {
    LabScenarios scenarios = new LabScenarios(lab, implementations);
    scenarios.use(scenario);
    return scenarios;
  }

  static Stream<Arguments> combinations() {
    return Stream.of(
        // grouped by combination: the lab restarts services only when something changes
        args(GO_GATEWAY, Scenario.FIXED),
        args(GO_GATEWAY, Scenario.BROKEN_HTTP),
        args(NODE_WORKER, Scenario.FIXED),
        args(NODE_WORKER, Scenario.BROKEN_HTTP),
        args(NODE_WORKER, Scenario.BROKEN_ASYNC),
        args(GO_CONSUMER, Scenario.FIXED),
        args(GO_CONSUMER, Scenario.BROKEN_KAFKA),
        args(GO_CONSUMER, Scenario.LINKED_KAFKA),
        args(POLYGLOT, Scenario.FIXED),
        args(POLYGLOT, Scenario.ALL_BROKEN),
        args(POLYGLOT, Scenario.BROKEN_PROPAGATORS),
        args(Implementations.JAVA, Scenario.BROKEN_PROPAGATORS));
  }

  private static Arguments args(Implementations implementations, Scenario scenario) {
    return Arguments.of(implementations.label(), scenario.id(), implementations, scenario);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("combinations")
  void eachCombinationYieldsExactlyItsScenariosFragments(
      String label, String scenarioId, Implementations implementations, Scenario scenario) {
    LabScenarios scenarios = new LabScenarios(lab, implementations);

    scenarios.assertScenarioFragments(scenario);

    assertThat(lab.env().implementations()).isEqualTo(implementations);
  }

  @Test
  void polyglotRunsAsChildProcessesEachWithItsScenariosPropagators() throws IOException {
    on(POLYGLOT, Scenario.BROKEN_PROPAGATORS);
    LabEnvironment env = lab.env();

    assertThat(env.implementations().ids())
        .containsExactly(
            Map.entry(Flow.GATEWAY, "go"),
            Map.entry(Flow.WORKER, "node"),
            Map.entry(Flow.CONSUMER, "go"));
    assertThat(env.propagators())
        .isEqualTo(
            Map.of(
                Flow.GATEWAY,
                "b3multi",
                Flow.WORKER,
                "tracecontext",
                Flow.CONSUMER,
                "tracecontext,baggage"));
    for (String role : Flow.SERVICES) {
      RunningService service = env.service(role);
      assertThat(service.implementation()).isEqualTo(POLYGLOT.languageOf(role).id());
      long pid = service.pid().orElseThrow();
      assertThat(ProcessHandle.current().descendants().map(ProcessHandle::pid)).contains(pid);
      // what the process itself was given
      assertThat(environmentOf(pid))
          .containsEntry("OTEL_PROPAGATORS", env.propagators().get(role))
          .containsEntry("OTEL_SERVICE_NAME", role)
          .containsEntry("TRACELAB_VARIANT", "fixed");
    }
  }

  private static Map<String, String> environmentOf(long pid) throws IOException {
    String raw =
        new String(
            Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
    return Arrays.stream(raw.split("\0"))
        .filter(kv -> kv.indexOf('=') > 0)
        .collect(
            Collectors.toMap(
                kv -> kv.substring(0, kv.indexOf('=')),
                kv -> kv.substring(kv.indexOf('=') + 1),
                (a, b) -> b));
  }

  @Test
  void polyglotGateFiguresEqualJavasPerBoundary() {
    on(POLYGLOT, Scenario.FIXED);
    ExpectedFlow flow = ExpectedFlow.of(POLYGLOT);
    ScenarioRunner runner = new ScenarioRunner(lab.env(), 8);

    ScenarioRunner.Result fixed = runner.run(Scenario.FIXED, 100, n -> {});
    assertThat(fixed.failedRequests()).isZero();
    assertThat(fixed.incompleteRequests()).isZero();
    LabScenarios.assertGatePasses(flow, fixed.report(), 100);

    ScenarioRunner.Result broken = runner.run(Scenario.ALL_BROKEN, 40, n -> {});
    assertThat(broken.failedRequests()).isZero();
    assertThat(broken.incompleteRequests()).isZero();
    LabScenarios.assertGateFails(flow, Scenario.ALL_BROKEN, broken.report(), 40);

    // the go consumer's linked variant: two traces per request joined by a link, no orphan
    ScenarioRunner.Result linked = runner.run(Scenario.LINKED_KAFKA, 40, n -> {});
    assertThat(linked.failedRequests()).isZero();
    assertThat(linked.incompleteRequests()).isZero();
    LabScenarios.assertGatePassesLinked(flow, Scenario.LINKED_KAFKA, linked.report(), 40);

    // go gateway injecting only B3, node worker reading only W3C: diagnosed as the propagators
    // mismatch (configuration), not as a missing inject
    ScenarioRunner.Result mismatch = runner.run(Scenario.BROKEN_PROPAGATORS, 40, n -> {});
    assertThat(mismatch.failedRequests()).isZero();
    assertThat(mismatch.incompleteRequests()).isZero();
    LabScenarios.assertGateFails(flow, Scenario.BROKEN_PROPAGATORS, mismatch.report(), 40);
    assertThat(mismatch.report().diagnoses())
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.fix())
                    .contains("OTEL_PROPAGATORS=b3multi")
                    .contains("OTEL_PROPAGATORS=tracecontext"));
  }

  @Test
  void propagatorsMismatchOrphansTheWorkerServerSpanOfEveryRequest() {
    on(POLYGLOT, Scenario.BROKEN_PROPAGATORS);
    ExpectedFlow flow = ExpectedFlow.of(POLYGLOT);

    ScenarioRunner.Result result =
        new ScenarioRunner(lab.env(), 8).run(Scenario.BROKEN_PROPAGATORS, 40, n -> {});

    assertThat(result.failedRequests()).isZero();
    assertThat(result.incompleteRequests()).isZero();
    ScenarioReport report = result.report();
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.fragmentsPerRequest()).isEqualTo(2.0);
    Map<String, Long> orphansPerRequest =
        Map.of(Flow.GATEWAY, 0L, Flow.WORKER, 1L, Flow.CONSUMER, 0L);
    for (String service : Flow.SERVICES) {
      ScenarioReport.ServiceFigures figures = report.services().get(service);
      assertThat(figures.spans()).as("%s spans", service).isEqualTo(flow.spansOf(service) * 40);
      assertThat(figures.orphanSpans())
          .as("%s orphan spans", service)
          .isEqualTo(orphansPerRequest.get(service) * 40);
    }
    // the orphan is the worker's SERVER span, one per request
    assertThat(report.diagnoses())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.service()).isEqualTo(Flow.WORKER);
              assertThat(d.span())
                  .isEqualTo(flow.orphanSpan(dev.tracelab.flow.Boundary.PROPAGATORS).name());
              assertThat(d.count()).isEqualTo(40);
            });
  }

  @Test
  void fiftyConcurrentPolyglotRequestsAreFiftyTracesWithoutCrossTalk() throws Exception {
    LabScenarios scenarios = on(POLYGLOT, Scenario.FIXED);
    ExecutorService pool = Executors.newFixedThreadPool(50);
    List<Future<Orders.Accepted>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      int n = i;
      futures.add(
          pool.submit(
              () -> scenarios.orders().place(Map.of("sku", "POLY-" + n, "quantity", n + 1))));
    }
    List<Orders.Accepted> accepted = new ArrayList<>();
    for (Future<Orders.Accepted> f : futures) {
      accepted.add(f.get());
    }
    pool.shutdown();

    Set<String> traceIds = new HashSet<>();
    for (Orders.Accepted a : accepted) {
      scenarios.assertConnected(a);
      traceIds.add(a.traceId());
    }
    assertThat(traceIds).hasSize(50);
  }

  @Test
  void failedOrderMarksTheGoConsumerSpanErrorInTheSameConnectedTrace() {
    LabScenarios scenarios = on(POLYGLOT, Scenario.FIXED);
    Orders.Accepted accepted =
        scenarios.orders().place(Map.of("sku", "ABC-1", "quantity", 1, "fail", true));

    scenarios
        .assertConnected(accepted)
        .hasTracesSatisfying(EmbeddedLabTest.onlyTheProcessSpanIsAnError());
  }

  @ParameterizedTest(name = "go gateway: {0}")
  @MethodSource("dev.tracelab.tests.EmbeddedLabTest#badRequests")
  void badInputToTheGoGatewayIsA400ProblemAndLeaksNoSpan(
      String label, String contentType, String body, String detail) {
    LabScenarios scenarios = on(GO_GATEWAY, Scenario.FIXED);
    EmbeddedLabTest.assertBadInput(scenarios, label, contentType, body, detail);
  }

  static Stream<Arguments> badWork() {
    String id = UUID.randomUUID().toString();
    return Stream.of(
        Arguments.of("malformed JSON", "{\"orderId\": ", "not valid JSON", null),
        Arguments.of("not an object", "[1]", "JSON object", null),
        Arguments.of(
            "missing orderId", "{\"sku\": \"ABC-1\", \"quantity\": 1}", "orderId", "#/orderId"),
        Arguments.of(
            "quantity 0",
            "{\"orderId\": \"" + id + "\", \"sku\": \"ABC-1\", \"quantity\": 0}",
            "quantity",
            "#/quantity"),
        Arguments.of(
            "sku with space",
            "{\"orderId\": \"" + id + "\", \"sku\": \"A B\", \"quantity\": 1}",
            "sku",
            "#/sku"),
        Arguments.of(
            "delayMs negative",
            "{\"orderId\": \"" + id + "\", \"sku\": \"A\", \"quantity\": 1, \"delayMs\": -1}",
            "delayMs",
            "#/delayMs"));
  }

  @ParameterizedTest(name = "node worker: {0}")
  @MethodSource("badWork")
  void badInputToTheNodeWorkerIsA400ProblemNamingTheField(
      String label, String body, String detail, String pointer) {
    on(NODE_WORKER, Scenario.FIXED);
    var response =
        given()
            .baseUri(lab.env().workerUrl().toString())
            .contentType("application/json")
            .body(body)
            .post("/work");

    var then =
        response
            .then()
            .statusCode(400)
            .contentType(startsWith("application/problem+json"))
            .body("status", equalTo(400))
            .body("title", equalTo("Bad Request"))
            .body("detail", containsString(detail));
    if (pointer != null) {
      then.body("errors.pointer", hasItem(pointer));
    }
    assertThat(response.asString()).doesNotContain("Error:").doesNotContain("    at ");
    given().baseUri(lab.env().workerUrl().toString()).get("/health").then().statusCode(200);
  }

  @Test
  void malformedRecordIsDeadLetteredByTheGoConsumerWhichKeepsConsuming() throws Exception {
    LabScenarios scenarios = on(GO_CONSUMER, Scenario.FIXED);
    String traceId = "5" + UUID.randomUUID().toString().replace("-", "").substring(1);
    String producerSpan = "00f067aa0ba902b7";
    String key = "BAD-" + UUID.randomUUID();
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, lab.env().kafkaBootstrapServers());
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      ProducerRecord<String, String> record = new ProducerRecord<>(Flow.TOPIC, key, "{not json");
      record
          .headers()
          .add(
              "traceparent",
              ("00-" + traceId + "-" + producerSpan + "-01").getBytes(StandardCharsets.US_ASCII));
      producer.send(record).get();
    }

    TraceAuditor auditor = scenarios.kit();
    await()
        .atMost(LabScenarios.TRACE_TIMEOUT)
        .until(() -> auditor.trace(traceId).map(AuditedTrace::closed).orElse(false));
    AuditedTrace trace = auditor.trace(traceId).orElseThrow();
    // poison: an ERROR process span, and its dead-letter send to orders.dlq as its child
    assertThat(trace.spans()).hasSize(2);
    AuditedSpan process =
        trace.spans().stream().filter(s -> s.name().equals(Flow.PROCESS)).findFirst().orElseThrow();
    assertThat(process.service()).isEqualTo(Flow.CONSUMER);
    assertThat(process.kind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.parentSpanId()).isEqualTo(producerSpan);
    assertThat(process.error()).as("status ERROR").isTrue();
    assertThat(process.attribute(LabFlowSpecs.CORRELATION)).isEqualTo(key);
    assertThat(process.attributes()).containsEntry("app.failure.category", "poison");
    AuditedSpan deadLetter =
        trace.spans().stream().filter(s -> s != process).findFirst().orElseThrow();
    assertThat(deadLetter.service()).isEqualTo(Flow.CONSUMER);
    assertThat(deadLetter.kind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(deadLetter.name()).isEqualTo("send " + Flow.DEAD_LETTER_TOPIC);
    assertThat(deadLetter.parentSpanId()).isEqualTo(process.spanId());
    // and the next order still flows end to end
    Orders.Accepted after = scenarios.orders().place(Map.of("sku", "ABC-1", "quantity", 1));
    scenarios.assertConnected(after);
  }

  @Test
  void goGatewayAnswers502WhenTheWorkerIsDown() {
    on(POLYGLOT, Scenario.FIXED);
    try {
      lab.env().service(Flow.WORKER).close();

      given()
          .baseUri(lab.env().gatewayUrl().toString())
          .contentType("application/json")
          .body("{\"sku\": \"ABC-1\", \"quantity\": 1}")
          .post("/orders")
          .then()
          .statusCode(502)
          .contentType(startsWith("application/problem+json"))
          .body("status", equalTo(502));
      given().baseUri(lab.env().gatewayUrl().toString()).get("/health").then().statusCode(200);
    } finally {
      lab.restart(Scenario.FIXED);
    }
  }
}
