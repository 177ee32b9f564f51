// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.input;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import dev.tracelab.auditor.trace.ReceivedSpan;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Reads trace dumps, files of spans saved by a collector, a tracing backend or the auditor itself,
 * into the {@link ReceivedSpan}s the auditor judges, as the auditor's OTLP decoder would have made
 * them (lowercase hex ids, a null parent for a root, attribute values as strings, the service and
 * the {@code learner} attribute from the resource or process, links, error = status ERROR).
 *
 * <p>The format is told by content, not by the file's name, and the file is streamed: a file of any
 * size is read holding at most one OTLP {@code resourceSpans}, one Jaeger trace or one Zipkin span
 * at a time. A file starting with the gzip magic bytes is inflated first. See {@link Format} for
 * the formats. A file that is not one of them, is malformed (truncated JSON, an id that is not hex
 * of the right length or is all zero, a value of the wrong type) or exceeds a limit against hostile
 * input (a string of more than 2<sup>20</sup> characters, nesting deeper than 64, a Jaeger trace of
 * more than 50 000 spans, more than 2<sup>27</sup> characters of names and values held at once) is
 * a {@link SpanFileException} naming the place; strings are never truncated. Span events (Jaeger
 * logs, Zipkin annotations) are not read: a {@link ReceivedSpan} has none.
 */
public final class SpanFiles {

  /** The formats of trace dumps {@link #read} reads. */
  public enum Format {
    /**
     * One OTLP {@code ExportTraceServiceRequest} in JSON, {@code {"resourceSpans": [...]}}: the
     * proto3 JSON mapping with hex trace and span ids (the OTLP/JSON encoding), lowerCamelCase or
     * snake_case field names, enums as numbers or names, 64-bit integers as numbers or strings.
     */
    OTLP_JSON,
    /**
     * One such request per line, as the OpenTelemetry Collector's file exporter and {@link
     * OtlpJsonLines} write; a file of a single line reads as {@link #OTLP_JSON}.
     */
    OTLP_JSON_LINES,
    /**
     * Jaeger's query API answer or UI download, {@code {"data": [trace, ...]}}, a top-level array
     * of traces, or one trace; a trace is {@code {"traceID", "spans": [...], "processes": {...}}}
     * with times in microseconds.
     */
    JAEGER_JSON,
    /**
     * A Zipkin v2 JSON array of spans (or of arrays of spans, one per trace), times in
     * microseconds; 64-bit trace ids are left-padded with zeros to 128 bits. An empty top-level
     * array reads as this format.
     */
    ZIPKIN_JSON
  }

  private static final String EXPECTED =
      "expected OTLP JSON, OTLP JSON Lines, Jaeger JSON or Zipkin v2 JSON";

  /** The problem of a file that is no trace dump. */
  static final String NOT_A_DUMP = "not a trace dump: " + EXPECTED;

  private static final int BUFFER = 64 * 1024;
  private static final Set<String> OTLP_REQUEST = Set.of("resourceSpans", "resource_spans");
  private static final Set<String> JAEGER_TRACE =
      Set.of("traceID", "spans", "processes", "warnings");
  private static final Set<String> ZIPKIN_SPAN =
      Set.of(
          "traceId",
          "id",
          "parentId",
          "kind",
          "name",
          "timestamp",
          "duration",
          "localEndpoint",
          "remoteEndpoint",
          "annotations",
          "tags",
          "debug",
          "shared");

  private SpanFiles() {}

  /**
   * Reads every span of {@code file} into {@code sink}, in the file's order (a Jaeger trace's spans
   * once the whole trace is read), and answers the file's format. Spans read before a problem are
   * handed on before it is thrown.
   *
   * @throws SpanFileException the file cannot be read, is no trace dump, or is malformed; its
   *     message is one line, {@code <file>:<line>:<column>: <what is wrong>}
   */
  public static Format read(Path file, Consumer<ReceivedSpan> sink) throws SpanFileException {
    String name = file.toString();
    try (InputStream raw = Files.newInputStream(file)) {
      BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER);
      boolean gzip = isGzip(buffered);
      try (JsonInput in =
          JsonInput.open(name, gzip ? new GZIPInputStream(buffered, BUFFER) : buffered, gzip)) {
        return read(in, sink);
      }
    } catch (NoSuchFileException e) {
      throw new SpanFileException(name, 1, 1, "no such file", e);
    } catch (IOException e) { // opening, or the first bytes (a gzip header)
      String why = e instanceof FileSystemException ? e.getClass().getSimpleName() : e.getMessage();
      throw new SpanFileException(name, 1, 1, "cannot read: " + why, e);
    }
  }

  private static boolean isGzip(BufferedInputStream in) throws IOException {
    in.mark(2);
    boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
    in.reset();
    return gzip;
  }

  private static Format read(JsonInput in, Consumer<ReceivedSpan> sink) throws SpanFileException {
    JsonToken first = in.first();
    if (first == null) {
      throw in.error(JsonLocation.NA, "empty file: " + EXPECTED);
    }
    JsonLocation start = in.location();
    return switch (first) {
      case START_OBJECT -> object(in, start, sink);
      case START_ARRAY -> array(in, start, sink);
      default -> throw in.error(start, NOT_A_DUMP);
    };
  }

  /** A top-level object: an OTLP request (the first of its lines), a Jaeger answer or trace. */
  private static Format object(JsonInput in, JsonLocation start, Consumer<ReceivedSpan> sink)
      throws SpanFileException {
    if (in.next() == JsonToken.END_OBJECT) { // {}: an OTLP request of no spans
      return otlp(in, null, sink);
    }
    String field = in.name();
    if (OTLP_REQUEST.contains(field)) {
      return otlp(in, new OtlpJsonReader(in, sink), sink);
    }
    if (field.equals("data")) {
      new JaegerJsonReader(in, sink).response();
      return end(in, Format.JAEGER_JSON);
    }
    if (JAEGER_TRACE.contains(field)) {
      new JaegerJsonReader(in, sink).trace();
      return end(in, Format.JAEGER_JSON);
    }
    throw in.error(start, NOT_A_DUMP);
  }

  /**
   * OTLP JSON: the first request ({@code first} reads it, unless it was empty), then any more, one
   * per line.
   */
  private static Format otlp(JsonInput in, OtlpJsonReader first, Consumer<ReceivedSpan> sink)
      throws SpanFileException {
    if (first != null) {
      first.request();
    }
    OtlpJsonReader reader = new OtlpJsonReader(in, sink);
    Format format = Format.OTLP_JSON;
    while (in.next() != null) {
      in.startObject("each line of OTLP JSON Lines");
      reader.request();
      format = Format.OTLP_JSON_LINES;
    }
    return format;
  }

  /**
   * A top-level array: of Jaeger traces, or of Zipkin spans (or of arrays of them); [] holds no
   * span.
   */
  private static Format array(JsonInput in, JsonLocation start, Consumer<ReceivedSpan> sink)
      throws SpanFileException {
    JsonToken token = in.next();
    if (token == JsonToken.END_ARRAY) {
      return end(in, Format.ZIPKIN_JSON);
    }
    if (token == JsonToken.START_ARRAY) {
      return zipkin(in, sink);
    }
    if (token == JsonToken.START_OBJECT && in.next() == JsonToken.FIELD_NAME) {
      String field = in.name();
      if (JAEGER_TRACE.contains(field)) {
        JaegerJsonReader reader = new JaegerJsonReader(in, sink);
        do {
          reader.trace();
        } while (in.nextElement());
        return end(in, Format.JAEGER_JSON);
      }
      if (ZIPKIN_SPAN.contains(field)) {
        return zipkin(in, sink);
      }
    }
    throw in.error(start, NOT_A_DUMP);
  }

  /** Zipkin's elements, the parser on the first one. */
  private static Format zipkin(JsonInput in, Consumer<ReceivedSpan> sink) throws SpanFileException {
    ZipkinJsonReader reader = new ZipkinJsonReader(in, sink);
    do {
      reader.element();
    } while (in.nextElement());
    return end(in, Format.ZIPKIN_JSON);
  }

  /** Checks that nothing follows the document. */
  private static Format end(JsonInput in, Format format) throws SpanFileException {
    if (in.next() != null) {
      throw in.error("unexpected content after the end of the trace dump");
    }
    return format;
  }
}
