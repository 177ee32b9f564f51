// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The requests of {@code ./lab bench ingest}: OTLP/protobuf {@code ExportTraceServiceRequest}s of
 * complete lab traces (the six spans of docs/design.md §2, five attributes each, one {@code
 * ResourceSpans} per service), {@value #TRACES_PER_REQUEST} traces per request. Encoded once;
 * request number {@code k} is a template with its ids written in place: trace {@code T = k *
 * TRACES_PER_REQUEST + t} gets trace id, span ids and order id derived from {@code T}, so no id
 * ever repeats (a tail sampler's decision cache never answers for a trace it has not buffered) and
 * request {@code k} is the same bytes for whichever side receives it.
 *
 * <p>{@link #withBrokenEdges()} (the traffic of {@code ./lab bench scale}): the same, except that
 * one trace in every {@value #BROKEN_EVERY} requests is broken at the HTTP boundary (the worker's
 * SERVER span starts a trace of its own: fragments {1,2} + {3,4,5,6}, docs/orphans.md {@code
 * broken-http}) and as many at the Kafka boundary (the consumer's span starts a trace of its own:
 * {1..5} + {6}): the two ends of each broken edge are two trace ids, which a trace-id load balancer
 * usually sends to two auditors. Every span still carries its request's {@code app.order_id}.
 */
public final class IngestWorkload {

  public static final int TRACES_PER_REQUEST = 20;
  public static final int SPANS_PER_TRACE = Flow.SPANS.size();
  private static final int TEMPLATES = 16;

  /** With broken edges: one broken-http and one broken-kafka trace per this many requests. */
  public static final int BROKEN_EVERY = 8;

  private static final String ORDER_PREFIX = "order-";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** One template: its bytes and where each span's ids sit. */
  private record Template(
      byte[] bytes,
      int[] traceIdAt,
      int[] spanIdAt,
      int[] parentIdAt,
      int[] orderIdAt,
      int[] trace,
      int[] fragment,
      int[] step,
      int[] parentStep) {}

  private final List<Template> templates = new ArrayList<>();
  private final boolean brokenEdges;

  /** Complete traces only. */
  public IngestWorkload() {
    this(false);
  }

  private IngestWorkload(boolean brokenEdges) {
    this.brokenEdges = brokenEdges;
    for (int i = 0; i < TEMPLATES; i++) {
      templates.add(template(i, brokenEdges));
    }
  }

  /** Complete traces plus broken edges across trace ids (see the class comment). */
  public static IngestWorkload withBrokenEdges() {
    return new IngestWorkload(true);
  }

  public boolean brokenEdges() {
    return brokenEdges;
  }

  /** How many of requests {@code 0..requests-1} hold a broken-http trace (request k, k % 8 = 0). */
  public long brokenHttpTraces(long requests) {
    return brokenEdges ? (requests + BROKEN_EVERY - 1) / BROKEN_EVERY : 0;
  }

  /** How many of requests {@code 0..requests-1} hold a broken-kafka trace (k % 8 = 4). */
  public long brokenKafkaTraces(long requests) {
    int at = BROKEN_EVERY / 2;
    return brokenEdges ? (requests + BROKEN_EVERY - 1 - at) / BROKEN_EVERY : 0;
  }

  /** Which trace of template {@code index} is broken, and where: 3 (http), 6 (kafka), 0 none. */
  private static int brokenStep(int index, boolean brokenEdges) {
    if (!brokenEdges) {
      return 0;
    }
    return index % BROKEN_EVERY == 0 ? 3 : index % BROKEN_EVERY == BROKEN_EVERY / 2 ? 6 : 0;
  }

  public int spansPerRequest() {
    return TRACES_PER_REQUEST * SPANS_PER_TRACE;
  }

  /** The largest request, in bytes. */
  public int maxRequestBytes() {
    int max = 0;
    for (Template t : templates) {
      max = Math.max(max, t.bytes.length);
    }
    return max;
  }

  /**
   * Writes request number {@code k} into {@code out} at {@code offset}; returns its length. Thread
   * safe (the templates are only read).
   */
  public int write(long k, byte[] out, int offset) {
    Template t = templates.get((int) (k % TEMPLATES));
    System.arraycopy(t.bytes, 0, out, offset, t.bytes.length);
    for (int s = 0; s < t.step.length; s++) {
      long trace = k * TRACES_PER_REQUEST + t.trace[s];
      putLong(out, offset + t.traceIdAt[s], traceHi(trace, t.fragment[s]));
      putLong(out, offset + t.traceIdAt[s] + 8, traceLo(trace, t.fragment[s]));
      putLong(out, offset + t.spanIdAt[s], spanId(trace, t.step[s]));
      if (t.parentIdAt[s] >= 0) {
        putLong(out, offset + t.parentIdAt[s], spanId(trace, t.parentStep[s]));
      }
      int at = offset + t.orderIdAt[s] + ORDER_PREFIX.length();
      for (int d = 15; d >= 0; d--) {
        out[at + (15 - d)] = (byte) HEX[(int) (trace >>> (d * 4)) & 15];
      }
    }
    return t.bytes.length;
  }

  /** Request {@code k} as a new array (tests, and the single-request checks). */
  public byte[] request(long k) {
    Template t = templates.get((int) (k % TEMPLATES));
    byte[] out = new byte[t.bytes.length];
    write(k, out, 0);
    return out;
  }

  /** Fragment 0: the trace's own id; fragment 1: the id of the part a broken boundary split off. */
  private static long traceHi(long trace, int fragment) {
    return mix(trace + fragment * 0x9E3779B97F4A7C15L) | 1L << 62;
  }

  private static long traceLo(long trace, int fragment) {
    return mix((trace ^ 0x5DEECE66DL) + fragment * 0x9E3779B97F4A7C15L);
  }

  private static long spanId(long trace, int step) {
    return mix(trace * 16 + step) | 1L;
  }

  private static long mix(long v) {
    v = (v ^ (v >>> 33)) * 0xff51afd7ed558ccdL;
    v = (v ^ (v >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return v ^ (v >>> 33);
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 7; i >= 0; i--) {
      b[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  /** Template {@code index}: request {@code index} with every id in place (then located). */
  private static Template template(int index, boolean brokenEdges) {
    int broken = brokenStep(index, brokenEdges);
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    List<int[]> order =
        new ArrayList<>(); // per span in encoding order: trace in request, step, parent step,
    // fragment
    long base = 1_700_000_000_000_000_000L + index * 1_000_000_000L;
    for (String service : Flow.SERVICES) {
      ScopeSpans.Builder scope = ScopeSpans.newBuilder();
      for (int t = 0; t < TRACES_PER_REQUEST; t++) {
        long trace = (long) index * TRACES_PER_REQUEST + t;
        for (ExpectedSpan e : Flow.SPANS) {
          if (!e.service().equals(service)) {
            continue;
          }
          long start = base + t * 50_000_000L + e.step() * 1_000_000L;
          // trace 0 of a broken template: the span at the broken step and its descendants form a
          // trace of their own, whose root has no parent
          int fragment = t == 0 && broken > 0 && e.step() >= broken ? 1 : 0;
          boolean root = e.isRoot() || (fragment == 1 && e.step() == broken);
          Span.Builder span =
              Span.newBuilder()
                  .setTraceId(
                      ByteString.copyFrom(
                          concat(traceHi(trace, fragment), traceLo(trace, fragment))))
                  .setSpanId(ByteString.copyFrom(bytes(spanId(trace, e.step()))))
                  .setName(e.name())
                  .setKind(Span.SpanKind.forNumber(e.kind().ordinal() + 1))
                  .setStartTimeUnixNano(start)
                  .setEndTimeUnixNano(start + 10_000_000L - e.step() * 1_000_000L)
                  .addAttributes(kv("app.order_id", orderId(trace)))
                  .addAttributes(kv("http.request.method", "POST"))
                  .addAttributes(kv("url.path", "/orders"))
                  .addAttributes(kv("server.address", "127.0.0.1"))
                  .addAttributes(kv("messaging.system", "kafka"));
          if (!root) {
            span.setParentSpanId(ByteString.copyFrom(bytes(spanId(trace, e.parentStep()))));
          }
          scope.addSpans(span);
          order.add(new int[] {t, e.step(), root ? -1 : e.parentStep(), fragment});
        }
      }
      request.addResourceSpans(
          ResourceSpans.newBuilder()
              .setResource(Resource.newBuilder().addAttributes(kv("service.name", service)))
              .addScopeSpans(scope));
    }
    byte[] bytes = request.build().toByteArray();
    int n = order.size();
    int[] traceIdAt = new int[n];
    int[] spanIdAt = new int[n];
    int[] parentIdAt = new int[n];
    int[] orderIdAt = new int[n];
    locate(bytes, traceIdAt, spanIdAt, parentIdAt, orderIdAt);
    int[] trace = new int[n];
    int[] step = new int[n];
    int[] parentStep = new int[n];
    int[] fragment = new int[n];
    for (int i = 0; i < n; i++) {
      trace[i] = order.get(i)[0];
      step[i] = order.get(i)[1];
      parentStep[i] = order.get(i)[2];
      fragment[i] = order.get(i)[3];
    }
    return new Template(
        bytes, traceIdAt, spanIdAt, parentIdAt, orderIdAt, trace, fragment, step, parentStep);
  }

  /** Walks the encoded request and notes, span by span, where its ids and its order id sit. */
  private static void locate(
      byte[] bytes, int[] traceIdAt, int[] spanIdAt, int[] parentIdAt, int[] orderIdAt) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      int span = 0;
      int tag;
      while ((tag = in.readTag()) != 0) { // ExportTraceServiceRequest
        int rsEnd = in.pushLimit(in.readRawVarint32());
        int t2;
        while ((t2 = in.readTag()) != 0) { // ResourceSpans
          if (t2 != (2 << 3 | 2)) {
            in.skipField(t2);
            continue;
          }
          int ssEnd = in.pushLimit(in.readRawVarint32());
          int t3;
          while ((t3 = in.readTag()) != 0) { // ScopeSpans
            if (t3 != (2 << 3 | 2)) {
              in.skipField(t3);
              continue;
            }
            int spEnd = in.pushLimit(in.readRawVarint32());
            parentIdAt[span] = -1;
            int t4;
            while ((t4 = in.readTag()) != 0) { // Span
              int field = t4 >>> 3;
              if (field == 1 || field == 2 || field == 4) {
                int len = in.readRawVarint32();
                int at = in.getTotalBytesRead();
                in.skipRawBytes(len);
                (field == 1 ? traceIdAt : field == 2 ? spanIdAt : parentIdAt)[span] = at;
              } else if (field == 9) {
                int kvEnd = in.pushLimit(in.readRawVarint32());
                String key = null;
                int t5;
                while ((t5 = in.readTag()) != 0) { // KeyValue
                  if (t5 == (1 << 3 | 2)) {
                    key = in.readStringRequireUtf8();
                  } else if (t5 == (2 << 3 | 2) && "app.order_id".equals(key)) {
                    int avEnd = in.pushLimit(in.readRawVarint32());
                    in.readTag(); // AnyValue.string_value
                    in.readRawVarint32();
                    orderIdAt[span] = in.getTotalBytesRead();
                    in.skipRawBytes(in.getBytesUntilLimit());
                    in.popLimit(avEnd);
                  } else {
                    in.skipField(t5);
                  }
                }
                in.popLimit(kvEnd);
              } else {
                in.skipField(t4);
              }
            }
            in.popLimit(spEnd);
            span++;
          }
          in.popLimit(ssEnd);
        }
        in.popLimit(rsEnd);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String orderId(long trace) {
    StringBuilder sb = new StringBuilder(ORDER_PREFIX);
    for (int d = 15; d >= 0; d--) {
      sb.append(HEX[(int) (trace >>> (d * 4)) & 15]);
    }
    return sb.toString();
  }

  private static byte[] concat(long hi, long lo) {
    byte[] b = new byte[16];
    System.arraycopy(bytes(hi), 0, b, 0, 8);
    System.arraycopy(bytes(lo), 0, b, 8, 8);
    return b;
  }

  private static byte[] bytes(long v) {
    byte[] b = new byte[8];
    putLong(b, 0, v);
    return b;
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
