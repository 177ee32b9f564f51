// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelab.auditor.cli.AuditCommand;
import dev.tracelab.auditor.input.SpanDump;
import dev.tracelab.auditor.trace.ReceivedSpan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same spans in every input format give the same report (docs/audit.md §1, docs/design.md §11):
 * a broken system written as OTLP JSON Lines, Jaeger JSON and Zipkin v2 JSON, each judged by {@code
 * audit}.
 */
class AuditFormatsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void otlpJaegerAndZipkinDumpsOfTheSameSpansGiveTheSameReport() throws Exception {
    ThirdPartySystem system = new ThirdPartySystem();
    system.breakPayments = true;
    system.breakReceipts = true;
    system.breakBackground = true;
    List<ReceivedSpan> spans = system.requests(30);

    Path otlp = dir.resolve("spans.jsonl");
    try (SpanDump dump = SpanDump.create(otlp)) {
      for (int i = 0; i < spans.size(); i += 50) {
        dump.write(spans.subList(i, Math.min(spans.size(), i + 50)));
      }
    }
    Path jaeger = dir.resolve("jaeger-download.json");
    Files.writeString(jaeger, jaeger(spans).toString());
    Path zipkin = dir.resolve("zipkin.json");
    Files.writeString(zipkin, zipkin(spans).toString());

    JsonNode fromOtlp = audit(otlp);
    assertThat(fromOtlp.path("brokenEdges")).hasSize(3);
    assertThat(audit(jaeger)).isEqualTo(fromOtlp);
    assertThat(audit(zipkin)).isEqualTo(fromOtlp);
  }

  private JsonNode audit(Path file) throws Exception {
    Path report = dir.resolve(file.getFileName() + ".report.json");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        AuditCommand.run(
            new String[] {
              "--entry", "web:SERVER", "--report-json", report.toString(), file.toString()
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isEqualTo(1);
    ObjectNode r = (ObjectNode) JSON.readTree(report.toFile());
    // what depends on the order spans arrive in (a Jaeger file holds them trace by trace) goes:
    // the pairing's leftovers, which pair is each edge's example, the order of equal counts
    r.remove("pending");
    List<JsonNode> edges = new java.util.ArrayList<>();
    r.path("brokenEdges").forEach(e -> edges.add(((ObjectNode) e.deepCopy()).without("example")));
    edges.sort(java.util.Comparator.comparing(JsonNode::toString));
    r.putArray("brokenEdges").addAll(edges);
    List<JsonNode> diagnoses = new java.util.ArrayList<>();
    r.path("diagnoses").forEach(diagnoses::add);
    diagnoses.sort(java.util.Comparator.comparing(JsonNode::toString));
    r.putArray("diagnoses").addAll(diagnoses);
    return r;
  }

  /** Jaeger's UI download: traces, spans with CHILD_OF references, tags, processes. */
  private static JsonNode jaeger(List<ReceivedSpan> spans) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode data = root.putArray("data");
    Map<String, List<ReceivedSpan>> byTrace =
        spans.stream()
            .collect(
                Collectors.groupingBy(
                    ReceivedSpan::traceId, LinkedHashMap::new, Collectors.toList()));
    byTrace.forEach(
        (traceId, trace) -> {
          ObjectNode t = data.addObject();
          t.put("traceID", traceId);
          ArrayNode out = t.putArray("spans");
          Map<String, String> processes = new LinkedHashMap<>();
          for (ReceivedSpan s : trace) {
            String process =
                processes.computeIfAbsent(s.service(), k -> "p" + (processes.size() + 1));
            ObjectNode span = out.addObject();
            span.put("traceID", s.traceId())
                .put("spanID", s.spanId())
                .put("operationName", s.name());
            ArrayNode refs = span.putArray("references");
            if (s.parentSpanId() != null) {
              refs.addObject()
                  .put("refType", "CHILD_OF")
                  .put("traceID", s.traceId())
                  .put("spanID", s.parentSpanId());
            }
            span.put("startTime", s.startEpochNanos() / 1000)
                .put("duration", (s.endEpochNanos() - s.startEpochNanos()) / 1000);
            ArrayNode tags = span.putArray("tags");
            tags.addObject()
                .put("key", "span.kind")
                .put("type", "string")
                .put("value", s.kind().name().toLowerCase(Locale.ROOT));
            s.attributes()
                .forEach(
                    (k, v) -> tags.addObject().put("key", k).put("type", "string").put("value", v));
            span.put("processID", process);
          }
          ObjectNode ps = t.putObject("processes");
          processes.forEach(
              (service, id) -> ps.putObject(id).put("serviceName", service).putArray("tags"));
        });
    return root;
  }

  /** Zipkin v2: one array of spans; INTERNAL spans carry no kind. */
  private static JsonNode zipkin(List<ReceivedSpan> spans) {
    ArrayNode out = JSON.createArrayNode();
    for (ReceivedSpan s : spans) {
      ObjectNode span = out.addObject();
      span.put("traceId", s.traceId()).put("id", s.spanId()).put("name", s.name());
      if (s.parentSpanId() != null) {
        span.put("parentId", s.parentSpanId());
      }
      if (s.kind() != io.opentelemetry.api.trace.SpanKind.INTERNAL) {
        span.put("kind", s.kind().name());
      }
      span.put("timestamp", s.startEpochNanos() / 1000)
          .put("duration", (s.endEpochNanos() - s.startEpochNanos()) / 1000);
      span.putObject("localEndpoint").put("serviceName", s.service());
      ObjectNode tags = span.putObject("tags");
      s.attributes().forEach(tags::put);
    }
    return out;
  }
}
