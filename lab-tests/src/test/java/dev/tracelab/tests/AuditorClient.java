package dev.tracelab.tests;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.orphans.ScenarioReport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads what the auditor received, over its HTTP API (the same way in every environment). */
final class AuditorClient {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final URI api;

  AuditorClient(URI api) {
    this.api = api;
  }

  record SpanView(
      String traceId,
      String spanId,
      String parentSpanId,
      String service,
      String kind,
      String name,
      double durationMs,
      String status,
      Map<String, String> attributes,
      List<LinkView> links) {
    String orderId() {
      return attributes.get("app.order_id");
    }
  }

  record LinkView(String traceId, String spanId) {}

  /** A trace; {@code closeReason} (complete, quiet, evicted) once closed, late spans after that. */
  record TraceView(
      String traceId,
      boolean closed,
      String closeReason,
      List<SpanView> spans,
      List<SpanView> lateSpans) {
    TraceView {
      lateSpans = lateSpans == null ? List.of() : lateSpans;
    }

    TraceView(String traceId, boolean closed, List<SpanView> spans) {
      this(traceId, closed, null, spans, List.of());
    }

    /**
     * One line per span, e.g. {@code consumer-svc CONSUMER process orders (late)}, for failure
     * messages.
     */
    String describe() {
      StringBuilder sb =
          new StringBuilder(
              "trace " + traceId + (closed ? " closed (" + closeReason + ")" : " open"));
      spans.forEach(
          s ->
              sb.append("\n    ")
                  .append(s.service())
                  .append(' ')
                  .append(s.kind())
                  .append(' ')
                  .append(s.name()));
      lateSpans.forEach(
          s ->
              sb.append("\n    ")
                  .append(s.service())
                  .append(' ')
                  .append(s.kind())
                  .append(' ')
                  .append(s.name())
                  .append(" (late)"));
      return sb.toString();
    }
  }

  record OrderView(String orderId, List<TraceView> traces) {}

  /** Every fragment of an order; empty when none arrived yet. */
  List<TraceView> fragmentsOf(String orderId) {
    return get("/api/orders/" + orderId, OrderView.class).map(OrderView::traces).orElse(List.of());
  }

  /** {@code GET /api/report}: the auditor's run, everything received since it started. */
  ScenarioReport report() {
    return get("/api/report", ScenarioReport.class)
        .orElseThrow(() -> new IllegalStateException("auditor at " + api + " has no /api/report"));
  }

  /** Starts a new auditor run named after {@code scenario} ({@code POST /api/runs}). */
  void startRun(dev.tracelab.flow.Scenario scenario) {
    Map<String, String> variants = new java.util.LinkedHashMap<>();
    scenario.variants().forEach((service, v) -> variants.put(service, v.id()));
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(api.resolve("/api/runs"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          JSON.writeValueAsString(
                              Map.of("name", scenario.id(), "variants", variants))))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 201) {
        throw new IllegalStateException(
            "auditor answered " + response.statusCode() + ": " + response.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("auditor unreachable at " + api, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Optional<TraceView> trace(String traceId) {
    return get("/api/traces/" + traceId, TraceView.class);
  }

  private <T> Optional<T> get(String path, Class<T> type) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(api.resolve(path)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 404) {
        return Optional.empty();
      }
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "auditor answered " + response.statusCode() + ": " + response.body());
      }
      return Optional.of(JSON.readValue(response.body(), type));
    } catch (IOException e) {
      throw new IllegalStateException("auditor unreachable at " + api, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
