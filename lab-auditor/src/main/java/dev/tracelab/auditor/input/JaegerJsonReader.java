// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.input;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads Jaeger JSON traces (the query API's and the UI's): each trace's spans are held until the
 * trace's {@code processes} are read (they follow the spans), at most {@link
 * JsonInput#MAX_HELD_SPANS} of them. A span's parent is its {@code CHILD_OF} reference within its
 * trace (else its first reference within its trace, else the deprecated {@code parentSpanID}); its
 * other references are links. Kind comes from the tag {@code span.kind}, error from {@code
 * otel.status_code=ERROR} or {@code error=true}; tags render as {@code OtlpDecoder} renders OTLP
 * values, and the process tag {@code learner} is copied onto the spans as the decoder copies the
 * resource's.
 */
final class JaegerJsonReader {

  private static final HexFormat HEX = HexFormat.of();
  private static final String SPAN_KIND = "span.kind";
  private static final long SPAN_COST = 256;

  private final JsonInput in;
  private final Consumer<ReceivedSpan> sink;

  JaegerJsonReader(JsonInput in, Consumer<ReceivedSpan> sink) {
    this.in = in;
    this.sink = sink;
  }

  /** A span until its trace's processes are known. */
  private record HeldSpan(
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      SpanKind kind,
      long startEpochNanos,
      long endEpochNanos,
      boolean error,
      Map<String, String> attributes,
      List<ReceivedSpan.Link> links,
      String processId,
      Process process,
      JsonLocation processAt) {}

  private record Process(String service, String learner) {}

  private record Reference(boolean childOf, String traceId, String spanId) {}

  private record Tag(String key, String value) {}

  /**
   * A query API answer, {@code {"data": [trace, ...], ...}}: the parser on its first field's name.
   */
  void response() throws SpanFileException {
    in.enterObject("a Jaeger answer");
    for (String field; (field = in.nextField()) != null; ) {
      if (field.equals("data")) {
        in.startArray("\"data\"");
        while (in.nextElement()) {
          trace();
        }
      } else {
        in.skip(); // total, limit, offset, errors
      }
    }
  }

  /** One trace: the parser on its {@code '{'} or its first field's name. */
  void trace() throws SpanFileException {
    in.enterObject("a Jaeger trace");
    long mark = in.held();
    List<HeldSpan> spans = new ArrayList<>();
    Map<String, Process> processes = new HashMap<>();
    for (String field; (field = in.nextField()) != null; ) {
      switch (field) {
        case "spans" -> {
          in.startArray("trace \"spans\"");
          while (in.nextElement()) {
            if (spans.size() == JsonInput.MAX_HELD_SPANS) {
              throw in.error("a Jaeger trace of more than " + JsonInput.MAX_HELD_SPANS + " spans");
            }
            spans.add(span());
          }
        }
        case "processes" -> {
          in.startObject("trace \"processes\"");
          for (String id; (id = in.nextField()) != null; ) {
            processes.put(in.hold(id), process("process " + JsonInput.quote(id)));
          }
        }
        default -> in.skip(); // traceID, warnings
      }
    }
    for (HeldSpan span : spans) {
      sink.accept(received(span, processes));
    }
    in.release(mark);
  }

  private ReceivedSpan received(HeldSpan span, Map<String, Process> processes)
      throws SpanFileException {
    Process process = span.process() != null ? span.process() : processes.get(span.processId());
    if (process == null) {
      throw in.error(
          span.processAt(),
          span.processId() == null
              ? "span has no \"processID\""
              : "span \"processID\" "
                  + JsonInput.quote(span.processId())
                  + " is not among its trace's \"processes\"");
    }
    Map<String, String> attributes = span.attributes();
    if (process.learner() != null) {
      attributes.putIfAbsent(ReceivedSpan.LEARNER, process.learner());
    }
    return new ReceivedSpan(
        span.traceId(),
        span.spanId(),
        span.parentSpanId(),
        process.service(),
        span.kind(),
        span.name(),
        span.startEpochNanos(),
        span.endEpochNanos(),
        span.error(),
        attributes,
        span.links());
  }

  private HeldSpan span() throws SpanFileException {
    in.startObject("a span");
    JsonLocation start = in.location();
    in.hold(SPAN_COST);
    String traceId = null;
    String spanId = null;
    String deprecatedParent = null;
    String name = "";
    long startNanos = 0;
    long durationNanos = 0;
    List<Reference> references = List.of();
    Map<String, String> attributes = new HashMap<>();
    SpanKind kind = SpanKind.INTERNAL;
    boolean error = false;
    String processId = null;
    JsonLocation processAt = start;
    Process process = null;
    for (String field; (field = in.nextField()) != null; ) {
      switch (field) {
        case "traceID" -> traceId = in.traceId("span \"traceID\"", true);
        case "spanID" -> spanId = in.spanId("span \"spanID\"");
        case "parentSpanID" -> deprecatedParent = in.parentId("span \"parentSpanID\"");
        case "operationName" -> name = in.hold(in.string("span \"operationName\""));
        case "references" -> references = references();
        case "startTime" -> startNanos = in.micros("span \"startTime\"");
        case "duration" -> durationNanos = in.micros("span \"duration\"");
        case "tags" -> {
          in.startArray("span \"tags\"");
          while (in.nextElement()) {
            Tag tag = tag();
            switch (tag.key()) {
              case SPAN_KIND -> kind = kind(tag.value());
              case Tags.STATUS_CODE -> error |= tag.value().equals("ERROR");
              case Tags.ERROR -> error |= tag.value().equals("true");
              default -> {}
            }
            if (!tag.key().equals(SPAN_KIND) && !Tags.translated(tag.key())) {
              attributes.put(tag.key(), tag.value());
            }
          }
        }
        case "processID" -> {
          processAt = in.location();
          processId = in.hold(in.string("span \"processID\""));
        }
        case "process" -> process = process("span \"process\"");
        default -> in.skip(); // flags, logs, warnings
      }
    }
    if (traceId == null || spanId == null) {
      throw in.error(start, "span has no \"" + (traceId == null ? "traceID" : "spanID") + "\"");
    }
    if (Long.MAX_VALUE - startNanos < durationNanos) {
      throw in.error(
          start, "span ends after the year 2262: \"startTime\" + \"duration\" is too large");
    }
    Reference parent = parent(traceId, references);
    List<ReceivedSpan.Link> links = new ArrayList<>(references.size());
    for (Reference reference : references) {
      if (reference != parent) {
        links.add(new ReceivedSpan.Link(reference.traceId(), reference.spanId()));
      }
    }
    return new HeldSpan(
        traceId,
        spanId,
        parent != null ? parent.spanId() : deprecatedParent,
        name,
        kind,
        startNanos,
        startNanos + durationNanos,
        error,
        attributes,
        links,
        processId,
        process,
        processAt);
  }

  /**
   * The {@code CHILD_OF} reference within the trace, else the first reference within it, or null.
   */
  private static Reference parent(String traceId, List<Reference> references) {
    Reference first = null;
    for (Reference reference : references) {
      if (reference.traceId().equals(traceId)) {
        if (reference.childOf()) {
          return reference;
        }
        if (first == null) {
          first = reference;
        }
      }
    }
    return first;
  }

  private List<Reference> references() throws SpanFileException {
    in.startArray("span \"references\"");
    List<Reference> references = new ArrayList<>();
    while (in.nextElement()) {
      in.startObject("a reference");
      JsonLocation start = in.location();
      in.hold(JsonInput.STRING_COST * 3L);
      String type = null;
      String traceId = null;
      String spanId = null;
      for (String field; (field = in.nextField()) != null; ) {
        switch (field) {
          case "refType" -> type = in.string("reference \"refType\"");
          case "traceID" -> traceId = in.traceId("reference \"traceID\"", true);
          case "spanID" -> spanId = in.spanId("reference \"spanID\"");
          default -> in.skip();
        }
      }
      if (traceId == null || spanId == null) {
        throw in.error(
            start, "reference has no \"" + (traceId == null ? "traceID" : "spanID") + "\"");
      }
      references.add(new Reference("CHILD_OF".equals(type), traceId, spanId));
    }
    return references;
  }

  private Process process(String what) throws SpanFileException {
    in.startObject(what);
    String service = "unknown_service"; // as OtlpDecoder names a resource without service.name
    String learner = null;
    for (String field; (field = in.nextField()) != null; ) {
      switch (field) {
        case "serviceName" -> service = in.hold(in.string(what + " \"serviceName\""));
        case "tags" -> {
          in.startArray(what + " \"tags\"");
          while (in.nextElement()) {
            Tag tag = tag();
            if (learner == null && tag.key().equals(ReceivedSpan.LEARNER)) {
              learner = tag.value();
            }
          }
        }
        default -> in.skip();
      }
    }
    return new Process(service, learner);
  }

  /** A tag, {@code {"key", "type", "value"}} in any order, its value rendered by its type. */
  private Tag tag() throws SpanFileException {
    in.startObject("a tag");
    JsonLocation start = in.location();
    String key = null;
    String type = null;
    JsonToken valueToken = null;
    String value = "";
    JsonLocation valueAt = start;
    for (String field; (field = in.nextField()) != null; ) {
      switch (field) {
        case "key" -> key = in.string("tag \"key\"");
        case "type" -> type = in.string("tag \"type\"");
        case "value" -> {
          valueAt = in.location();
          valueToken = in.token();
          value = in.scalar("tag \"value\"");
        }
        default -> in.skip();
      }
    }
    if (key == null) {
      throw in.error(start, "tag has no \"key\"");
    }
    return new Tag(in.hold(key), in.hold(render(key, type, valueToken, value, valueAt)));
  }

  /** A tag's value as OtlpDecoder renders the OTLP value of the same type. */
  private String render(String key, String type, JsonToken token, String value, JsonLocation at)
      throws SpanFileException {
    String what = "tag " + JsonInput.quote(key) + " of type " + type;
    try {
      switch (type == null ? "string" : type.toLowerCase(Locale.ROOT)) {
        case "string" -> {
          return value;
        }
        case "bool" -> {
          if (token == JsonToken.VALUE_TRUE
              || token == JsonToken.VALUE_FALSE
              || value.equals("true")
              || value.equals("false")) {
            return value;
          }
          throw in.error(
              at, what + " must have the value true or false, was " + JsonInput.quote(value));
        }
        case "int64" -> {
          return Long.toString(Long.parseLong(value));
        }
        case "float64" -> {
          return Double.toString(Double.parseDouble(value));
        }
        case "binary" -> {
          return HEX.formatHex(Base64.getDecoder().decode(value));
        }
        default ->
            throw in.error(
                at,
                "tag "
                    + JsonInput.quote(key)
                    + " \"type\" must be string, bool, int64, float64"
                    + " or binary, was "
                    + JsonInput.quote(type));
      }
    } catch (IllegalArgumentException e) { // NumberFormatException too
      throw in.error(at, what + " has the value " + JsonInput.quote(value));
    }
  }

  private static SpanKind kind(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "client" -> SpanKind.CLIENT;
      case "server" -> SpanKind.SERVER;
      case "producer" -> SpanKind.PRODUCER;
      case "consumer" -> SpanKind.CONSUMER;
      default -> SpanKind.INTERNAL;
    };
  }
}
