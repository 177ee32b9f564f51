// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.telemetry.zipkin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Exports spans as Zipkin v2 JSON ({@code POST /api/v2/spans}), so a Zipkin server shows the lab's
 * traces without a collector in between. OpenTelemetry Java stopped publishing its {@code
 * opentelemetry-exporter-zipkin} with 1.65.0; this is the lab's minimal replacement, selected the
 * same way: {@code OTEL_TRACES_EXPORTER=otlp,zipkin} and {@code OTEL_EXPORTER_ZIPKIN_ENDPOINT}
 * (default {@code http://localhost:9411/api/v2/spans}). Mapping as the OpenTelemetry spec's Zipkin
 * exporter: kind (none for INTERNAL), µs timestamps, attributes as string tags, {@code
 * otel.status_code} and {@code error} for ERROR status, scope name.
 */
public final class ZipkinJsonSpanExporter implements SpanExporter {

  public static final String DEFAULT_ENDPOINT = "http://localhost:9411/api/v2/spans";
  private static final Logger LOG = Logger.getLogger(ZipkinJsonSpanExporter.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final URI endpoint;
  private final Duration timeout;
  private final HttpClient http;
  private volatile boolean shutdown;

  public ZipkinJsonSpanExporter(URI endpoint, Duration timeout) {
    this.endpoint = endpoint;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public URI endpoint() {
    return endpoint;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (shutdown) {
      return CompletableResultCode.ofFailure();
    }
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(spans.stream().map(ZipkinJsonSpanExporter::toZipkin).toList());
    } catch (JsonProcessingException e) {
      LOG.log(Level.WARNING, "cannot encode spans for Zipkin", e);
      return CompletableResultCode.ofFailure();
    }
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    CompletableResultCode result = new CompletableResultCode();
    // asynchronous: a slow or absent Zipkin must not hold up the other exporters of the batch
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                LOG.log(Level.WARNING, "Zipkin export to " + endpoint + " failed: " + error);
                result.fail();
              } else if (response.statusCode() / 100 != 2) {
                LOG.warning("Zipkin export to " + endpoint + " answered " + response.statusCode());
                result.fail();
              } else {
                result.succeed();
              }
            });
    return result;
  }

  /** One span in Zipkin v2 JSON. */
  static Map<String, Object> toZipkin(SpanData span) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("traceId", span.getTraceId());
    out.put("id", span.getSpanId());
    if (span.getParentSpanContext().isValid()) {
      out.put("parentId", span.getParentSpanId());
    }
    if (span.getKind() != SpanKind.INTERNAL) {
      out.put("kind", span.getKind().name());
    }
    out.put("name", span.getName());
    long startMicros = TimeUnit.NANOSECONDS.toMicros(span.getStartEpochNanos());
    out.put("timestamp", startMicros);
    out.put(
        "duration",
        Math.max(1, TimeUnit.NANOSECONDS.toMicros(span.getEndEpochNanos()) - startMicros));
    String service = span.getResource().getAttribute(SERVICE_NAME);
    out.put("localEndpoint", Map.of("serviceName", service == null ? "unknown_service" : service));
    Map<String, String> tags = new LinkedHashMap<>();
    span.getAttributes().forEach((key, value) -> tags.put(key.getKey(), tagValue(value)));
    String scope = span.getInstrumentationScopeInfo().getName();
    if (scope != null && !scope.isEmpty()) {
      tags.put("otel.scope.name", scope);
    }
    if (span.getStatus().getStatusCode() == StatusCode.ERROR) {
      tags.put("otel.status_code", "ERROR");
      String description = span.getStatus().getDescription();
      tags.put("error", description == null || description.isEmpty() ? "true" : description);
    }
    if (!tags.isEmpty()) {
      out.put("tags", tags);
    }
    return out;
  }

  private static String tagValue(Object value) {
    if (value instanceof List<?> list) {
      List<String> parts = new ArrayList<>(list.size());
      for (Object o : list) {
        parts.add(String.valueOf(o));
      }
      try {
        return JSON.writeValueAsString(parts);
      } catch (JsonProcessingException e) {
        return String.join(",", parts);
      }
    }
    return String.valueOf(value);
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    shutdown = true;
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public String toString() {
    return "ZipkinJsonSpanExporter{endpoint=" + endpoint + "}";
  }
}
