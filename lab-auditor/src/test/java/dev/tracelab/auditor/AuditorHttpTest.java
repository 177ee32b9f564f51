// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.otlp.OtlpDecoderTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The auditor over real HTTP on loopback: ingest, rejection, the API's 404s, /metrics. */
class AuditorHttpTest {

  private final Auditor auditor =
      Auditor.builder()
          .setOtlpPort(0)
          .setApiPort(0)
          .setQuietWindow(Duration.ofSeconds(30))
          .setMaxBodyBytes(64 * 1024)
          .start();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    auditor.close();
  }

  private HttpResponse<String> post(String contentType, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(auditor.otlpEndpoint() + "/v1/traces"))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(auditor.apiUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void acceptsProtobufAndServesTheTraceAndOrder() throws Exception {
    assertThat(post("application/x-protobuf", OtlpDecoderTest.request().toByteArray()).statusCode())
        .isEqualTo(200);

    HttpResponse<String> trace = get("/api/traces/" + OtlpDecoderTest.TRACE);
    assertThat(trace.statusCode()).isEqualTo(200);
    assertThat(trace.body()).contains("\"closed\":false").contains("\"name\":\"POST /work\"");
    assertThat(get("/api/orders/o-1").body()).contains(OtlpDecoderTest.TRACE);
    assertThat(get("/metrics").body())
        .contains("tracelab_spans_received_total{service=\"worker-svc\"} 1.0\n")
        .contains("tracelab_traces_in_flight 1.0\n");
  }

  @Test
  void linkedRequestsOverProtobufAndJsonAreCountedLinkedWithNoOrphanAndPassTheGate()
      throws Exception {
    CraftedRequest a = CraftedRequest.of(1, dev.tracelab.flow.Scenario.LINKED_KAFKA);
    CraftedRequest b = CraftedRequest.of(2, dev.tracelab.flow.Scenario.LINKED_KAFKA);
    assertThat(post("application/x-protobuf", a.protobuf(1, 2, 3, 4, 5, 6)).statusCode())
        .isEqualTo(200);
    assertThat(post("application/json", b.json(6)).statusCode()).isEqualTo(200);
    assertThat(post("application/json", b.json(1, 2, 3, 4, 5)).statusCode()).isEqualTo(200);

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> auditor.report().requests() == 2 && auditor.report().linkedRequests() == 2);
    var report = auditor.report();
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.linkedRate()).isEqualTo(1.0);
    assertThat(report.fragmentsPerRequest()).isEqualTo(2.0);
    assertThat(report.diagnoses()).isEmpty();
    assertThat(report.services().values()).allSatisfy(f -> assertThat(f.orphanSpans()).isZero());
    assertThat(dev.tracelab.auditor.orphans.OrphanGate.evaluate(report, 0.0).passed()).isTrue();
    assertThat(get("/metrics").body()).contains("tracelab_linked_requests_total 2.0\n");
    assertThat(get("/api/report").body())
        .contains("\"linkedRequests\":2")
        .contains("\"linkedRate\":1.0");
    // the same run as the generic report, as the test kit reads a lab auditor
    assertThat(get("/api/report?format=audit").body())
        .contains("\"mode\":\"spec\"")
        .contains("\"traces\":4,")
        .contains("\"linkedRequests\":2");
    var consumer = get("/api/traces/" + b.traceIdOf(6)).body();
    assertThat(consumer).contains("\"closed\":true");
  }

  @Test
  void malformedOrOversizedBodiesAre400MistypedOnes415AndAllAreCounted() throws Exception {
    HttpResponse<String> garbage =
        post("application/x-protobuf", new byte[] {0x0a, (byte) 0xff, 0x01});
    HttpResponse<String> oversized = post("application/x-protobuf", new byte[100 * 1024]);
    HttpResponse<String> mistyped = post("text/plain", "hello".getBytes());
    HttpResponse<String> prefixed = post("application/jsonx", "{}".getBytes());

    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(garbage.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(oversized.statusCode()).isEqualTo(400);
    assertThat(mistyped.statusCode()).isEqualTo(415);
    assertThat(prefixed.statusCode())
        .isEqualTo(415); // the media type is parsed, not prefix-matched
    assertThat(prefixed.body()).contains("was application/jsonx");
    assertThat(auditor.rejectedRequests()).isEqualTo(4);
    assertThat(get("/metrics").body()).contains("tracelab_otlp_requests_rejected_total 4.0\n");
    assertThat(
            post(
                    "application/x-protobuf; proto=opentelemetry",
                    OtlpDecoderTest.request().toByteArray())
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void postingARunStartsAnEmptyNamedReport() throws Exception {
    post("application/x-protobuf", OtlpDecoderTest.request().toByteArray());
    HttpResponse<String> started =
        http.send(
            HttpRequest.newBuilder(URI.create(auditor.apiUrl() + "/api/runs"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"broken-async\",\"variants\":{\"worker-svc\":\"broken\"}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> bad =
        http.send(
            HttpRequest.newBuilder(URI.create(auditor.apiUrl() + "/api/runs"))
                .POST(HttpRequest.BodyPublishers.ofString("[1]"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(started.statusCode()).isEqualTo(201);
    assertThat(started.body())
        .contains("\"name\":\"broken-async\"")
        .contains("\"worker-svc\":\"broken\"")
        .contains("\"requests\":0");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  /**
   * The eight spans of one fixed request through the mesh sidecar, as its services and Envoy export
   * them.
   */
  private static final dev.tracelab.flow.ExpectedFlow MESH =
      dev.tracelab.flow.ExpectedFlow.of(dev.tracelab.flow.Implementations.JAVA.withMesh());

  @Test
  void aRunThroughTheMeshExpectsTheSidecarsSpansAndCountsTheRequestConnected() throws Exception {
    HttpResponse<String> started =
        http.send(
            HttpRequest.newBuilder(URI.create(auditor.apiUrl() + "/api/runs"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"fixed\",\"mesh\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    CraftedRequest request = CraftedRequest.of(1, dev.tracelab.flow.Scenario.FIXED, MESH);

    assertThat(started.statusCode()).isEqualTo(201);
    assertThat(
            post("application/x-protobuf", request.protobuf(1, 2, 3, 4, 5, 6, 7, 8)).statusCode())
        .isEqualTo(200);

    // complete, so closed at once (the quiet window is 30 s), and connected: all eight in one chain
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> auditor.report().requests() == 1);
    var report = auditor.report();
    assertThat(report.connectedRequests()).isEqualTo(1);
    assertThat(report.mesh()).isTrue();
    assertThat(report.services().get(dev.tracelab.flow.Flow.SIDECAR).spans()).isEqualTo(2);
    assertThat(report.diagnoses()).isEmpty();
    assertThat(get("/api/report").body()).contains("\"mesh\":true");
  }

  @Test
  void anAuditorStartedForTheMeshExpectsTheSidecarsSpansBeforeAnyRunIsPosted() throws Exception {
    try (Auditor meshAuditor =
        Auditor.builder()
            .setOtlpPort(0)
            .setApiPort(0)
            .setQuietWindow(Duration.ofSeconds(30))
            .setInitialRun(
                dev.tracelab.auditor.lab.LabFlowSpecs.setup(
                    "since-start",
                    java.util.Map.of(),
                    dev.tracelab.flow.Implementations.JAVA.withMesh(),
                    java.util.Map.of()))
            .start()) {
      CraftedRequest request = CraftedRequest.of(2, dev.tracelab.flow.Scenario.FIXED, MESH);
      http.send(
          HttpRequest.newBuilder(URI.create(meshAuditor.otlpEndpoint() + "/v1/traces"))
              .header("Content-Type", "application/x-protobuf")
              .POST(
                  HttpRequest.BodyPublishers.ofByteArray(request.protobuf(1, 2, 3, 4, 5, 6, 7, 8)))
              .build(),
          HttpResponse.BodyHandlers.ofString());

      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> meshAuditor.report().requests() == 1);
      assertThat(meshAuditor.report().connectedRequests()).isEqualTo(1);
      assertThat(meshAuditor.report().mesh()).isTrue();
    }
  }

  @Test
  void unknownIdsAre404Problems() throws Exception {
    HttpResponse<String> trace = get("/api/traces/00000000000000000000000000000001");
    HttpResponse<String> order = get("/api/orders/nope");

    assertThat(trace.statusCode()).isEqualTo(404);
    assertThat(trace.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(order.statusCode()).isEqualTo(404);
    assertThat(order.body()).contains("\"status\":404");
  }
}
