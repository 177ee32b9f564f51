// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.EntityRef;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast protobuf path ({@link ProtobufSpans}) gives exactly what the generated path gives: same
 * spans (ids, attributes and their map's iteration order, links), same rejections and messages; and
 * wherever the generated parser refuses a body, the fast path refuses it too (the caller then
 * answers with the generated parser's error).
 */
class ProtobufSpansTest {

  @Test
  void randomRequestsDecodeAsTheGeneratedPathDecodesThem() throws IOException {
    SplittableRandom random = new SplittableRandom(21);
    for (int i = 0; i < 400; i++) {
      byte[] body = randomRequest(random).toByteArray();
      assertSame(body, true);
    }
  }

  @Test
  void mutatedBodiesAreNeverTakenWhereTheGeneratedParserRefusesThem() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    int fastTaken = 0;
    for (int i = 0; i < 3000; i++) {
      byte[] body = randomRequest(random).toByteArray();
      byte[] mutated = body.clone();
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips && mutated.length > 0; f++) {
        int at = random.nextInt(mutated.length);
        switch (random.nextInt(3)) {
          case 0 -> mutated[at] ^= (byte) (1 << random.nextInt(8));
          case 1 -> mutated[at] = (byte) random.nextInt(256);
          default -> mutated = java.util.Arrays.copyOf(mutated, at);
        }
      }
      fastTaken += assertSame(mutated, false) ? 1 : 0;
    }
    assertThat(fastTaken).isGreaterThan(100); // the test reaches the fast path's decisions
  }

  @Test
  void fieldOrderRepeatedFieldsAndUnknownFieldsAsTheGeneratedParser() throws IOException {
    Span span = span(new SplittableRandom(3), 0).build();
    Resource resource =
        Resource.newBuilder()
            .addAttributes(kv("learner", str("alice")))
            .addAttributes(kv("service.name", str("svc-a")))
            .addAttributes(kv("service.name", str("svc-b")))
            .build();
    ByteArrayOutputStream rs = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(rs);
    // scope spans before the resource, an unknown field, a schema url
    out.writeMessage(2, ScopeSpans.newBuilder().addSpans(span).build());
    out.writeString(99, "unknown");
    out.writeMessage(1, resource);
    out.writeString(3, "https://example.com/schema");
    out.writeUInt64(77, 5);
    out.flush();
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    CodedOutputStream req = CodedOutputStream.newInstance(request);
    req.writeByteArray(1, rs.toByteArray());
    req.writeFixed32(12, 1);
    req.flush();
    assertSame(request.toByteArray(), true);

    // the span's scalar fields sent twice (last wins), a known field with another wire type
    ByteArrayOutputStream sb = new ByteArrayOutputStream();
    CodedOutputStream s = CodedOutputStream.newInstance(sb);
    s.writeByteArray(1, new byte[16]); // an all-zero trace id, then a good one
    s.writeByteArray(1, span.getTraceId().toByteArray());
    s.writeByteArray(2, span.getSpanId().toByteArray());
    s.writeString(5, "first");
    s.writeString(5, "second");
    s.writeUInt64(7, 123); // start time as a varint: an unknown field to the generated parser
    s.writeEnum(6, 3);
    s.writeEnum(6, 42); // an unknown kind
    s.flush();
    assertSame(wrap(sb.toByteArray()), true);
  }

  @Test
  void invalidUtf8AnywhereIsRefusedAsTheGeneratedParserRefusesIt() throws IOException {
    ByteString badString = ByteString.copyFrom(new byte[] {(byte) 0xc3, (byte) 0x28});
    // the span name, a key, a value, a trace state, a status message, a scope name, an event name
    for (int field : new int[] {3, 5}) {
      ByteArrayOutputStream sb = new ByteArrayOutputStream();
      CodedOutputStream s = CodedOutputStream.newInstance(sb);
      s.writeBytes(field, badString);
      s.flush();
      assertSame(wrap(sb.toByteArray()), true);
    }
    // builders refuse bad UTF-8: a marker of the same length is replaced in the encoded body
    Span good = span(new SplittableRandom(5), 0).build();
    List<byte[]> bodies = new ArrayList<>();
    bodies.add(wrap(good.toBuilder().addAttributes(kv(MARKER, str("v"))).build().toByteArray()));
    bodies.add(wrap(good.toBuilder().addAttributes(kv("k", str(MARKER))).build().toByteArray()));
    bodies.add(
        wrap(
            good.toBuilder()
                .setStatus(Status.newBuilder().setMessage(MARKER))
                .build()
                .toByteArray()));
    bodies.add(
        wrap(
            good.toBuilder()
                .addEvents(Span.Event.newBuilder().setName(MARKER))
                .build()
                .toByteArray()));
    bodies.add(
        wrap(
            good.toBuilder()
                .addLinks(Span.Link.newBuilder().setTraceState(MARKER))
                .build()
                .toByteArray()));
    bodies.add(
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .addScopeSpans(
                        ScopeSpans.newBuilder()
                            .setScope(InstrumentationScope.newBuilder().setName(MARKER))
                            .addSpans(good)))
            .build()
            .toByteArray());
    bodies.add(
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(
                        Resource.newBuilder()
                            .addEntityRefs(EntityRef.newBuilder().addIdKeys(MARKER)))
                    .addScopeSpans(ScopeSpans.newBuilder().addSpans(good)))
            .build()
            .toByteArray());
    bodies.add(
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(
                        Resource.newBuilder().addAttributes(kv("service.name", str(MARKER))))
                    .addScopeSpans(ScopeSpans.newBuilder().addSpans(good)))
            .build()
            .toByteArray());
    for (byte[] body : bodies) {
      assertSame(body, true); // valid
      assertSame(replaceMarker(body), true); // invalid: both refuse
    }
  }

  private static final String MARKER = "@@BAD@@";

  private static byte[] replaceMarker(byte[] body) {
    byte[] marker = MARKER.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] out = body.clone();
    for (int i = 0; i + marker.length <= out.length; i++) {
      if (java.util.Arrays.equals(out, i, i + marker.length, marker, 0, marker.length)) {
        out[i] = (byte) 0xc3;
        out[i + 1] = (byte) 0x28;
        return out;
      }
    }
    throw new AssertionError("no marker");
  }

  @Test
  void valuesNestedNearTheRecursionLimitAsTheGeneratedParser() throws IOException {
    for (int depth = 85; depth <= 100; depth++) {
      AnyValue v = str("leaf");
      for (int i = 0; i < depth; i++) {
        v = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(v)).build();
      }
      Span.Builder span = span(new SplittableRandom(depth), 0).addAttributes(kv("deep", v));
      assertSame(wrap(span.build().toByteArray()), true);
      Span.Builder linked =
          span(new SplittableRandom(depth), 0)
              .addLinks(
                  Span.Link.newBuilder()
                      .setTraceId(ByteString.copyFrom(new byte[16]))
                      .addAttributes(kv("deep", v)));
      assertSame(wrap(linked.build().toByteArray()), true);
    }
  }

  /**
   * Decodes {@code body} both ways and compares; returns whether the fast path took it. With {@code
   * mustMatchOutcome}, both must succeed or both fail; else only a fast success must be a generated
   * success with the same result.
   */
  private static boolean assertSame(byte[] body, boolean mustMatchOutcome) throws IOException {
    OtlpDecoder.Decoded generated = null;
    try {
      generated = OtlpDecoder.toSpans(ExportTraceServiceRequest.parseFrom(body));
    } catch (IOException e) {
      // refused
    }
    OtlpDecoder.Decoded fast = null;
    try {
      fast = ProtobufSpans.decode(body);
    } catch (IOException | ProtobufSpans.Unsupported e) {
      // left to the generated parser
    } catch (RuntimeException e) {
      fail("the fast path threw " + e + " on " + java.util.HexFormat.of().formatHex(body));
    }
    if (fast == null) {
      if (mustMatchOutcome && generated != null) {
        fail(
            "the fast path refused a body the generated parser takes: "
                + java.util.HexFormat.of().formatHex(body));
      }
      return false;
    }
    assertThat(generated).as("the generated parser refuses what the fast path took").isNotNull();
    assertThat(fast.rejectedSpans()).isEqualTo(generated.rejectedSpans());
    assertThat(fast.errorMessage()).isEqualTo(generated.errorMessage());
    assertThat(fast.spans()).isEqualTo(generated.spans());
    for (int i = 0; i < fast.spans().size(); i++) {
      // the attribute map iterates in the same order (reports print it)
      assertThat(new ArrayList<>(fast.spans().get(i).attributes().entrySet()))
          .isEqualTo(new ArrayList<>(generated.spans().get(i).attributes().entrySet()));
    }
    // and through the public entry point
    OtlpDecoder.Decoded viaDecoder = OtlpDecoder.decodeProtobufRequest(body);
    assertThat(viaDecoder.spans()).isEqualTo(generated.spans());
    return true;
  }

  private static byte[] wrap(byte[] span) throws IOException {
    ByteArrayOutputStream scope = new ByteArrayOutputStream();
    CodedOutputStream s = CodedOutputStream.newInstance(scope);
    s.writeByteArray(2, span);
    s.flush();
    ByteArrayOutputStream rs = new ByteArrayOutputStream();
    CodedOutputStream r = CodedOutputStream.newInstance(rs);
    r.writeMessage(1, Resource.newBuilder().addAttributes(kv("service.name", str("svc"))).build());
    r.writeByteArray(2, scope.toByteArray());
    r.flush();
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    CodedOutputStream q = CodedOutputStream.newInstance(req);
    q.writeByteArray(1, rs.toByteArray());
    q.flush();
    return req.toByteArray();
  }

  private static ExportTraceServiceRequest randomRequest(SplittableRandom random) {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    int resources = random.nextInt(4);
    for (int r = 0; r < resources; r++) {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder();
      if (random.nextInt(5) > 0) {
        Resource.Builder resource = Resource.newBuilder();
        if (random.nextInt(6) > 0) {
          resource.addAttributes(
              kv(
                  "service.name",
                  random.nextInt(8) == 0
                      ? AnyValue.newBuilder().setIntValue(7).build()
                      : str("svc-" + random.nextInt(5))));
        }
        if (random.nextInt(3) == 0) {
          resource.addAttributes(kv("learner", str("learner-" + random.nextInt(3))));
        }
        if (random.nextInt(4) == 0) {
          resource.addAttributes(kv("host.name", str("h")));
        }
        if (random.nextInt(8) == 0) {
          resource.addEntityRefs(
              EntityRef.newBuilder().setType("service").addIdKeys("service.name"));
        }
        rs.setResource(resource);
      }
      if (random.nextInt(4) == 0) {
        rs.setSchemaUrl("https://opentelemetry.io/schemas/1.21.0");
      }
      int scopes = random.nextInt(3);
      for (int s = 0; s < scopes; s++) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        if (random.nextBoolean()) {
          scope.setScope(
              InstrumentationScope.newBuilder()
                  .setName("lib")
                  .setVersion("1.0")
                  .addAttributes(kv("scope.attr", str("x"))));
        }
        int spans = random.nextInt(6);
        for (int i = 0; i < spans; i++) {
          scope.addSpans(span(random, i));
        }
        rs.addScopeSpans(scope);
      }
      request.addResourceSpans(rs);
    }
    return request.build();
  }

  private static Span.Builder span(SplittableRandom random, int i) {
    Span.Builder span =
        Span.newBuilder()
            .setTraceId(id(random, random.nextInt(20) == 0 ? 15 : 16, random.nextInt(30) == 0))
            .setSpanId(id(random, random.nextInt(25) == 0 ? 0 : 8, random.nextInt(30) == 0))
            .setName(random.nextInt(10) == 0 ? "GET /é/" + i : "span-" + random.nextInt(4))
            .setKindValue(random.nextInt(7))
            .setStartTimeUnixNano(random.nextLong())
            .setEndTimeUnixNano(random.nextLong());
    if (random.nextInt(3) > 0) {
      span.setParentSpanId(id(random, random.nextInt(25) == 0 ? 4 : 8, random.nextInt(10) == 0));
    }
    if (random.nextInt(4) == 0) {
      span.setStatus(Status.newBuilder().setCodeValue(random.nextInt(4)).setMessage("m"));
    }
    if (random.nextInt(6) == 0) {
      span.setTraceState("k=v");
    }
    int attributes = random.nextInt(9);
    for (int a = 0; a < attributes; a++) {
      span.addAttributes(
          kv(random.nextInt(6) == 0 ? "dup" : "key." + random.nextInt(20), value(random, 0)));
    }
    int links = random.nextInt(3);
    for (int l = 0; l < links; l++) {
      Span.Link.Builder link =
          Span.Link.newBuilder()
              .setTraceId(id(random, random.nextInt(6) == 0 ? 3 : 16, random.nextInt(8) == 0))
              .setSpanId(id(random, 8, random.nextInt(8) == 0));
      if (random.nextBoolean()) {
        link.addAttributes(kv("link.attr", value(random, 0))).setTraceState("a=b").setFlags(1);
      }
      span.addLinks(link);
    }
    if (random.nextInt(5) == 0) {
      span.addEvents(
          Span.Event.newBuilder()
              .setName("exception")
              .setTimeUnixNano(1)
              .addAttributes(kv("exception.message", value(random, 0))));
    }
    if (random.nextInt(6) == 0) {
      span.setDroppedAttributesCount(2).setFlags(0x301);
    }
    return span;
  }

  private static AnyValue value(SplittableRandom random, int depth) {
    return switch (random.nextInt(depth > 1 ? 6 : 10)) {
      case 0, 1 -> str("v" + random.nextInt(1000));
      case 2 -> AnyValue.newBuilder().setBoolValue(random.nextBoolean()).build();
      case 3 -> AnyValue.newBuilder().setIntValue(random.nextLong()).build();
      case 4 ->
          AnyValue.newBuilder()
              .setDoubleValue(random.nextInt(3) == 0 ? Double.NaN : random.nextDouble() * 1e6)
              .build();
      case 5 ->
          AnyValue.newBuilder()
              .setBytesValue(ByteString.copyFrom(new byte[] {1, (byte) 0xab, 0}))
              .build();
      case 6 ->
          AnyValue.newBuilder()
              .setArrayValue(
                  ArrayValue.newBuilder()
                      .addValues(value(random, depth + 1))
                      .addValues(value(random, depth + 1)))
              .build();
      case 7 ->
          AnyValue.newBuilder()
              .setKvlistValue(
                  KeyValueList.newBuilder().addValues(kv("in", value(random, depth + 1))))
              .build();
      case 8 -> AnyValue.getDefaultInstance();
      default -> AnyValue.newBuilder().setStringValueStrindex(3).build();
    };
  }

  private static ByteString id(SplittableRandom random, int bytes, boolean zero) {
    byte[] b = new byte[bytes];
    if (!zero) {
      for (int i = 0; i < bytes; i++) {
        b[i] = (byte) random.nextInt(4); // few distinct ids: the per-thread id tables are exercised
      }
      if (bytes > 0) {
        b[0] = 1;
      }
    }
    return ByteString.copyFrom(b);
  }

  private static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static KeyValue kv(String k, AnyValue v) {
    return KeyValue.newBuilder().setKey(k).setValue(v).build();
  }
}
