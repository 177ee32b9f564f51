// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import dev.tracelab.auditor.input.SpanFiles.Format;
import dev.tracelab.auditor.otlp.OtlpDecoder;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One crafted set of spans (3 services, 2 traces: a root linked to the other trace, an error span,
 * a CLIENT span naming its server) written in every format by the small writers below, each
 * translating the OTLP request as the OpenTelemetry exporters and Jaeger do; every file reads back
 * to exactly the spans the auditor's OTLP decoder makes of the request, but for what a format
 * cannot carry. Then malformed and hostile files, and one large file read as a stream.
 */
class SpanFilesTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final String T1 = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String T2 = "0af7651916cd43dd8448eb211c80319c";
  private static final String GATEWAY_SERVER = "a000000000000001";
  private static final String GATEWAY_CLIENT = "a000000000000002";
  private static final String WORKER_SERVER = "b000000000000003";
  private static final String WORKER_PRODUCER = "b000000000000004";
  private static final String CONSUMER_ROOT = "c000000000000005";
  private static final String CONSUMER_STORE = "c000000000000006";
  private static final long T0 = 1_700_000_000_123_456_000L; // epoch nanos, a whole microsecond

  @TempDir Path dir;

  // ---- the crafted request

  private static final ExportTraceServiceRequest REQUEST =
      ExportTraceServiceRequest.newBuilder()
          .addResourceSpans(
              resource(
                  "gateway-svc",
                  null,
                  span(
                          T1,
                          GATEWAY_SERVER,
                          null,
                          "GET /orders",
                          Span.SpanKind.SPAN_KIND_SERVER,
                          0,
                          9_000)
                      .addAttributes(kv("http.request.method", "GET"))
                      .addAttributes(
                          kv("http.response.status_code", AnyValue.newBuilder().setIntValue(200)))
                      .addAttributes(kv("app.order_id", "o-1")),
                  span(
                          T1,
                          GATEWAY_CLIENT,
                          GATEWAY_SERVER,
                          "POST",
                          Span.SpanKind.SPAN_KIND_CLIENT,
                          1_000,
                          8_000)
                      .addAttributes(kv("server.address", "worker-svc"))
                      .addAttributes(kv("server.port", AnyValue.newBuilder().setIntValue(8082)))
                      .addAttributes(kv("url.full", "http://worker-svc:8082/work"))))
          .addResourceSpans(
              resource(
                  "worker-svc",
                  "alice",
                  span(
                          T1,
                          WORKER_SERVER,
                          GATEWAY_CLIENT,
                          "POST /work",
                          Span.SpanKind.SPAN_KIND_SERVER,
                          2_000,
                          7_000)
                      .setStatus(
                          Status.newBuilder()
                              .setCode(Status.StatusCode.STATUS_CODE_ERROR)
                              .setMessage("boom"))
                      .addAttributes(kv("retry", AnyValue.newBuilder().setBoolValue(true)))
                      .addAttributes(kv("app.order_id", "o-1")),
                  span(
                          T1,
                          WORKER_PRODUCER,
                          WORKER_SERVER,
                          "orders publish",
                          Span.SpanKind.SPAN_KIND_PRODUCER,
                          3_000,
                          3_500)
                      .addAttributes(kv("messaging.system", "kafka"))
                      .addAttributes(kv("messaging.destination.name", "orders"))))
          .addResourceSpans(
              resource(
                  "consumer-svc",
                  null,
                  span(
                          T2,
                          CONSUMER_ROOT,
                          null,
                          "orders process",
                          Span.SpanKind.SPAN_KIND_CONSUMER,
                          10_000,
                          15_000)
                      .addLinks(
                          Span.Link.newBuilder()
                              .setTraceId(bytes(T1))
                              .setSpanId(bytes(WORKER_PRODUCER)))
                      .addAttributes(
                          kv("messaging.batch.fill", AnyValue.newBuilder().setDoubleValue(0.25))),
                  span(
                          T2,
                          CONSUMER_STORE,
                          CONSUMER_ROOT,
                          "store",
                          Span.SpanKind.SPAN_KIND_INTERNAL,
                          11_000,
                          14_000)
                      .addAttributes(kv("db.system", "postgresql"))))
          .build();

  /** What the auditor makes of the request, sorted by span id. */
  private static List<ReceivedSpan> expected() {
    return sorted(OtlpDecoder.decodeProtobuf(REQUEST.toByteArray()));
  }

  @Test
  void theCraftedSpansAreWhatTheDecoderMakesOfTheRequest() {
    assertThat(expected()).hasSize(6);
    assertThat(expected().get(1))
        .isEqualTo(
            new ReceivedSpan(
                T1,
                GATEWAY_CLIENT,
                GATEWAY_SERVER,
                "gateway-svc",
                SpanKind.CLIENT,
                "POST",
                T0 + 1_000_000,
                T0 + 8_000_000,
                false,
                Map.of(
                    "server.address",
                    "worker-svc",
                    "server.port",
                    "8082",
                    "url.full",
                    "http://worker-svc:8082/work")));
    assertThat(expected().get(2))
        .isEqualTo(
            new ReceivedSpan(
                T1,
                WORKER_SERVER,
                GATEWAY_CLIENT,
                "worker-svc",
                SpanKind.SERVER,
                "POST /work",
                T0 + 2_000_000,
                T0 + 7_000_000,
                true,
                Map.of("retry", "true", "app.order_id", "o-1", "learner", "alice")));
    assertThat(expected().get(4))
        .isEqualTo(
            new ReceivedSpan(
                T2,
                CONSUMER_ROOT,
                null,
                "consumer-svc",
                SpanKind.CONSUMER,
                "orders process",
                T0 + 10_000_000,
                T0 + 15_000_000,
                false,
                Map.of("messaging.batch.fill", "0.25"),
                List.of(new ReceivedSpan.Link(T1, WORKER_PRODUCER))));
  }

  // ---- every format reads back to the same spans

  @Test
  void otlpJsonWithSnakeCaseNamesEnumNamesAndNumericTimesOverManyLines() throws Exception {
    Path file = dir.resolve("request.json");
    writeOtlpJson(REQUEST, file);
    assertThat(Files.readAllLines(file)).hasSizeGreaterThan(100);

    assertThat(read(file, Format.OTLP_JSON)).isEqualTo(expected());
  }

  @Test
  void otlpJsonLinesWrittenByOtlpJsonLines() throws Exception {
    Path file = dir.resolve("spans.jsonl");
    try (Writer out = Files.newBufferedWriter(file)) {
      writeLines(REQUEST, out);
    }
    assertThat(Files.readAllLines(file)).hasSize(3);

    assertThat(read(file, Format.OTLP_JSON_LINES)).isEqualTo(expected());
  }

  @Test
  void gzippedOtlpJsonLinesWhateverTheFileIsNamed() throws Exception {
    Path file = dir.resolve("spans.json");
    try (Writer out =
        new OutputStreamWriter(
            new GZIPOutputStream(Files.newOutputStream(file)), StandardCharsets.UTF_8)) {
      writeLines(REQUEST, out);
    }

    assertThat(read(file, Format.OTLP_JSON_LINES)).isEqualTo(expected());
  }

  /**
   * Jaeger keeps all but the status, which it holds in tags: the error span reads with the
   * attribute {@code error=true}, Jaeger's error flag (otel.status_code and the scope are dropped).
   */
  @Test
  void jaegerQueryAnswer() throws Exception {
    Path file = dir.resolve("trace.txt");
    writeJaeger(REQUEST, file, false);

    assertThat(read(file, Format.JAEGER_JSON))
        .isEqualTo(expectedWith(WORKER_SERVER, "error", "true"));
  }

  @Test
  void jaegerTopLevelArrayOfTraces() throws Exception {
    Path file = dir.resolve("traces.json");
    writeJaeger(REQUEST, file, true);

    assertThat(read(file, Format.JAEGER_JSON))
        .isEqualTo(expectedWith(WORKER_SERVER, "error", "true"));
  }

  /**
   * Zipkin keeps no links, and holds the status in tags: the error span reads with the attribute
   * {@code error=boom}, Zipkin's error tag carrying the status message.
   */
  @Test
  void zipkinV2() throws Exception {
    Path file = dir.resolve("zipkin.json");
    writeZipkin(REQUEST, file);

    List<ReceivedSpan> expected =
        expectedWith(WORKER_SERVER, "error", "boom").stream()
            .map(span -> copy(span, span.attributes(), List.of()))
            .toList();
    assertThat(read(file, Format.ZIPKIN_JSON)).isEqualTo(expected);
  }

  // ---- details of the formats

  @Test
  void zipkinClientAndProducerSpansNameTheirServerFromTheRemoteEndpoint() throws Exception {
    Path file =
        write(
            "remote.json",
            """
        [{"traceId": "a3ce929d0e0e4736", "id": "00f067aa0ba90201", "kind": "CLIENT", "name": "get",
          "timestamp": 1700000000000001, "duration": 20,
          "localEndpoint": {"serviceName": "gateway-svc"}, "remoteEndpoint": {"ipv4": "10.1.2.3", "port": 8082}},
         {"traceId": "a3ce929d0e0e4736", "id": "00f067aa0ba90202", "parentId": "00f067aa0ba90201",
          "kind": "PRODUCER", "name": "send", "localEndpoint": {"serviceName": "worker-svc"},
          "remoteEndpoint": {"ipv6": "2001:db8::1", "port": 9092}, "tags": {"error": ""}},
         {"traceId": "a3ce929d0e0e4736", "id": "00f067aa0ba90203", "kind": "CLIENT", "name": "named",
          "remoteEndpoint": {"ipv4": "10.1.2.3", "port": 8082}, "tags": {"server.address": "worker-svc"}},
         {"traceId": "a3ce929d0e0e4736", "id": "00f067aa0ba90204", "kind": "SERVER", "name": "served",
          "remoteEndpoint": {"ipv4": "10.1.2.4", "port": 51000}, "shared": true}]
        """);

    String trace = "0000000000000000a3ce929d0e0e4736";
    assertThat(read(file, Format.ZIPKIN_JSON))
        .containsExactly(
            new ReceivedSpan(
                trace,
                "00f067aa0ba90201",
                null,
                "gateway-svc",
                SpanKind.CLIENT,
                "get",
                1_700_000_000_000_001_000L,
                1_700_000_000_000_021_000L,
                false,
                Map.of("server.address", "10.1.2.3", "server.port", "8082")),
            new ReceivedSpan(
                trace,
                "00f067aa0ba90202",
                "00f067aa0ba90201",
                "worker-svc",
                SpanKind.PRODUCER,
                "send",
                0,
                0,
                true,
                Map.of("error", "", "server.address", "2001:db8::1", "server.port", "9092")),
            new ReceivedSpan(
                trace,
                "00f067aa0ba90203",
                null,
                "unknown_service",
                SpanKind.CLIENT,
                "named",
                0,
                0,
                false,
                Map.of("server.address", "worker-svc")),
            new ReceivedSpan(
                trace,
                "00f067aa0ba90204",
                null,
                "unknown_service",
                SpanKind.SERVER,
                "served",
                0,
                0,
                false,
                Map.of()));
  }

  @Test
  void aJaegerSpanWithoutChildOfTakesItsFirstReferenceWithinItsTraceAsParent() throws Exception {
    Path file =
        write(
            "refs.json",
            """
        {"data": [{"traceID": "a3ce929d0e0e4736", "spans": [{"traceID": "a3ce929d0e0e4736",
          "spanID": "00f067aa0ba90201", "operationName": "next", "startTime": 5, "duration": 2,
          "references": [
            {"refType": "FOLLOWS_FROM", "traceID": "4bf92f3577b34da6a3ce929d0e0e4736", "spanID": "b7ad6b7169203331"},
            {"refType": "FOLLOWS_FROM", "traceID": "a3ce929d0e0e4736", "spanID": "00f067aa0ba90200"}],
          "tags": [{"key": "span.kind", "type": "string", "value": "consumer"},
                   {"key": "otel.scope.name", "type": "string", "value": "kafka"},
                   {"key": "size", "type": "int64", "value": 3},
                   {"key": "raw", "type": "binary", "value": "AQI="}],
          "processID": "p1"}],
          "processes": {"p1": {"serviceName": "consumer-svc",
                               "tags": [{"key": "learner", "type": "string", "value": "bob"}]}}}]}
        """);

    assertThat(read(file, Format.JAEGER_JSON))
        .containsExactly(
            new ReceivedSpan(
                "0000000000000000a3ce929d0e0e4736",
                "00f067aa0ba90201",
                "00f067aa0ba90200",
                "consumer-svc",
                SpanKind.CONSUMER,
                "next",
                5_000,
                7_000,
                false,
                Map.of("size", "3", "raw", "0102", "learner", "bob"),
                List.of(new ReceivedSpan.Link(T1, "b7ad6b7169203331"))));
  }

  @Test
  void anEmptyContainerHoldsNoSpans() throws Exception {
    assertThat(read(write("a.json", "{\"resourceSpans\": []}"), Format.OTLP_JSON)).isEmpty();
    assertThat(read(write("b.json", "{}\n{}\n"), Format.OTLP_JSON_LINES)).isEmpty();
    assertThat(read(write("c.json", "{\"data\": []}"), Format.JAEGER_JSON)).isEmpty();
    assertThat(read(write("d.json", " [ ] "), Format.ZIPKIN_JSON)).isEmpty();
  }

  /**
   * What the writer writes: one line, ids in hex, enums as numbers; spans the decoder rejects and
   * links it drops are left out, so that the line reads back to what the auditor decoded.
   */
  @Test
  void otlpJsonLinesWritesOneLineWithHexIdsAndLeavesOutWhatTheDecoderRejects() throws Exception {
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                resource(
                    "worker-svc",
                    null,
                    span(T1, WORKER_SERVER, null, "ok", Span.SpanKind.SPAN_KIND_SERVER, 0, 1)
                        .addLinks(
                            Span.Link.newBuilder()
                                .setTraceId(bytes(T2))
                                .setSpanId(ByteString.copyFrom(new byte[8]))),
                    span(T1, "0badbad0", null, "short id", Span.SpanKind.SPAN_KIND_SERVER, 0, 1)))
            .build();
    StringWriter out = new StringWriter();
    OtlpJsonLines.write(request, out);

    assertThat(out.toString())
        .isEqualTo(
            "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                + "\"value\":{\"stringValue\":\"worker-svc\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"lab\"},\"spans\":"
                + "[{\"traceId\":\""
                + T1
                + "\",\"spanId\":\""
                + WORKER_SERVER
                + "\",\"name\":\"ok\",\"kind\":2,"
                + "\"startTimeUnixNano\":\""
                + T0
                + "\",\"endTimeUnixNano\":\""
                + (T0 + 1_000)
                + "\"}]}]}]}\n");
    Path file = write("one.jsonl", out.toString());
    assertThat(read(file, Format.OTLP_JSON))
        .isEqualTo(OtlpDecoder.decodeProtobuf(request.toByteArray()));
  }

  // ---- malformed and hostile files

  @Test
  void truncatedJson() throws Exception {
    StringWriter lines = new StringWriter();
    writeLines(REQUEST, lines);
    String text = lines.toString();
    int cut = text.indexOf('\n') + 1 + 200; // 200 characters into the second line
    Path file = write("cut.jsonl", text.substring(0, cut));

    assertProblem(file, "2:201: unexpected end of file: the JSON is truncated");
  }

  @Test
  void anIdOfTheWrongLength() throws Exception {
    Path file =
        write(
            "spans.json",
            """
        [
          {"traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
           "id": "xyz", "name": "GET /"}
        ]
        """);

    assertProblem(file, "3:10: span \"id\" must be 16 hex digits, was \"xyz\"");
  }

  @Test
  void aNumberWhereAStringIsExpected() throws Exception {
    Path file =
        write(
            "trace.json",
            """
        {"data": [{
          "traceID": "4bf92f3577b34da6a3ce929d0e0e4736",
          "spans": [{
            "traceID": "4bf92f3577b34da6a3ce929d0e0e4736",
            "spanID": "00f067aa0ba902b7",
            "operationName": 42
        """);

    assertProblem(file, "6:22: span \"operationName\" must be a string, was 42");
  }

  @Test
  void anUnknownTopLevelShape() throws Exception {
    assertProblem(write("traces.json", "{\"traces\": []}"), "1:1: " + SpanFiles.NOT_A_DUMP);
    assertProblem(write("numbers.json", "[1, 2]"), "1:1: " + SpanFiles.NOT_A_DUMP);
    assertProblem(write("text.txt", "trace 4bf92f35 closed\n"), "1:1: " + SpanFiles.NOT_A_DUMP);
  }

  @Test
  void anEmptyFile() throws Exception {
    String empty =
        "1:1: empty file: expected OTLP JSON, OTLP JSON Lines, Jaeger JSON or Zipkin v2 JSON";
    assertProblem(write("empty.json", ""), empty);
    assertProblem(write("blank.json", "\n  \n"), empty);
  }

  @Test
  void anAllZeroIdAndAnOtlpIdInBase64() throws Exception {
    Path zero =
        write(
            "zero.json",
            "[{\"traceId\": \"" + "0".repeat(32) + "\", \"id\": \"00f067aa0ba902b7\"}]");
    assertProblem(zero, "1:14: span \"traceId\" must not be all zeros");
    Path base64 =
        write(
            "base64.json",
            "{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"traceId\": \"S/kvNXezTaajzpKdDg5HNg==\"}]}]}]}");
    assertProblem(
        base64, "1:59: span \"traceId\" must be 32 hex digits, was \"S/kvNXezTaajzpKdDg5HNg==\"");
  }

  @Test
  void aStringLongerThanTheLimitAndNestingDeeperThanTheLimitAreErrorsWithTheirPlace()
      throws Exception {
    Path longName =
        write(
            "long.json",
            "[{\"traceId\": \"a3ce929d0e0e4736\",\n \"name\": \""
                + "x".repeat(JsonInput.MAX_STRING_CHARS + 1)
                + "\"}]");
    assertThatThrownBy(() -> SpanFiles.read(longName, span -> {}))
        .isInstanceOf(SpanFileException.class)
        .hasMessageStartingWith(longName + ":2:")
        .hasMessageContaining("String value length (1048577) exceeds the maximum allowed (1048576");
    Path deep =
        write(
            "deep.json",
            "[{\"traceId\": \"a3ce929d0e0e4736\", \"annotations\": "
                + "[".repeat(70)
                + "]".repeat(70)
                + "}]");
    assertThatThrownBy(() -> SpanFiles.read(deep, span -> {}))
        .isInstanceOf(SpanFileException.class)
        .hasMessage(
            deep
                + ":1:112: Document nesting depth (65) exceeds the maximum allowed (64, from "
                + "`StreamReadConstraints.getMaxNestingDepth()`)");
  }

  @Test
  void aJaegerTraceOfTooManySpansIsAnErrorAtTheFirstSpanTooMany() throws Exception {
    Path file = dir.resolve("huge-trace.json");
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      out.write("{\"data\": [{\"traceID\": \"" + T1 + "\", \"spans\": [\n");
      for (int i = 1; i <= JsonInput.MAX_HELD_SPANS + 1; i++) {
        out.write(
            (i == 1 ? "" : ",")
                + "{\"traceID\": \""
                + T1
                + "\", \"spanID\": \""
                + HEX.toHexDigits((long) i)
                + "\", \"operationName\": \"s\", \"startTime\": 1, \"duration\": 1, \"processID\": \"p1\"}\n");
      }
      out.write("], \"processes\": {\"p1\": {\"serviceName\": \"worker-svc\"}}}]}\n");
    }
    List<ReceivedSpan> read = new ArrayList<>();

    assertProblem(
        file, (JsonInput.MAX_HELD_SPANS + 2) + ":2: a Jaeger trace of more than 50000 spans", read);
    assertThat(read).isEmpty();
  }

  // ---- a large file, streamed

  /**
   * About 200 MB of OTLP JSON Lines (300 000 spans) read with the test JVM's heap as it is: the
   * reader holds one span at a time. Takes a few seconds.
   */
  @Test
  void aLargeJsonLinesFileIsStreamed() throws Exception {
    Path file = dir.resolve("large.jsonl");
    int lines = 1_000;
    int spansPerLine = 300;
    String padding = "p".repeat(300);
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      StringBuilder line = new StringBuilder(256 * 1024);
      for (int l = 0; l < lines; l++) {
        line.setLength(0);
        line.append(
                "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":")
            .append(
                "{\"stringValue\":\"worker-svc\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"load\"},\"spans\":[");
        for (int s = 0; s < spansPerLine; s++) {
          long n = (long) l * spansPerLine + s + 1;
          line.append(s == 0 ? "{" : ",{")
              .append("\"traceId\":\"")
              .append(HEX.toHexDigits(n))
              .append(HEX.toHexDigits(n))
              .append('"')
              .append(",\"spanId\":\"")
              .append(HEX.toHexDigits(n))
              .append('"')
              .append(",\"parentSpanId\":\"")
              .append(HEX.toHexDigits(n + 1))
              .append('"')
              .append(",\"name\":\"POST /work\",\"kind\":2")
              .append(
                  ",\"startTimeUnixNano\":\"1700000000000000000\",\"endTimeUnixNano\":\"1700000000001000000\"")
              .append(
                  ",\"attributes\":[{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"POST\"}}")
              .append(",{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"200\"}}")
              .append(",{\"key\":\"app.order_id\",\"value\":{\"stringValue\":\"o-")
              .append(n)
              .append("\"}}")
              .append(
                  ",{\"key\":\"url.full\",\"value\":{\"stringValue\":\"http://worker-svc:8082/work?")
              .append(padding)
              .append("\"}}]")
              .append(",\"status\":{}}");
        }
        out.append(line).append("]}]}]}\n");
      }
    }
    assertThat(Files.size(file)).isGreaterThan(200_000_000L);
    long[] count = {0};
    ReceivedSpan[] last = {null};

    assertThat(
            SpanFiles.read(
                file,
                span -> {
                  count[0]++;
                  last[0] = span;
                }))
        .isEqualTo(Format.OTLP_JSON_LINES);

    assertThat(count[0]).isEqualTo(300_000L);
    assertThat(last[0].spanId()).isEqualTo(HEX.toHexDigits(300_000L));
    assertThat(last[0].attributes()).containsEntry("app.order_id", "o-300000").hasSize(4);
  }

  // ---- reading

  private static List<ReceivedSpan> read(Path file, Format format) throws SpanFileException {
    List<ReceivedSpan> spans = new ArrayList<>();
    assertThat(SpanFiles.read(file, spans::add)).isEqualTo(format);
    return sorted(spans);
  }

  private static void assertProblem(Path file, String lineColumnProblem) {
    assertProblem(file, lineColumnProblem, new ArrayList<>());
  }

  private static void assertProblem(Path file, String lineColumnProblem, List<ReceivedSpan> sink) {
    assertThatThrownBy(() -> SpanFiles.read(file, sink::add))
        .isInstanceOf(SpanFileException.class)
        .hasMessage(file + ":" + lineColumnProblem)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static List<ReceivedSpan> sorted(List<ReceivedSpan> spans) {
    return spans.stream().sorted(Comparator.comparing(ReceivedSpan::spanId)).toList();
  }

  private static List<ReceivedSpan> expectedWith(String spanId, String key, String value) {
    return expected().stream()
        .map(
            span -> {
              if (!span.spanId().equals(spanId)) {
                return span;
              }
              Map<String, String> attributes = new HashMap<>(span.attributes());
              attributes.put(key, value);
              return copy(span, attributes, span.links());
            })
        .toList();
  }

  private static ReceivedSpan copy(
      ReceivedSpan span, Map<String, String> attributes, List<ReceivedSpan.Link> links) {
    return new ReceivedSpan(
        span.traceId(),
        span.spanId(),
        span.parentSpanId(),
        span.service(),
        span.kind(),
        span.name(),
        span.startEpochNanos(),
        span.endEpochNanos(),
        span.error(),
        attributes,
        links);
  }

  // ---- building the request

  private static ResourceSpans resource(String service, String learner, Span.Builder... spans) {
    Resource.Builder resource = Resource.newBuilder().addAttributes(kv("service.name", service));
    if (learner != null) {
      resource.addAttributes(kv("learner", learner));
    }
    ScopeSpans.Builder scope =
        ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("lab"));
    for (Span.Builder span : spans) {
      scope.addSpans(span);
    }
    return ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope).build();
  }

  /** A span from {@code startMicros} to {@code endMicros} after {@link #T0}. */
  private static Span.Builder span(
      String trace,
      String id,
      String parent,
      String name,
      Span.SpanKind kind,
      long startMicros,
      long endMicros) {
    Span.Builder span =
        Span.newBuilder()
            .setTraceId(bytes(trace))
            .setSpanId(bytes(id))
            .setName(name)
            .setKind(kind)
            .setStartTimeUnixNano(T0 + startMicros * 1_000)
            .setEndTimeUnixNano(T0 + endMicros * 1_000);
    return parent == null ? span : span.setParentSpanId(bytes(parent));
  }

  private static KeyValue kv(String key, String value) {
    return kv(key, AnyValue.newBuilder().setStringValue(value));
  }

  private static KeyValue kv(String key, AnyValue.Builder value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static ByteString bytes(String hex) {
    return ByteString.fromHex(hex);
  }

  private static String hex(ByteString bytes) {
    return HEX.formatHex(bytes.toByteArray());
  }

  // ---- the writers: OTLP JSON, OTLP JSON Lines, Jaeger, Zipkin

  /**
   * OTLP JSON as protobuf's printer writes it with the proto's field names (snake_case) and enum
   * names, pretty-printed; ids turned to hex, times to JSON numbers.
   */
  private static void writeOtlpJson(ExportTraceServiceRequest request, Path file)
      throws IOException {
    JsonNode tree =
        MAPPER.readTree(JsonFormat.printer().preservingProtoFieldNames().print(request));
    otlpIdsAndTimes(tree);
    MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), tree);
  }

  private static void otlpIdsAndTimes(JsonNode node) {
    if (node instanceof ObjectNode object) {
      for (String id : List.of("trace_id", "span_id", "parent_span_id")) {
        if (object.hasNonNull(id)) {
          object.put(id, HEX.formatHex(Base64.getDecoder().decode(object.get(id).asText())));
        }
      }
      for (String time : List.of("start_time_unix_nano", "end_time_unix_nano")) {
        if (object.hasNonNull(time)) {
          object.put(time, Long.parseLong(object.get(time).asText()));
        }
      }
    }
    node.forEach(SpanFilesTest::otlpIdsAndTimes);
  }

  /** One line per resource, as the auditor's dump would hold three requests. */
  private static void writeLines(ExportTraceServiceRequest request, Writer out) throws IOException {
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      OtlpJsonLines.write(
          ExportTraceServiceRequest.newBuilder().addResourceSpans(resourceSpans).build(), out);
    }
  }

  /** A span with its resource's index and its scope's name. */
  private record Placed(int resource, String scope, Span span) {}

  private static List<Placed> placed(ExportTraceServiceRequest request) {
    List<Placed> placed = new ArrayList<>();
    for (int r = 0; r < request.getResourceSpansCount(); r++) {
      for (ScopeSpans scope : request.getResourceSpans(r).getScopeSpansList()) {
        for (Span span : scope.getSpansList()) {
          placed.add(new Placed(r, scope.getScope().getName(), span));
        }
      }
    }
    return placed;
  }

  private static String service(ResourceSpans resourceSpans) {
    return resourceSpans.getResource().getAttributesList().stream()
        .filter(kv -> kv.getKey().equals("service.name"))
        .findFirst()
        .orElseThrow()
        .getValue()
        .getStringValue();
  }

  /**
   * Jaeger JSON as the query API answers: a trace's spans and then its processes (one per
   * resource), attributes as typed tags, the kind, status and scope as tags the way Jaeger
   * translates OTLP, the parent a CHILD_OF reference and links FOLLOWS_FROM references.
   */
  private static void writeJaeger(ExportTraceServiceRequest request, Path file, boolean bareArray)
      throws IOException {
    Map<ByteString, List<Placed>> traces = new LinkedHashMap<>();
    for (Placed placed : placed(request)) {
      traces.computeIfAbsent(placed.span().getTraceId(), t -> new ArrayList<>()).add(placed);
    }
    try (JsonGenerator json =
        MAPPER.getFactory().createGenerator(file.toFile(), JsonEncoding.UTF8)) {
      json.useDefaultPrettyPrinter();
      if (!bareArray) {
        json.writeStartObject();
        json.writeFieldName("data");
      }
      json.writeStartArray();
      for (Map.Entry<ByteString, List<Placed>> trace : traces.entrySet()) {
        json.writeStartObject();
        json.writeStringField("traceID", hex(trace.getKey()));
        json.writeArrayFieldStart("spans");
        TreeSet<Integer> processes = new TreeSet<>();
        for (Placed placed : trace.getValue()) {
          processes.add(placed.resource());
          jaegerSpan(json, placed);
        }
        json.writeEndArray();
        json.writeObjectFieldStart("processes");
        for (int r : processes) {
          ResourceSpans resourceSpans = request.getResourceSpans(r);
          json.writeObjectFieldStart("p" + (r + 1));
          json.writeStringField("serviceName", service(resourceSpans));
          json.writeArrayFieldStart("tags");
          for (KeyValue kv : resourceSpans.getResource().getAttributesList()) {
            if (!kv.getKey().equals("service.name")) {
              jaegerTag(json, kv);
            }
          }
          json.writeEndArray();
          json.writeEndObject();
        }
        json.writeEndObject();
        json.writeNullField("warnings");
        json.writeEndObject();
      }
      json.writeEndArray();
      if (!bareArray) {
        json.writeNumberField("total", 0);
        json.writeNumberField("limit", 0);
        json.writeNumberField("offset", 0);
        json.writeNullField("errors");
        json.writeEndObject();
      }
    }
  }

  private static void jaegerSpan(JsonGenerator json, Placed placed) throws IOException {
    Span span = placed.span();
    json.writeStartObject();
    json.writeStringField("traceID", hex(span.getTraceId()));
    json.writeStringField("spanID", hex(span.getSpanId()));
    json.writeStringField("operationName", span.getName());
    json.writeArrayFieldStart("references");
    if (!span.getParentSpanId().isEmpty()) {
      jaegerReference(json, "CHILD_OF", span.getTraceId(), span.getParentSpanId());
    }
    for (Span.Link link : span.getLinksList()) {
      jaegerReference(json, "FOLLOWS_FROM", link.getTraceId(), link.getSpanId());
    }
    json.writeEndArray();
    json.writeNumberField("startTime", span.getStartTimeUnixNano() / 1_000);
    json.writeNumberField(
        "duration", (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1_000);
    json.writeArrayFieldStart("tags");
    for (KeyValue kv : span.getAttributesList()) {
      jaegerTag(json, kv);
    }
    jaegerTag(json, kv("otel.scope.name", placed.scope()));
    if (span.getKind() != Span.SpanKind.SPAN_KIND_INTERNAL) {
      jaegerTag(json, kv("span.kind", kindName(span).toLowerCase(Locale.ROOT)));
    }
    if (span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR) {
      jaegerTag(json, kv("otel.status_code", "ERROR"));
      jaegerTag(json, kv("otel.status_description", span.getStatus().getMessage()));
      jaegerTag(json, kv("error", AnyValue.newBuilder().setBoolValue(true)));
    }
    jaegerTag(json, kv("internal.span.format", "otlp"));
    json.writeEndArray();
    json.writeArrayFieldStart("logs");
    json.writeEndArray();
    json.writeStringField("processID", "p" + (placed.resource() + 1));
    json.writeNullField("warnings");
    json.writeEndObject();
  }

  private static void jaegerReference(
      JsonGenerator json, String type, ByteString trace, ByteString span) throws IOException {
    json.writeStartObject();
    json.writeStringField("refType", type);
    json.writeStringField("traceID", hex(trace));
    json.writeStringField("spanID", hex(span));
    json.writeEndObject();
  }

  private static void jaegerTag(JsonGenerator json, KeyValue kv) throws IOException {
    json.writeStartObject();
    json.writeStringField("key", kv.getKey());
    AnyValue value = kv.getValue();
    switch (value.getValueCase()) {
      case BOOL_VALUE -> {
        json.writeStringField("type", "bool");
        json.writeBooleanField("value", value.getBoolValue());
      }
      case INT_VALUE -> {
        json.writeStringField("type", "int64");
        json.writeNumberField("value", value.getIntValue());
      }
      case DOUBLE_VALUE -> {
        json.writeStringField("type", "float64");
        json.writeNumberField("value", value.getDoubleValue());
      }
      default -> {
        json.writeStringField("type", "string");
        json.writeStringField("value", value.getStringValue());
      }
    }
    json.writeEndObject();
  }

  /**
   * Zipkin v2 JSON as the OpenTelemetry Zipkin exporter writes it: one span each, attributes and
   * resource attributes as string tags, the status as the tags otel.status_code and error (its
   * message), a CLIENT span's server as its remote endpoint; no links.
   */
  private static void writeZipkin(ExportTraceServiceRequest request, Path file) throws IOException {
    try (JsonGenerator json =
        MAPPER.getFactory().createGenerator(file.toFile(), JsonEncoding.UTF8)) {
      json.useDefaultPrettyPrinter();
      json.writeStartArray();
      for (Placed placed : placed(request)) {
        Span span = placed.span();
        ResourceSpans resourceSpans = request.getResourceSpans(placed.resource());
        Map<String, String> tags = new LinkedHashMap<>();
        span.getAttributesList().forEach(kv -> tags.put(kv.getKey(), text(kv.getValue())));
        resourceSpans.getResource().getAttributesList().stream()
            .filter(kv -> !kv.getKey().equals("service.name"))
            .forEach(kv -> tags.put(kv.getKey(), text(kv.getValue())));
        tags.put("otel.scope.name", placed.scope());
        if (span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR) {
          tags.put("otel.status_code", "ERROR");
          tags.put("error", span.getStatus().getMessage());
        }
        json.writeStartObject();
        json.writeStringField("traceId", hex(span.getTraceId()));
        if (!span.getParentSpanId().isEmpty()) {
          json.writeStringField("parentId", hex(span.getParentSpanId()));
        }
        json.writeStringField("id", hex(span.getSpanId()));
        if (span.getKind() != Span.SpanKind.SPAN_KIND_INTERNAL) {
          json.writeStringField("kind", kindName(span));
        }
        json.writeStringField("name", span.getName());
        json.writeNumberField("timestamp", span.getStartTimeUnixNano() / 1_000);
        json.writeNumberField(
            "duration", (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1_000);
        json.writeObjectFieldStart("localEndpoint");
        json.writeStringField("serviceName", service(resourceSpans));
        json.writeEndObject();
        if (tags.containsKey("server.port")) {
          json.writeObjectFieldStart("remoteEndpoint");
          json.writeStringField("ipv4", "10.0.0.7");
          json.writeNumberField("port", Integer.parseInt(tags.get("server.port")));
          json.writeEndObject();
        }
        json.writeObjectFieldStart("tags");
        for (Map.Entry<String, String> tag : tags.entrySet()) {
          json.writeStringField(tag.getKey(), tag.getValue());
        }
        json.writeEndObject();
        json.writeEndObject();
      }
      json.writeEndArray();
    }
  }

  /** An attribute value as a string tag: as the decoder renders it. */
  private static String text(AnyValue value) {
    return switch (value.getValueCase()) {
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      default -> value.getStringValue();
    };
  }

  /** CLIENT, SERVER, PRODUCER or CONSUMER. */
  private static String kindName(Span span) {
    return span.getKind().name().substring("SPAN_KIND_".length());
  }
}
