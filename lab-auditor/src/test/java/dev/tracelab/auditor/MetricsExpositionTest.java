// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} stays valid Prometheus text (format 0.0.4) whatever {@code service.name} a
 * sender picks: quotes, backslashes, line feeds and a very long value are escaped by the library,
 * the whole exposition parses with a strict parser of the format, and every value reads back as
 * sent. Crafted OTLP over real HTTP on loopback.
 */
class MetricsExpositionTest {

  private static final List<String> HOSTILE =
      List.of(
          "quote\"d",
          "back\\slash",
          "line\nfeed",
          "all\\\"\n\\n\"} 1\n# TYPE tracelab_spans_received_total gauge\nevil{service=\"x\"} 9",
          "long-" + "x".repeat(20_000),
          "ünïcödé ✓, {a=\"b\"}");

  private final HttpClient http = HttpClient.newHttpClient();
  private final Auditor auditor =
      Auditor.builder().setOtlpPort(0).setApiPort(0).setQuietWindow(Duration.ofMillis(200)).start();

  @AfterEach
  void stop() {
    auditor.close();
  }

  @Test
  void hostileServiceNamesAreEscapedTheExpositionParsesAndTheValuesRoundTrip() throws Exception {
    for (int i = 0; i < HOSTILE.size(); i++) {
      post(request(HOSTILE.get(i), String.format("%032x", 0xe500 + i), i + 1));
    }
    await("traces closed")
        .atMost(Duration.ofSeconds(10))
        .until(() -> auditor.assembler().tracesInFlight() == 0);

    HttpResponse<String> r = get("/metrics");
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    Exposition e = Exposition.parse(r.body());

    Map<String, Double> received = new HashMap<>();
    for (Sample s : e.samples("tracelab_spans_received_total")) {
      assertThat(s.labels().keySet()).containsExactly("service");
      received.put(s.labels().get("service"), s.value());
    }
    Map<String, Double> expected = new HashMap<>();
    HOSTILE.forEach(name -> expected.put(name, 1.0));
    assertThat(received).isEqualTo(expected);
    Map<String, Double> analysed = new HashMap<>();
    for (Sample s : e.samples("tracelab_analysed_spans_total")) {
      analysed.put(s.labels().get("service"), s.value());
    }
    assertThat(analysed)
        .containsAllEntriesOf(expected)
        .containsEntry("gateway-svc", 0.0)
        .containsEntry("worker-svc", 0.0)
        .containsEntry("consumer-svc", 0.0)
        .hasSize(HOSTILE.size() + 3);
    assertThat(e.types())
        .containsEntry("tracelab_spans_received_total", "counter")
        .containsEntry("tracelab_orphan_rate", "gauge")
        .doesNotContainKey("evil");
    assertThat(e.samples("evil")).isEmpty();
    assertThat(e.help("tracelab_cap_hits_total")).contains("service=\"other\"");
    assertThat(e.samples("tracelab_otlp_requests_total"))
        .containsExactly(new Sample("tracelab_otlp_requests_total", Map.of(), HOSTILE.size()));
  }

  @Test
  void theParserRejectsAnUnescapedLineFeedInALabelValue() {
    String broken =
        "# TYPE m counter\nm{service=\"line\nfeed\"} 1\n"; // what a writer without escaping sends
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Exposition.parse(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2");
  }

  // --- a strict parser of the Prometheus text format 0.0.4 (what a scraper reads)

  record Sample(String name, Map<String, String> labels, double value) {}

  record Exposition(List<Sample> all, Map<String, String> types, Map<String, String> helps) {

    List<Sample> samples(String name) {
      return all.stream().filter(s -> s.name().equals(name)).toList();
    }

    String help(String name) {
      return helps.get(name);
    }

    static Exposition parse(String text) {
      assertThat(text).endsWith("\n");
      List<Sample> samples = new ArrayList<>();
      Map<String, String> types = new LinkedHashMap<>();
      Map<String, String> helps = new LinkedHashMap<>();
      String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
      for (int n = 0; n < lines.length; n++) {
        String line = lines[n];
        try {
          if (line.startsWith("# HELP ")) {
            String rest = line.substring(7);
            int sp = rest.indexOf(' ');
            helps.put(name(rest.substring(0, sp)), unescape(rest.substring(sp + 1), false));
          } else if (line.startsWith("# TYPE ")) {
            String[] parts = line.substring(7).split(" ");
            if (parts.length != 2 || !parts[1].matches("counter|gauge|histogram|summary|untyped")) {
              throw new IllegalArgumentException("bad TYPE");
            }
            types.put(name(parts[0]), parts[1]);
          } else if (!line.startsWith("#")) {
            samples.add(sample(line, types));
          }
        } catch (RuntimeException ex) {
          throw new IllegalArgumentException(
              "line " + (n + 1) + ": " + ex.getMessage() + ": " + line, ex);
        }
      }
      return new Exposition(samples, types, helps);
    }

    private static Sample sample(String line, Map<String, String> types) {
      int i = 0;
      while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
        i++;
      }
      String name = name(line.substring(0, i));
      Map<String, String> labels = new LinkedHashMap<>();
      if (i < line.length() && line.charAt(i) == '{') {
        i++;
        while (line.charAt(i) != '}') {
          int eq = line.indexOf('=', i);
          String label = line.substring(i, eq);
          if (!label.matches("[a-zA-Z_][a-zA-Z0-9_]*") || line.charAt(eq + 1) != '"') {
            throw new IllegalArgumentException("bad label at " + i);
          }
          StringBuilder v = new StringBuilder();
          int j = eq + 2;
          for (; line.charAt(j) != '"'; j++) {
            char c = line.charAt(j);
            if (c == '\\') {
              char next = line.charAt(++j);
              switch (next) {
                case '\\' -> v.append('\\');
                case '"' -> v.append('"');
                case 'n' -> v.append('\n');
                default -> throw new IllegalArgumentException("bad escape \\" + next);
              }
            } else {
              v.append(c);
            }
          }
          if (labels.put(label, v.toString()) != null) {
            throw new IllegalArgumentException("label twice: " + label);
          }
          i = j + 1;
          if (line.charAt(i) == ',') {
            i++;
          } else if (line.charAt(i) != '}') {
            throw new IllegalArgumentException("expected , or } at " + i);
          }
        }
        i++;
      }
      if (line.charAt(i) != ' ') {
        throw new IllegalArgumentException("expected a space before the value at " + i);
      }
      String[] rest = line.substring(i + 1).split(" ");
      if (rest.length > 2) {
        throw new IllegalArgumentException("trailing text");
      }
      String base = name.replaceFirst("_(total|sum|count|bucket)$", "");
      if (!types.containsKey(name) && !types.containsKey(base)) {
        throw new IllegalArgumentException("no TYPE before the sample " + name);
      }
      return new Sample(name, labels, Double.parseDouble(rest[0]));
    }

    private static String name(String s) {
      if (!s.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
        throw new IllegalArgumentException("bad metric name " + s);
      }
      return s;
    }

    private static String unescape(String s, boolean quotes) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char next = s.charAt(++i);
        switch (next) {
          case '\\' -> out.append('\\');
          case 'n' -> out.append('\n');
          case '"' -> {
            if (!quotes) {
              throw new IllegalArgumentException("bad escape \\\"");
            }
            out.append('"');
          }
          default -> throw new IllegalArgumentException("bad escape \\" + next);
        }
      }
      return out.toString();
    }
  }

  // --- helpers

  private static byte[] request(String service, String traceId, int spanId) {
    Span span =
        Span.newBuilder()
            .setTraceId(ByteString.fromHex(traceId))
            .setSpanId(ByteString.fromHex(String.format("%016x", spanId)))
            .setName("step")
            .setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .setStartTimeUnixNano(1_700_000_000_000_000_000L)
            .setEndTimeUnixNano(1_700_000_000_001_000_000L)
            .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(
                            KeyValue.newBuilder()
                                .setKey("service.name")
                                .setValue(AnyValue.newBuilder().setStringValue(service))))
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
        .build()
        .toByteArray();
  }

  private void post(byte[] body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(auditor.otlpEndpoint() + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(auditor.apiUrl() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r;
  }
}
