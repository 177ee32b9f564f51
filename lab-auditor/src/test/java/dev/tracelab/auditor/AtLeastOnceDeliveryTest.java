// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.orphans.ScenarioReport.DiagnosisCount;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import dev.tracelab.flow.Scenario;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * OTLP delivery is at-least-once: exporters and collectors retry, so the same span (trace id + span
 * id) may arrive twice, before or after its trace closed; spans arrive out of order and split over
 * requests, or never. Crafted requests posted to the auditor over real HTTP; every figure is exact.
 */
class AtLeastOnceDeliveryTest {

  private static final Duration SHORT_QUIET = Duration.ofMillis(300);
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final HttpClient http = HttpClient.newHttpClient();
  private Auditor auditor;

  @AfterEach
  void stop() {
    if (auditor != null) {
      auditor.close();
    }
  }

  private void start(Duration quietWindow) {
    auditor = Auditor.builder().setOtlpPort(0).setApiPort(0).setQuietWindow(quietWindow).start();
  }

  @Test
  void everySpanTwiceOutOfOrderAndSplitCountsOnce() throws Exception {
    start(SHORT_QUIET);
    CraftedRequest r = CraftedRequest.of(1, Scenario.FIXED);
    postProtobuf(r.protobuf(6));
    postProtobuf(r.protobuf(5, 4));
    postProtobuf(r.protobuf(6, 3)); // 6 again while its trace is open
    postProtobuf(r.protobuf(2, 1, 5)); // 5 again
    awaitClosed(r);
    postProtobuf(r.protobuf(1, 2, 3, 4, 5, 6)); // the whole batch retried after the trace closed

    ScenarioReport report = report();
    assertThat(report.requests()).isEqualTo(1);
    assertThat(report.connectedRequests()).isEqualTo(1);
    assertThat(report.fragmentsPerRequest()).isEqualTo(1.0);
    assertThat(report.services())
        .containsExactlyEntriesOf(services(figures(2, 0, 0), figures(3, 0, 0), figures(1, 0, 0)));
    assertThat(report.diagnoses()).isEmpty();
    JsonNode trace = trace(r.traceIdOf(1));
    assertThat(trace.path("spans").size()).isEqualTo(6);
    assertThat(trace.has("lateSpans")).isFalse();
    assertThat(metric("tracelab_spans_received_total"))
        .containsExactlyInAnyOrderEntriesOf(perService(2, 3, 1));
    assertThat(metric("tracelab_late_spans_total"))
        .containsExactlyInAnyOrderEntriesOf(perService(0, 0, 0));
    assertThat(metric("tracelab_duplicate_spans_total"))
        .containsExactlyInAnyOrderEntriesOf(perService(2, 4, 2));
  }

  @Test
  void duplicatedFragmentsOfABrokenRequestKeepTheExactOrphanFigures() throws Exception {
    start(SHORT_QUIET);
    CraftedRequest r = CraftedRequest.of(2, Scenario.ALL_BROKEN); // {1,2} {3} {4,5} {6}
    postJson(r.json(6, 4));
    postJson(r.json(3, 6));
    postJson(r.json(1, 2, 5, 4));
    postJson(r.json(3));
    awaitClosed(r);
    postJson(r.json(6, 1)); // after close: duplicates, not late spans

    ScenarioReport report = report();
    assertThat(report.requests()).isEqualTo(1);
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.fragmentsPerRequest()).isEqualTo(4.0);
    assertThat(report.services())
        .containsExactlyEntriesOf(services(figures(2, 0, 0), figures(3, 2, 0), figures(1, 1, 0)));
    assertThat(report.diagnoses())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("fix")
        .containsExactlyInAnyOrder(
            new DiagnosisCount("http", "worker-svc", "POST /work", 1, null),
            new DiagnosisCount("async", "worker-svc", "order.prepare", 1, null),
            new DiagnosisCount("kafka", "consumer-svc", "process orders", 1, null));
    assertThat(metric("tracelab_spans_received_total"))
        .containsExactlyInAnyOrderEntriesOf(perService(2, 3, 1));
    assertThat(metric("tracelab_late_spans_total"))
        .containsExactlyInAnyOrderEntriesOf(perService(0, 0, 0));
    for (String traceId : r.traceIds()) {
      assertThat(trace(traceId).has("lateSpans")).as(traceId).isFalse();
    }
  }

  @Test
  void aSpanThatNeverArrivesLeavesOneMissingParentAndItsRetriesAreOneLateSpan() throws Exception {
    start(SHORT_QUIET);
    CraftedRequest r = CraftedRequest.of(3, Scenario.FIXED);
    postProtobuf(r.protobuf(1, 2, 3));
    postProtobuf(r.protobuf(5, 6));
    postProtobuf(r.protobuf(5)); // retried; 4 is lost for now
    awaitClosed(r);
    ScenarioReport closed = report();

    postProtobuf(r.protobuf(4)); // arrives after the quiet window: late
    postProtobuf(r.protobuf(4)); // and again: a duplicate of the late span

    ScenarioReport report = report();
    assertThat(report).isEqualTo(closed);
    assertThat(report.requests()).isEqualTo(1);
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.fragmentsPerRequest()).isEqualTo(1.0);
    assertThat(report.services())
        .containsExactlyEntriesOf(services(figures(2, 0, 0), figures(2, 0, 1), figures(1, 0, 0)));
    assertThat(report.diagnoses())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("fix")
        .containsExactly(
            new DiagnosisCount("missing-parent", "worker-svc", "send orders", 1, null));
    assertThat(trace(r.traceIdOf(1)).path("lateSpans").size()).isEqualTo(1);
    assertThat(trace(r.traceIdOf(1)).path("closeReason").asText()).isEqualTo("quiet");
    assertThat(metric("tracelab_spans_received_total"))
        .containsExactlyInAnyOrderEntriesOf(perService(2, 3, 1));
    assertThat(metric("tracelab_late_spans_total"))
        .containsExactlyInAnyOrderEntriesOf(perService(0, 1, 0));
    assertThat(metric("tracelab_duplicate_spans_total"))
        .containsExactlyInAnyOrderEntriesOf(perService(0, 2, 0));
  }

  @Test
  void aCompleteRequestIsJudgedWhenItsLastSpanArrivesNotAfterTheQuietWindow() throws Exception {
    start(Duration.ofSeconds(30));
    CraftedRequest fixed = CraftedRequest.of(4, Scenario.FIXED);
    postProtobuf(fixed.protobuf(6, 5));
    postProtobuf(fixed.protobuf(1, 2, 3));
    assertThat(trace(fixed.traceIdOf(1)).path("closed").asBoolean()).isFalse();

    postProtobuf(fixed.protobuf(4)); // the last expected span: closed before the POST is answered

    assertThat(trace(fixed.traceIdOf(1)).path("closed").asBoolean()).isTrue();
    assertThat(trace(fixed.traceIdOf(1)).path("closeReason").asText()).isEqualTo("complete");
    assertThat(report().connectedRequests()).isEqualTo(1);
  }

  @Test
  void theFragmentsOfABrokenRequestAreJudgedTogetherWhenTheirUnionIsComplete() throws Exception {
    start(Duration.ofSeconds(30));
    CraftedRequest r = CraftedRequest.of(5, Scenario.ALL_BROKEN);
    postJson(r.json(1, 2));
    postJson(r.json(6));
    postJson(r.json(4, 5));
    for (int step : new int[] {1, 6, 4}) { // the fragment {3} has not arrived
      assertThat(trace(r.traceIdOf(step)).path("closed").asBoolean())
          .as("fragment of step %d", step)
          .isFalse();
    }

    postJson(r.json(3));

    for (String traceId : r.traceIds()) {
      assertThat(trace(traceId).path("closed").asBoolean()).as(traceId).isTrue();
    }
    ScenarioReport report = report();
    assertThat(report.fragmentsPerRequest()).isEqualTo(4.0);
    assertThat(report.services())
        .containsExactlyEntriesOf(services(figures(2, 0, 0), figures(3, 2, 0), figures(1, 1, 0)));
    assertThat(report.diagnoses())
        .extracting(DiagnosisCount::boundary)
        .containsExactlyInAnyOrder("http", "async", "kafka");
  }

  // --- helpers

  private static ServiceFigures figures(long spans, long orphanRoots, long missingParent) {
    long orphans = orphanRoots + missingParent;
    return new ServiceFigures(
        spans, orphans, orphanRoots, missingParent, spans == 0 ? 0.0 : (double) orphans / spans);
  }

  private static Map<String, ServiceFigures> services(
      ServiceFigures gateway, ServiceFigures worker, ServiceFigures consumer) {
    Map<String, ServiceFigures> m = new LinkedHashMap<>();
    m.put("gateway-svc", gateway);
    m.put("worker-svc", worker);
    m.put("consumer-svc", consumer);
    return m;
  }

  private static Map<String, Long> perService(long gateway, long worker, long consumer) {
    return Map.of("gateway-svc", gateway, "worker-svc", worker, "consumer-svc", consumer);
  }

  private void postProtobuf(byte[] body) throws Exception {
    post("application/x-protobuf", body);
  }

  private void postJson(byte[] body) throws Exception {
    post("application/json", body);
  }

  private void post(String contentType, byte[] body) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(auditor.otlpEndpoint() + "/v1/traces"))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private String get(String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(auditor.apiUrl() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return response.body();
  }

  private ScenarioReport report() throws Exception {
    return JSON.readValue(get("/api/report"), ScenarioReport.class);
  }

  private JsonNode trace(String traceId) throws Exception {
    return JSON.readTree(get("/api/traces/" + traceId));
  }

  private void awaitClosed(CraftedRequest r) {
    await("traces of " + r.orderId() + " closed")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              for (String traceId : r.traceIds()) {
                if (!trace(traceId).path("closed").asBoolean()) {
                  return false;
                }
              }
              return true;
            });
  }

  /** One Prometheus counter from {@code /metrics}, per service. */
  private Map<String, Long> metric(String name) throws Exception {
    Map<String, Long> out = new LinkedHashMap<>();
    Matcher m =
        Pattern.compile("(?m)^" + name + "\\{service=\"([^\"]+)\"} (\\S+)$")
            .matcher(get("/metrics"));
    while (m.find()) {
      out.put(m.group(1), (long) Double.parseDouble(m.group(2))); // counters print as 14.0
    }
    return out;
  }
}
