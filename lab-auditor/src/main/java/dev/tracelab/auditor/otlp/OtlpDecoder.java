// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Decodes an OTLP/HTTP trace export ({@code /v1/traces}) into {@link ReceivedSpan}s: protobuf or
 * JSON encoding, optionally gzip-compressed. Anything malformed is a {@link
 * MalformedOtlpException}.
 */
public final class OtlpDecoder {

  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] NOT_HEX = {0};
  private static final int RESERVE_STEP = 256 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();

  private static final java.util.concurrent.atomic.AtomicLong slowPathRequests =
      new java.util.concurrent.atomic.AtomicLong();

  private OtlpDecoder() {}

  /**
   * Protobuf requests the fast path left to the generated parser (malformed ones included); for
   * tests.
   */
  static long slowPathRequests() {
    return slowPathRequests.get();
  }

  /** The body, gunzipped when {@code gzip}; more than {@code maxBytes} decoded is an error. */
  public static byte[] inflate(byte[] body, boolean gzip, int maxBytes) {
    return inflate(body, gzip, maxBytes, n -> true);
  }

  /** Grants memory for an inflated body as it grows; false refuses the request. */
  @FunctionalInterface
  public interface Reservation {
    boolean grow(long bytes);
  }

  /** Thrown when {@link Reservation#grow} refused: not a malformed body, the auditor is full. */
  public static final class OverBudgetException extends RuntimeException {
    public OverBudgetException() {
      super("memory budget for requests in flight is full", null, false, false);
    }
  }

  /**
   * The body, gunzipped when {@code gzip}, asking {@code reservation} for every chunk of inflated
   * output before it is held ({@link OverBudgetException} when refused).
   */
  public static byte[] inflate(byte[] body, boolean gzip, int maxBytes, Reservation reservation) {
    if (!gzip) {
      return body;
    }
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
      long reserved = 0;
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + n > maxBytes) {
          throw new MalformedOtlpException("decompressed body exceeds " + maxBytes + " bytes");
        }
        if (out.size() + n > reserved) {
          // inflated bytes are granted before they are held, in steps
          long step = Math.max(RESERVE_STEP, out.size() + n - reserved);
          if (!reservation.grow(step)) {
            throw new OverBudgetException();
          }
          reserved += step;
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new MalformedOtlpException("bad gzip body: " + e.getMessage());
    }
  }

  /**
   * What one export request held: its valid spans, and how many spans were rejected (invalid ids)
   * with the first reason, for the OTLP {@code partial_success} answer.
   */
  public record Decoded(List<ReceivedSpan> spans, int rejectedSpans, String errorMessage) {

    public boolean partial() {
      return rejectedSpans > 0;
    }

    /**
     * The OTLP answer: empty when every span was taken, else its {@code partial_success} says how
     * many spans were rejected and why.
     */
    public ExportTraceServiceResponse response() {
      ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
      if (partial()) {
        response.setPartialSuccess(
            ExportTracePartialSuccess.newBuilder()
                .setRejectedSpans(rejectedSpans)
                .setErrorMessage(errorMessage));
      }
      return response.build();
    }
  }

  /** The valid spans of a protobuf request (spans with invalid ids left out). */
  public static List<ReceivedSpan> decodeProtobuf(byte[] body) {
    return decodeProtobufRequest(body).spans();
  }

  /** The valid spans of a JSON request (spans with invalid ids left out). */
  public static List<ReceivedSpan> decodeJson(byte[] body) {
    return decodeJsonRequest(body).spans();
  }

  public static Decoded decodeProtobufRequest(byte[] body) {
    try {
      return ProtobufSpans.decode(body);
    } catch (IOException | RuntimeException e) {
      // malformed, or a shape the fast path leaves to the generated parser: it answers
      slowPathRequests.incrementAndGet();
    }
    try {
      return toSpans(ExportTraceServiceRequest.parseFrom(body));
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedOtlpException(
          "not an OTLP protobuf ExportTraceServiceRequest: " + e.getMessage());
    }
  }

  /**
   * OTLP/JSON differs from proto3 JSON in one way that matters: trace and span ids are hex, not
   * base64. They are rewritten before parsing.
   */
  public static Decoded decodeJsonRequest(byte[] body) {
    try {
      JsonNode root = JSON.readTree(body);
      if (root == null || !root.isObject()) {
        throw new MalformedOtlpException("OTLP JSON body must be an object");
      }
      hexIdsToBase64(root);
      ExportTraceServiceRequest.Builder builder = ExportTraceServiceRequest.newBuilder();
      JSON_PARSER.merge(JSON.writeValueAsString(root), builder);
      return toSpans(builder.build());
    } catch (IOException | IllegalArgumentException e) {
      throw new MalformedOtlpException("not OTLP JSON: " + e.getMessage());
    }
  }

  private static void hexIdsToBase64(JsonNode node) {
    if (node.isObject()) {
      ObjectNode obj = (ObjectNode) node;
      for (String key : List.of("traceId", "spanId", "parentSpanId")) {
        JsonNode v = obj.get(key);
        if (v != null && v.isTextual() && !v.asText().isEmpty()) {
          byte[] id;
          try {
            id = HEX.parseHex(v.asText());
          } catch (IllegalArgumentException e) {
            id = NOT_HEX; // not hex: one byte, an invalid length, so that span alone is rejected
          }
          obj.set(key, TextNode.valueOf(Base64.getEncoder().encodeToString(id)));
        }
      }
      obj.elements().forEachRemaining(OtlpDecoder::hexIdsToBase64);
    } else if (node.isArray()) {
      node.elements().forEachRemaining(OtlpDecoder::hexIdsToBase64);
    }
  }

  /**
   * The valid spans of a request already parsed (OTLP/gRPC, whose transport parses the message),
   * spans with invalid ids counted as rejected.
   */
  public static Decoded decodeRequest(ExportTraceServiceRequest request) {
    return toSpans(request);
  }

  /** The spans of one {@code ResourceSpans}, decoded as a request holding only it would be. */
  public static Decoded decodeResourceSpans(ResourceSpans resourceSpans) {
    return toSpans(ExportTraceServiceRequest.newBuilder().addResourceSpans(resourceSpans).build());
  }

  static Decoded toSpans(ExportTraceServiceRequest request) {
    List<ReceivedSpan> out = new ArrayList<>();
    int rejected = 0;
    String firstError = null;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      String service = serviceName(rs.getResource());
      String learner = learner(rs.getResource());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          String invalid = invalidIds(span);
          if (invalid != null) {
            rejected++;
            if (firstError == null) {
              firstError = "span '" + span.getName() + "' of " + service + ": " + invalid;
            }
            continue;
          }
          out.add(toSpan(service, learner, span));
        }
      }
    }
    return new Decoded(
        out, rejected, rejected == 0 ? "" : rejected + " span(s) rejected, first: " + firstError);
  }

  /**
   * Why a span's ids make it unusable, or null: a trace id of 16 bytes and a span id of 8, neither
   * all zero (the W3C invalid ids), and a parent id empty or 8 bytes.
   */
  private static String invalidIds(Span span) {
    ByteString trace = span.getTraceId();
    ByteString id = span.getSpanId();
    ByteString parent = span.getParentSpanId();
    if (trace.size() != 16) {
      return "invalid trace id (" + trace.size() + " bytes, 16 expected)";
    }
    if (isZero(trace)) {
      return "invalid trace id (all zero)";
    }
    if (id.size() != 8) {
      return "invalid span id (" + id.size() + " bytes, 8 expected)";
    }
    if (isZero(id)) {
      return "invalid span id (all zero)";
    }
    if (!parent.isEmpty() && parent.size() != 8) {
      return "invalid parent span id (" + parent.size() + " bytes, 8 expected)";
    }
    return null;
  }

  private static ReceivedSpan toSpan(String service, String learner, Span span) {
    ByteString parent = span.getParentSpanId();
    Map<String, String> attributes = new HashMap<>(span.getAttributesCount() * 2 + 1);
    for (KeyValue kv : span.getAttributesList()) {
      attributes.put(kv.getKey(), render(kv.getValue()));
    }
    if (learner != null) {
      attributes.putIfAbsent(
          ReceivedSpan.LEARNER, learner); // the resource's, for the workshop room view
    }
    List<ReceivedSpan.Link> links = new ArrayList<>(span.getLinksCount());
    for (Span.Link link : span.getLinksList()) {
      // a link with unusable ids points nowhere: left out, the span itself stays valid
      if (link.getTraceId().size() == 16
          && !isZero(link.getTraceId())
          && link.getSpanId().size() == 8
          && !isZero(link.getSpanId())) {
        links.add(new ReceivedSpan.Link(hex(link.getTraceId()), hex(link.getSpanId())));
      }
    }
    return new ReceivedSpan(
        hex(span.getTraceId()),
        hex(span.getSpanId()),
        parent.isEmpty() || isZero(parent) ? null : hex(parent),
        service,
        kind(span.getKind()),
        span.getName(),
        span.getStartTimeUnixNano(),
        span.getEndTimeUnixNano(),
        span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR,
        attributes,
        links);
  }

  /** The resource attribute {@code learner} (a workshop participant), or null. */
  private static String learner(Resource resource) {
    for (KeyValue kv : resource.getAttributesList()) {
      if (kv.getKey().equals(ReceivedSpan.LEARNER)) {
        return render(kv.getValue());
      }
    }
    return null;
  }

  private static String serviceName(Resource resource) {
    for (KeyValue kv : resource.getAttributesList()) {
      if (kv.getKey().equals("service.name")) {
        return render(kv.getValue());
      }
    }
    return "unknown_service";
  }

  private static SpanKind kind(Span.SpanKind kind) {
    return switch (kind) {
      case SPAN_KIND_SERVER -> SpanKind.SERVER;
      case SPAN_KIND_CLIENT -> SpanKind.CLIENT;
      case SPAN_KIND_PRODUCER -> SpanKind.PRODUCER;
      case SPAN_KIND_CONSUMER -> SpanKind.CONSUMER;
      default -> SpanKind.INTERNAL;
    };
  }

  static String render(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BYTES_VALUE -> HEX.formatHex(v.getBytesValue().toByteArray());
      case ARRAY_VALUE ->
          v.getArrayValue().getValuesList().stream().map(OtlpDecoder::render).toList().toString();
      default -> v.toString().trim();
    };
  }

  private static boolean isZero(ByteString id) {
    for (int i = 0; i < id.size(); i++) {
      if (id.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static String hex(ByteString bytes) {
    return HEX.formatHex(bytes.toByteArray());
  }

  /** The request cannot be decoded; answered with 400 and counted. */
  public static final class MalformedOtlpException extends RuntimeException {
    public MalformedOtlpException(String message) {
      super(message);
    }
  }
}
