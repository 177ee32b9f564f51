// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.input;

import com.google.protobuf.ByteString;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes every span the auditor receives to a file as OTLP JSON Lines ({@code --dump-spans F}): one
 * line per batch received, the spans of each service under a resource with its {@code
 * service.name}, so {@code ./lab audit F} judges the same traffic again. Attribute values are
 * written as the auditor holds them (strings). Thread-safe: batches arrive on many threads.
 */
public final class SpanDump implements AutoCloseable {

  private static final HexFormat HEX = HexFormat.of();
  private final Writer out;
  private long spans;

  private SpanDump(Writer out) {
    this.out = out;
  }

  /** Creates (or truncates) {@code file}. */
  public static SpanDump create(Path file) throws IOException {
    return new SpanDump(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
  }

  /** Appends one batch as one line; an I/O failure is unchecked (the auditor's ingest path). */
  public synchronized void write(List<ReceivedSpan> batch) {
    if (batch.isEmpty()) {
      return;
    }
    try {
      OtlpJsonLines.write(request(batch), out);
      spans += batch.size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Spans written so far. */
  public synchronized long spans() {
    return spans;
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }

  /** The OTLP request holding {@code batch}: one resource per service. */
  static ExportTraceServiceRequest request(List<ReceivedSpan> batch) {
    Map<String, ScopeSpans.Builder> byService = new LinkedHashMap<>();
    for (ReceivedSpan s : batch) {
      Span.Builder span =
          Span.newBuilder()
              .setTraceId(ByteString.copyFrom(HEX.parseHex(s.traceId())))
              .setSpanId(ByteString.copyFrom(HEX.parseHex(s.spanId())))
              .setName(s.name())
              .setKind(Span.SpanKind.forNumber(s.kind().ordinal() + 1))
              .setStartTimeUnixNano(s.startEpochNanos())
              .setEndTimeUnixNano(s.endEpochNanos());
      if (s.parentSpanId() != null) {
        span.setParentSpanId(ByteString.copyFrom(HEX.parseHex(s.parentSpanId())));
      }
      if (s.error()) {
        span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
      }
      s.attributes()
          .forEach(
              (k, v) -> {
                if (!k.equals(ReceivedSpan.LEARNER)) {
                  span.addAttributes(
                      KeyValue.newBuilder()
                          .setKey(k)
                          .setValue(AnyValue.newBuilder().setStringValue(v)));
                }
              });
      for (ReceivedSpan.Link l : s.links()) {
        span.addLinks(
            Span.Link.newBuilder()
                .setTraceId(ByteString.copyFrom(HEX.parseHex(l.traceId())))
                .setSpanId(ByteString.copyFrom(HEX.parseHex(l.spanId()))));
      }
      String learner = s.attributes().get(ReceivedSpan.LEARNER);
      byService
          .computeIfAbsent(
              s.service() + "\u0000" + (learner == null ? "" : learner),
              k -> ScopeSpans.newBuilder())
          .addSpans(span);
    }
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    byService.forEach(
        (key, scope) -> {
          String[] parts = key.split("\u0000", -1);
          Resource.Builder resource =
              Resource.newBuilder()
                  .addAttributes(
                      KeyValue.newBuilder()
                          .setKey("service.name")
                          .setValue(AnyValue.newBuilder().setStringValue(parts[0])));
          if (!parts[1].isEmpty()) {
            resource.addAttributes(
                KeyValue.newBuilder()
                    .setKey(ReceivedSpan.LEARNER)
                    .setValue(AnyValue.newBuilder().setStringValue(parts[1])));
          }
          request.addResourceSpans(
              ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope));
        });
    return request.build();
  }
}
