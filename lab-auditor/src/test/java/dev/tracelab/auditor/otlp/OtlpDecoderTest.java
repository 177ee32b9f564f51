// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

public class OtlpDecoderTest {

  public static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN = "00f067aa0ba902b7";
  static final String PARENT = "b7ad6b7169203331";

  public static ExportTraceServiceRequest request() {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "worker-svc")))
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .addSpans(
                            Span.newBuilder()
                                .setTraceId(ByteString.fromHex(TRACE))
                                .setSpanId(ByteString.fromHex(SPAN))
                                .setParentSpanId(ByteString.fromHex(PARENT))
                                .setName("POST /work")
                                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                                .setStartTimeUnixNano(1_000_000)
                                .setEndTimeUnixNano(3_500_000)
                                .setStatus(
                                    Status.newBuilder()
                                        .setCode(Status.StatusCode.STATUS_CODE_ERROR))
                                .addAttributes(kv("app.order_id", "o-1")))))
        .build();
  }

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder()
        .setKey(k)
        .setValue(AnyValue.newBuilder().setStringValue(v))
        .build();
  }

  @Test
  void decodesLinksFromProtobufAndJson() {
    var crafted =
        dev.tracelab.auditor.CraftedRequest.of(7, dev.tracelab.flow.Scenario.LINKED_KAFKA);
    var expected = List.of(new ReceivedSpan.Link(crafted.traceIdOf(5), crafted.spanIdOf(5)));

    for (List<ReceivedSpan> spans :
        List.of(
            OtlpDecoder.decodeProtobuf(crafted.protobuf(5, 6)),
            OtlpDecoder.decodeJson(crafted.json(5, 6)))) {
      assertThat(spans).hasSize(2);
      assertThat(spans.get(0).links()).isEmpty();
      ReceivedSpan consumer = spans.get(1);
      assertThat(consumer.parentSpanId()).isNull();
      assertThat(consumer.traceId())
          .isEqualTo(crafted.traceIdOf(6))
          .isNotEqualTo(crafted.traceIdOf(5));
      assertThat(consumer.links()).isEqualTo(expected);
    }
  }

  @Test
  void decodesProtobuf() {
    List<ReceivedSpan> spans = OtlpDecoder.decodeProtobuf(request().toByteArray());

    assertThat(spans)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.traceId()).isEqualTo(TRACE);
              assertThat(s.spanId()).isEqualTo(SPAN);
              assertThat(s.parentSpanId()).isEqualTo(PARENT);
              assertThat(s.service()).isEqualTo("worker-svc");
              assertThat(s.kind()).isEqualTo(SpanKind.SERVER);
              assertThat(s.error()).isTrue();
              assertThat(s.attributes().get("app.order_id")).isEqualTo("o-1");
              assertThat(s.durationMs()).isEqualTo(2.5);
            });
  }

  @Test
  void decodesOtlpJsonWithHexIds() {
    String json =
        """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"gateway-svc"}}]},
          "scopeSpans":[{"spans":[{"traceId":"%s","spanId":"%s","name":"POST /orders","kind":2,
            "startTimeUnixNano":"1000","endTimeUnixNano":"2000",
            "attributes":[{"key":"app.order_id","value":{"stringValue":"o-2"}}]}]}]}]}
        """
            .formatted(TRACE, SPAN);

    List<ReceivedSpan> spans = OtlpDecoder.decodeJson(json.getBytes(StandardCharsets.UTF_8));

    assertThat(spans)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.traceId()).isEqualTo(TRACE);
              assertThat(s.spanId()).isEqualTo(SPAN);
              assertThat(s.parentSpanId()).isNull();
              assertThat(s.kind()).isEqualTo(SpanKind.SERVER);
              assertThat(s.service()).isEqualTo("gateway-svc");
              assertThat(s.attributes().get("app.order_id")).isEqualTo("o-2");
            });
  }

  @Test
  void inflatesGzipAndEnforcesTheDecodedLimit() throws Exception {
    byte[] raw = request().toByteArray();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(raw);
    }
    assertThat(OtlpDecoder.inflate(bytes.toByteArray(), true, 1 << 20)).isEqualTo(raw);
    assertThatThrownBy(() -> OtlpDecoder.inflate(bytes.toByteArray(), true, raw.length - 1))
        .isInstanceOf(OtlpDecoder.MalformedOtlpException.class)
        .hasMessageContaining("exceeds");
    assertThatThrownBy(() -> OtlpDecoder.inflate(raw, true, 1 << 20))
        .isInstanceOf(OtlpDecoder.MalformedOtlpException.class)
        .hasMessageContaining("gzip");
  }

  @Test
  void rejectsMalformedBodies() {
    assertThatThrownBy(() -> OtlpDecoder.decodeProtobuf(HexFormat.of().parseHex("0aff01")))
        .isInstanceOf(OtlpDecoder.MalformedOtlpException.class);
    assertThatThrownBy(
            () -> OtlpDecoder.decodeJson("{\"resourceSpans\": [".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OtlpDecoder.MalformedOtlpException.class);
    assertThatThrownBy(() -> OtlpDecoder.decodeJson("[]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OtlpDecoder.MalformedOtlpException.class);
    ExportTraceServiceRequest badId =
        request().toBuilder()
            .setResourceSpans(
                0,
                request().getResourceSpans(0).toBuilder()
                    .setScopeSpans(
                        0,
                        ScopeSpans.newBuilder()
                            .addSpans(
                                Span.newBuilder()
                                    .setName("x")
                                    .setTraceId(ByteString.fromHex("01"))
                                    .setSpanId(ByteString.fromHex(SPAN)))))
            .build();
    // a span with a bad id is rejected alone (OTLP partial success), not the whole request
    OtlpDecoder.Decoded decoded = OtlpDecoder.decodeProtobufRequest(badId.toByteArray());
    assertThat(decoded.spans()).isEmpty();
    assertThat(decoded.rejectedSpans()).isEqualTo(1);
    assertThat(decoded.errorMessage()).contains("invalid trace id (1 bytes, 16 expected)");
  }
}
