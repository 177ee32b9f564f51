// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.input;

import com.fasterxml.jackson.core.JsonLocation;
import com.google.protobuf.ByteString;
import dev.tracelab.auditor.otlp.OtlpDecoder;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads OTLP JSON {@code ExportTraceServiceRequest} objects span by span into the protobuf messages
 * {@link OtlpDecoder} decodes, so that a span reads exactly as the auditor would have received it.
 * Field names are lowerCamelCase or the proto's snake_case, enums names or numbers, 64-bit integers
 * numbers or strings; trace and span ids are hex (OTLP JSON), and any other field is passed over.
 * Spans of a resourceSpans are handed on as read once its resource is known, and held until then
 * otherwise (at most {@link JsonInput#MAX_HELD_SPANS}).
 */
final class OtlpJsonReader {

  private static final long SPAN_COST = 256;

  private final JsonInput in;
  private final Consumer<ReceivedSpan> sink;

  OtlpJsonReader(JsonInput in, Consumer<ReceivedSpan> sink) {
    this.in = in;
    this.sink = sink;
  }

  /** One request object: the parser on its {@code '{'} or its first field's name. */
  void request() throws SpanFileException {
    in.enterObject("an OTLP JSON request");
    for (String field; (field = in.nextField()) != null; ) {
      if (camel(field).equals("resourceSpans")) {
        in.startArray("\"resourceSpans\"");
        while (in.nextElement()) {
          resourceSpans();
        }
      } else {
        in.skip();
      }
    }
  }

  private void resourceSpans() throws SpanFileException {
    in.startObject("a \"resourceSpans\" element");
    long start = in.held();
    long kept = start; // what stays held while this element is read: its resource
    Resource resource = null;
    List<Span> waiting = new ArrayList<>();
    for (String field; (field = in.nextField()) != null; ) {
      switch (camel(field)) {
        case "resource" -> {
          long before = in.held();
          resource = resource();
          kept += in.held() - before;
          for (Span span : waiting) {
            emit(resource, span);
          }
          waiting.clear();
          in.release(kept);
        }
        case "scopeSpans", "instrumentationLibrarySpans" -> {
          in.startArray("\"" + field + "\"");
          while (in.nextElement()) {
            in.startObject("a \"" + field + "\" element");
            for (String scopeField; (scopeField = in.nextField()) != null; ) {
              if (!scopeField.equals("spans")) {
                in.skip();
                continue;
              }
              in.startArray("\"spans\"");
              while (in.nextElement()) {
                if (resource == null && waiting.size() == JsonInput.MAX_HELD_SPANS) {
                  throw in.error(
                      "more than "
                          + JsonInput.MAX_HELD_SPANS
                          + " spans in a \"resourceSpans\" before its \"resource\"");
                }
                Span span = span();
                if (resource == null) {
                  waiting.add(span);
                } else {
                  emit(resource, span);
                  in.release(kept);
                }
              }
            }
          }
        }
        default -> in.skip();
      }
    }
    for (Span span : waiting) {
      emit(Resource.getDefaultInstance(), span);
    }
    in.release(start);
  }

  private Resource resource() throws SpanFileException {
    in.startObject("\"resource\"");
    Resource.Builder resource = Resource.newBuilder();
    for (String field; (field = in.nextField()) != null; ) {
      if (field.equals("attributes")) {
        in.startArray("resource \"attributes\"");
        while (in.nextElement()) {
          resource.addAttributes(keyValue("resource attribute"));
        }
      } else {
        in.skip();
      }
    }
    return resource.build();
  }

  private Span span() throws SpanFileException {
    in.startObject("a span");
    JsonLocation start = in.location();
    in.hold(SPAN_COST);
    Span.Builder span = Span.newBuilder();
    for (String field; (field = in.nextField()) != null; ) {
      switch (camel(field)) {
        case "traceId" ->
            span.setTraceId(ByteString.fromHex(in.traceId("span \"traceId\"", false)));
        case "spanId" -> span.setSpanId(ByteString.fromHex(in.spanId("span \"spanId\"")));
        case "parentSpanId" -> {
          String parent = in.parentId("span \"parentSpanId\"");
          span.setParentSpanId(parent == null ? ByteString.EMPTY : ByteString.fromHex(parent));
        }
        case "name" -> span.setName(in.hold(in.string("span \"name\"")));
        case "kind" ->
            span.setKindValue(in.enumNumber("span \"kind\"", Span.SpanKind.getDescriptor()));
        case "startTimeUnixNano" ->
            span.setStartTimeUnixNano(in.uint64("span \"startTimeUnixNano\""));
        case "endTimeUnixNano" -> span.setEndTimeUnixNano(in.uint64("span \"endTimeUnixNano\""));
        case "attributes" -> {
          in.startArray("span \"attributes\"");
          while (in.nextElement()) {
            span.addAttributes(keyValue("attribute"));
          }
        }
        case "links" -> {
          in.startArray("span \"links\"");
          while (in.nextElement()) {
            span.addLinks(link());
          }
        }
        case "status" -> span.setStatus(status());
        default -> in.skip(); // traceState, flags, events, dropped counts
      }
    }
    if (span.getTraceId().isEmpty()) {
      throw in.error(start, "span has no \"traceId\"");
    }
    if (span.getSpanId().isEmpty()) {
      throw in.error(start, "span has no \"spanId\"");
    }
    return span.build();
  }

  private Span.Link link() throws SpanFileException {
    in.startObject("a span link");
    JsonLocation start = in.location();
    in.hold(SPAN_COST);
    Span.Link.Builder link = Span.Link.newBuilder();
    for (String field; (field = in.nextField()) != null; ) {
      switch (camel(field)) {
        case "traceId" ->
            link.setTraceId(ByteString.fromHex(in.traceId("link \"traceId\"", false)));
        case "spanId" -> link.setSpanId(ByteString.fromHex(in.spanId("link \"spanId\"")));
        default -> in.skip();
      }
    }
    if (link.getTraceId().isEmpty() || link.getSpanId().isEmpty()) {
      throw in.error(
          start, "link has no \"" + (link.getTraceId().isEmpty() ? "traceId" : "spanId") + "\"");
    }
    return link.build();
  }

  private Status status() throws SpanFileException {
    in.startObject("span \"status\"");
    Status.Builder status = Status.newBuilder();
    for (String field; (field = in.nextField()) != null; ) {
      if (field.equals("code")) {
        status.setCodeValue(in.enumNumber("status \"code\"", Status.StatusCode.getDescriptor()));
      } else {
        in.skip();
      }
    }
    return status.build();
  }

  private KeyValue keyValue(String what) throws SpanFileException {
    in.startObject(what);
    KeyValue.Builder kv = KeyValue.newBuilder();
    for (String field; (field = in.nextField()) != null; ) {
      switch (field) {
        case "key" -> kv.setKey(in.hold(in.string(what + " \"key\"")));
        case "value" -> kv.setValue(anyValue(what + " \"value\""));
        default -> in.skip();
      }
    }
    return kv.build();
  }

  private AnyValue anyValue(String what) throws SpanFileException {
    in.startObject(what);
    AnyValue.Builder value = AnyValue.newBuilder();
    for (String field; (field = in.nextField()) != null; ) {
      String name = camel(field);
      switch (name) {
        case "stringValue" -> value.setStringValue(in.hold(in.string(what + " \"stringValue\"")));
        case "boolValue" -> value.setBoolValue(in.bool(what + " \"boolValue\""));
        case "intValue" -> value.setIntValue(in.int64(what + " \"intValue\""));
        case "doubleValue" -> value.setDoubleValue(in.float64(what + " \"doubleValue\""));
        case "bytesValue" -> {
          byte[] bytes = in.base64(what + " \"bytesValue\"");
          in.hold(bytes.length * 2L + JsonInput.STRING_COST);
          value.setBytesValue(ByteString.copyFrom(bytes));
        }
        case "arrayValue" -> {
          ArrayValue.Builder array = ArrayValue.newBuilder();
          values(what + " \"arrayValue\"", () -> array.addValues(anyValue("array element")));
          value.setArrayValue(array);
        }
        case "kvlistValue" -> {
          KeyValueList.Builder list = KeyValueList.newBuilder();
          values(what + " \"kvlistValue\"", () -> list.addValues(keyValue("kvlist element")));
          value.setKvlistValue(list);
        }
        default -> in.skip();
      }
    }
    return value.build();
  }

  /** An {@code ArrayValue} or {@code KeyValueList}: each element of its {@code values}. */
  private void values(String what, Element element) throws SpanFileException {
    in.startObject(what);
    for (String field; (field = in.nextField()) != null; ) {
      if (field.equals("values")) {
        in.startArray(what + " \"values\"");
        while (in.nextElement()) {
          element.read();
        }
      } else {
        in.skip();
      }
    }
  }

  @FunctionalInterface
  private interface Element {
    void read() throws SpanFileException;
  }

  private void emit(Resource resource, Span span) {
    ResourceSpans one =
        ResourceSpans.newBuilder()
            .setResource(resource)
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))
            .build();
    OtlpDecoder.decodeResourceSpans(one).spans().forEach(sink); // ids checked above: none rejected
  }

  /**
   * A proto field's lowerCamelCase JSON name from its snake_case name (which proto3 JSON accepts
   * too).
   */
  static String camel(String field) {
    if (field.indexOf('_') < 0) {
      return field;
    }
    StringBuilder camel = new StringBuilder(field.length());
    boolean upper = false;
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '_') {
        upper = true;
      } else {
        camel.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return camel.toString();
  }
}
