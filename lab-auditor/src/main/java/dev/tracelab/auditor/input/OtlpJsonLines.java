// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Writes OTLP trace requests as OTLP JSON Lines, what the OpenTelemetry Collector's file exporter
 * writes: one {@code ExportTraceServiceRequest} a line in the OTLP/JSON encoding, that is the
 * proto3 JSON mapping (lowerCamelCase names, 64-bit integers as strings, bytes in base64) with
 * enums as numbers and trace and span ids in hex. {@link SpanFiles#read} reads such a file back to
 * the spans the auditor decoded from the requests.
 */
public final class OtlpJsonLines {

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace().printingEnumsAsInts();
  private static final JsonFactory JSON =
      JsonFactory.builder()
          // it reads only what PRINTER printed of a request already held: no limit of its own
          .streamReadConstraints(
              StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
          .build();
  private static final Set<String> IDS = Set.of("traceId", "spanId", "parentSpanId");
  private static final HexFormat HEX = HexFormat.of();

  private OtlpJsonLines() {}

  /**
   * Writes {@code request} as one line (ending in {@code '\n'}) to {@code out}, which stays open.
   * Spans whose ids the auditor's decoder rejects (a trace id not of 16 bytes or all zero, a span
   * id not of 8 bytes or all zero, a parent id neither empty nor of 8 bytes) and links whose ids it
   * drops are left out, so that the line reads back to exactly the spans the auditor decoded.
   */
  public static void write(ExportTraceServiceRequest request, Writer out) throws IOException {
    String json = PRINTER.print(decodable(request));
    try (JsonParser parser = JSON.createParser(json);
        JsonGenerator line = JSON.createGenerator(out)) {
      for (JsonToken token; (token = parser.nextToken()) != null; ) {
        if (token == JsonToken.VALUE_STRING && IDS.contains(parser.currentName())) {
          line.writeString(HEX.formatHex(Base64.getDecoder().decode(parser.getText())));
        } else {
          line.copyCurrentEventExact(parser);
        }
      }
    }
    out.write('\n');
  }

  /** The request less its spans and links with ids the decoder rejects; itself when it has none. */
  private static ExportTraceServiceRequest decodable(ExportTraceServiceRequest request) {
    boolean clean =
        request.getResourceSpansList().stream()
            .flatMap(resourceSpans -> resourceSpans.getScopeSpansList().stream())
            .flatMap(scopeSpans -> scopeSpans.getSpansList().stream())
            .allMatch(
                span ->
                    decodable(span)
                        && span.getLinksList().stream().allMatch(OtlpJsonLines::decodable));
    if (clean) {
      return request;
    }
    ExportTraceServiceRequest.Builder builder = request.toBuilder();
    for (ResourceSpans.Builder resourceSpans : builder.getResourceSpansBuilderList()) {
      for (ScopeSpans.Builder scopeSpans : resourceSpans.getScopeSpansBuilderList()) {
        List<Span> kept = new ArrayList<>(scopeSpans.getSpansCount());
        for (Span span : scopeSpans.getSpansList()) {
          if (decodable(span)) {
            List<Span.Link> links =
                span.getLinksList().stream().filter(OtlpJsonLines::decodable).toList();
            kept.add(span.toBuilder().clearLinks().addAllLinks(links).build());
          }
        }
        scopeSpans.clearSpans().addAllSpans(kept);
      }
    }
    return builder.build();
  }

  private static boolean decodable(Span span) {
    ByteString parent = span.getParentSpanId();
    return isId(span.getTraceId(), 16)
        && isId(span.getSpanId(), 8)
        && (parent.isEmpty() || parent.size() == 8);
  }

  private static boolean decodable(Span.Link link) {
    return isId(link.getTraceId(), 16) && isId(link.getSpanId(), 8);
  }

  private static boolean isId(ByteString id, int bytes) {
    if (id.size() != bytes) {
      return false;
    }
    for (int i = 0; i < bytes; i++) {
      if (id.byteAt(i) != 0) {
        return true;
      }
    }
    return false; // all zero: the W3C invalid id
  }
}
