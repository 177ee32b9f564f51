// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.sampling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads what the tier produced: Zipkin's trace API, the tails' Prometheus metrics and their file
 * exporters.
 */
public final class TierProbe {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final String zipkinUrl;

  public TierProbe(String zipkinUrl) {
    this.zipkinUrl = zipkinUrl;
  }

  /** One span as Zipkin stores it. */
  public record ZipkinSpan(
      String traceId,
      String id,
      String parentId,
      String service,
      String kind,
      String name,
      long durationMicros,
      boolean error) {}

  /** GET /api/v2/trace/{id}: the spans Zipkin holds for the trace, empty when it answers 404. */
  public List<ZipkinSpan> zipkinTrace(String traceId) {
    HttpResponse<String> r =
        get(URI.create(zipkinUrl + "/api/v2/trace/" + traceId.toLowerCase(Locale.ROOT)));
    if (r.statusCode() == 404) {
      return List.of();
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "Zipkin answered " + r.statusCode() + " for trace " + traceId + ": " + r.body());
    }
    List<ZipkinSpan> spans = new ArrayList<>();
    try {
      for (JsonNode s : JSON.readTree(r.body())) {
        JsonNode tags = s.path("tags");
        boolean error = tags.has("error") || "ERROR".equals(tags.path("otel.status_code").asText());
        spans.add(
            new ZipkinSpan(
                s.path("traceId").asText(),
                s.path("id").asText(),
                s.hasNonNull("parentId") ? s.get("parentId").asText() : null,
                s.path("localEndpoint").path("serviceName").asText(),
                s.path("kind").asText("INTERNAL"),
                s.path("name").asText(),
                s.path("duration").asLong(),
                error));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Zipkin's answer for " + traceId + " is not JSON", e);
    }
    return spans;
  }

  /** One Prometheus sample. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /** The {@code otelcol_processor_tail_sampling_*} samples of one tail's /metrics. */
  public List<Sample> tailSamplingMetrics(URI metricsUrl) {
    HttpResponse<String> r = get(metricsUrl);
    if (r.statusCode() != 200) {
      throw new IllegalStateException(metricsUrl + " answered " + r.statusCode());
    }
    List<Sample> samples = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("otelcol_processor_tail_sampling_")) {
        samples.add(parseSample(line));
      }
    }
    return samples;
  }

  static Sample parseSample(String line) {
    int brace = line.indexOf('{');
    int space = line.lastIndexOf(' ');
    String name;
    Map<String, String> labels = new LinkedHashMap<>();
    if (brace > 0 && brace < space) {
      name = line.substring(0, brace);
      String body = line.substring(brace + 1, line.lastIndexOf('}'));
      int i = 0;
      while (i < body.length()) {
        int eq = body.indexOf('=', i);
        int start = eq + 2; // skip ="
        StringBuilder value = new StringBuilder();
        int j = start;
        for (; j < body.length() && body.charAt(j) != '"'; j++) {
          if (body.charAt(j) == '\\' && j + 1 < body.length()) {
            j++;
          }
          value.append(body.charAt(j));
        }
        labels.put(body.substring(i, eq).trim(), value.toString());
        i = j + 1;
        if (i < body.length() && body.charAt(i) == ',') {
          i++;
        }
      }
    } else {
      name = line.substring(0, space);
    }
    return new Sample(name, labels, Double.parseDouble(line.substring(space + 1).trim()));
  }

  /** Sum of a metric's samples whose labels include {@code match}. */
  public static double sum(List<Sample> samples, String suffix, Map<String, String> match) {
    return samples.stream()
        .filter(s -> s.name().equals("otelcol_processor_tail_sampling_" + suffix))
        .filter(
            s ->
                match.entrySet().stream()
                    .allMatch(e -> e.getValue().equals(s.labels().get(e.getKey()))))
        .mapToDouble(Sample::value)
        .sum();
  }

  /**
   * A file exporter's output (one OTLP/JSON request per line): span count per trace id. A line
   * still being written (no newline yet, or cut) is skipped.
   */
  public static Map<String, Integer> spansPerTrace(Path file) {
    Map<String, Integer> spans = new HashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode request;
        try {
          request = JSON.readTree(line);
        } catch (IOException partial) {
          continue;
        }
        for (JsonNode rs : request.path("resourceSpans")) {
          for (JsonNode ss : rs.path("scopeSpans")) {
            for (JsonNode s : ss.path("spans")) {
              spans.merge(s.path("traceId").asText().toLowerCase(Locale.ROOT), 1, Integer::sum);
            }
          }
        }
      }
    } catch (NoSuchFileException notYet) {
      return spans;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return spans;
  }

  private HttpResponse<String> get(URI uri) {
    try {
      return http.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + uri + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
