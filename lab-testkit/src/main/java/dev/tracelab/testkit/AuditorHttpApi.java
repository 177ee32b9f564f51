// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.orphans.AuditReport;
import io.opentelemetry.api.trace.SpanKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads a running auditor over its HTTP API ({@code /api/report}, {@code /api/traces/{id}}, {@code
 * /api/orders/{value}}, {@code /metrics}): what {@link TracelabAuditorContainer} and {@link
 * TracelabAuditorClient} answer the assertions with.
 */
final class AuditorHttpApi {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final Supplier<String> baseUrl;

  /**
   * @param baseUrl the API's base URL, read at each call (a container maps its port once started)
   */
  AuditorHttpApi(Supplier<String> baseUrl) {
    this.baseUrl = baseUrl;
  }

  AuditReport report() {
    try {
      return JSON.treeToValue(
          // format=audit: an auditor outside audit mode answers its run as the generic report too
          get("/api/report?format=audit")
              .orElseThrow(() -> new IllegalStateException("no /api/report")),
          AuditReport.class);
    } catch (IOException e) {
      throw new UncheckedIOException("the auditor's /api/report could not be read", e);
    }
  }

  Optional<AuditedTrace> trace(String traceId) {
    Objects.requireNonNull(traceId, "traceId");
    return get("/api/traces/" + pathSegment(traceId)).map(AuditorHttpApi::trace);
  }

  List<AuditedTrace> tracesWith(String correlationValue) {
    Objects.requireNonNull(correlationValue, "correlationValue");
    List<AuditedTrace> traces = new ArrayList<>();
    get("/api/orders/" + pathSegment(correlationValue))
        .ifPresent(order -> order.path("traces").forEach(t -> traces.add(trace(t))));
    return traces;
  }

  int tracesInFlight() {
    String metrics = send("/metrics").body();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("tracelab_traces_in_flight ")) {
        // a gauge: the Prometheus writer prints it as a double (3.0)
        return (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
      }
    }
    throw new IllegalStateException("the auditor's /metrics has no tracelab_traces_in_flight");
  }

  /** A JSON answer of the API; empty on 404. */
  private Optional<JsonNode> get(String path) {
    HttpResponse<String> response = send(path);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(response.body()));
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " answered no JSON", e);
    }
  }

  private HttpResponse<String> send(String path) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(baseUrl.get() + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (response.statusCode() != 200 && response.statusCode() != 404) {
        throw new IllegalStateException(
            "GET " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the auditor", e);
    }
  }

  /** Percent-encodes everything but RFC 3986's unreserved characters. */
  private static String pathSegment(String value) {
    StringBuilder sb = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-._~".indexOf(c) >= 0) {
        sb.append(c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  private static AuditedTrace trace(JsonNode t) {
    return new AuditedTrace(
        t.path("traceId").asText(),
        t.path("closed").asBoolean(),
        spans(t.path("spans")),
        spans(t.path("lateSpans")));
  }

  private static List<AuditedSpan> spans(JsonNode spans) {
    List<AuditedSpan> out = new ArrayList<>();
    for (JsonNode s : spans) {
      Map<String, String> attributes = new LinkedHashMap<>();
      s.path("attributes")
          .fields()
          .forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
      List<AuditedSpan.Link> links = new ArrayList<>();
      for (JsonNode l : s.path("links")) {
        links.add(new AuditedSpan.Link(l.path("traceId").asText(), l.path("spanId").asText()));
      }
      JsonNode parent = s.path("parentSpanId");
      out.add(
          new AuditedSpan(
              s.path("traceId").asText(),
              s.path("spanId").asText(),
              parent.isTextual() ? parent.asText() : null,
              s.path("service").asText(),
              SpanKind.valueOf(s.path("kind").asText()),
              s.path("name").asText(),
              "ERROR".equals(s.path("status").asText()),
              attributes,
              links));
    }
    return out;
  }
}
