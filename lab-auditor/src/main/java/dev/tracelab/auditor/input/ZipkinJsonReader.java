// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.input;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads Zipkin v2 JSON spans one at a time. The service is {@code localEndpoint.serviceName}, error
 * the tag {@code error} (any value) or {@code otel.status_code=ERROR}; every other tag is an
 * attribute but for those a translation from OTLP adds ({@link Tags#translated}). A CLIENT or
 * PRODUCER span whose {@code remoteEndpoint} has an address and a port, and whose tags name no
 * {@code server.address} or {@code server.port}, gets those two attributes from it. Zipkin keeps no
 * links. A {@code shared} span (the server half of an RPC, carrying its client's id) reads as it
 * is.
 */
final class ZipkinJsonReader {

  private static final String SERVER_ADDRESS = "server.address";
  private static final String SERVER_PORT = "server.port";
  private static final long SPAN_COST = 256;

  private final JsonInput in;
  private final Consumer<ReceivedSpan> sink;

  ZipkinJsonReader(JsonInput in, Consumer<ReceivedSpan> sink) {
    this.in = in;
    this.sink = sink;
  }

  private record Endpoint(String serviceName, String ipv4, String ipv6, int port) {

    /** The address of a remote peer to name as {@code server.address}, or null. */
    String address() {
      return port <= 0 ? null : ipv4 != null ? ipv4 : ipv6;
    }
  }

  /**
   * An element of the top-level array: a span, or an array of the spans of one trace (as Zipkin's
   * {@code /api/v2/traces} answers); the parser on its first token or the span's first field name.
   */
  void element() throws SpanFileException {
    if (in.token() == JsonToken.START_ARRAY) {
      while (in.nextElement()) {
        span();
      }
    } else {
      span();
    }
  }

  private void span() throws SpanFileException {
    in.enterObject("a span");
    JsonLocation start = in.location();
    long mark = in.held();
    in.hold(SPAN_COST);
    String traceId = null;
    String spanId = null;
    String parentId = null;
    SpanKind kind = SpanKind.INTERNAL;
    String name = "";
    long startNanos = 0;
    long durationNanos = 0;
    String service = "unknown_service"; // as OtlpDecoder names a resource without service.name
    Endpoint remote = null;
    Map<String, String> tags = new HashMap<>();
    for (String field; (field = in.nextField()) != null; ) {
      switch (field) {
        case "traceId" -> traceId = in.traceId("span \"traceId\"", true);
        case "id" -> spanId = in.spanId("span \"id\"");
        case "parentId" -> parentId = in.parentId("span \"parentId\"");
        case "kind" -> kind = kind();
        case "name" -> name = in.hold(in.string("span \"name\""));
        case "timestamp" -> startNanos = in.micros("span \"timestamp\"");
        case "duration" -> durationNanos = in.micros("span \"duration\"");
        case "localEndpoint" -> {
          String local = endpoint("span \"localEndpoint\"").serviceName();
          service = local == null ? service : local;
        }
        case "remoteEndpoint" -> remote = endpoint("span \"remoteEndpoint\"");
        case "tags" -> {
          in.startObject("span \"tags\"");
          for (String key; (key = in.nextField()) != null; ) {
            tags.put(in.hold(key), in.hold(in.string("tag " + JsonInput.quote(key))));
          }
        }
        default -> in.skip(); // annotations, debug, shared
      }
    }
    if (traceId == null || spanId == null) {
      throw in.error(start, "span has no \"" + (traceId == null ? "traceId" : "id") + "\"");
    }
    if (Long.MAX_VALUE - startNanos < durationNanos) {
      throw in.error(
          start, "span ends after the year 2262: \"timestamp\" + \"duration\" is too large");
    }
    boolean error = tags.containsKey(Tags.ERROR) || "ERROR".equals(tags.get(Tags.STATUS_CODE));
    Map<String, String> attributes = new HashMap<>(tags.size() * 2 + 1);
    tags.forEach(
        (key, value) -> {
          if (!Tags.translated(key)) {
            attributes.put(key, value);
          }
        });
    if ((kind == SpanKind.CLIENT || kind == SpanKind.PRODUCER)
        && remote != null
        && remote.address() != null
        && !attributes.containsKey(SERVER_ADDRESS)
        && !attributes.containsKey(SERVER_PORT)) {
      attributes.put(SERVER_ADDRESS, remote.address());
      attributes.put(SERVER_PORT, Integer.toString(remote.port()));
    }
    sink.accept(
        new ReceivedSpan(
            traceId,
            spanId,
            parentId,
            service,
            kind,
            name,
            startNanos,
            startNanos + durationNanos,
            error,
            attributes,
            List.of()));
    in.release(mark);
  }

  private SpanKind kind() throws SpanFileException {
    return switch (in.string("span \"kind\"")) {
      case "CLIENT" -> SpanKind.CLIENT;
      case "SERVER" -> SpanKind.SERVER;
      case "PRODUCER" -> SpanKind.PRODUCER;
      case "CONSUMER" -> SpanKind.CONSUMER;
      default -> throw in.mustBe("span \"kind\"", "CLIENT, SERVER, PRODUCER or CONSUMER");
    };
  }

  private Endpoint endpoint(String what) throws SpanFileException {
    in.startObject(what);
    String serviceName = null;
    String ipv4 = null;
    String ipv6 = null;
    int port = 0;
    for (String field; (field = in.nextField()) != null; ) {
      switch (field) {
        case "serviceName" -> serviceName = in.hold(in.string(what + " \"serviceName\""));
        case "ipv4" -> ipv4 = in.hold(in.string(what + " \"ipv4\""));
        case "ipv6" -> ipv6 = in.hold(in.string(what + " \"ipv6\""));
        case "port" -> {
          long number = in.int64(what + " \"port\"");
          if (number < 0 || number > 65_535) {
            throw in.mustBe(what + " \"port\"", "a port number (0 to 65535)");
          }
          port = (int) number;
        }
        default -> in.skip();
      }
    }
    return new Endpoint(serviceName, ipv4, ipv6, port);
  }
}
