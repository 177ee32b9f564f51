// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.auditor.trace.SpanAttributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The fast path of {@link OtlpDecoder#decodeProtobufRequest}: reads an OTLP/protobuf {@code
 * ExportTraceServiceRequest} straight into {@link ReceivedSpan}s with one {@link CodedInputStream},
 * without building the generated message tree (a builder and a message per span, key-value and
 * value), and turns ids into hex with a table.
 *
 * <p>It gives exactly what the generated path gives, or gives up: anything it does not take field
 * by field the way the generated parser does (a singular message field sent twice, whose
 * occurrences merge; a group; an invalid byte of any kind) throws, and the caller decodes the
 * request the generated way, which then answers (spans, or the same error as before). A value other
 * than a plain string, bool, int, double or bytes is parsed by the generated {@code AnyValue}
 * parser at the depth it sits at, so recursion limits hold as before. Every string field the
 * generated parser reads is checked for UTF-8 here too, even those it throws away.
 *
 * <p>Short strings that recur (attribute keys, span names, service names, small values) are shared
 * through a bounded cache ({@link Strings}); span and trace ids through a small per-thread table,
 * so the spans of one trace hold one trace id string. Neither changes what a span holds.
 */
final class ProtobufSpans {

  /** The request takes a way the fast path does not follow: decode it the generated way. */
  static final class Unsupported extends RuntimeException {
    Unsupported() {
      super(null, null, false, false);
    }
  }

  private static final Unsupported UNSUPPORTED = new Unsupported();

  /** The generated parser's default recursion limit (CodedInputStream's). */
  private static final int RECURSION_LIMIT = 100;

  private static final String NO_VALUE = OtlpDecoder.render(AnyValue.getDefaultInstance());
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  // wire tags: (field number << 3) | wire type
  private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final int T_RESOURCE_SPANS = tag(1, LEN);
  private static final int T_RS_RESOURCE = tag(1, LEN);
  private static final int T_RS_SCOPE_SPANS = tag(2, LEN);
  private static final int T_RS_SCHEMA_URL = tag(3, LEN);
  private static final int T_RES_ATTRIBUTES = tag(1, LEN);
  private static final int T_RES_DROPPED = tag(2, WireFormat.WIRETYPE_VARINT);
  private static final int T_RES_ENTITY_REFS = tag(3, LEN);
  private static final int T_SS_SCOPE = tag(1, LEN);
  private static final int T_SS_SPANS = tag(2, LEN);
  private static final int T_SS_SCHEMA_URL = tag(3, LEN);
  private static final int T_SPAN_TRACE_ID = tag(1, LEN);
  private static final int T_SPAN_SPAN_ID = tag(2, LEN);
  private static final int T_SPAN_TRACE_STATE = tag(3, LEN);
  private static final int T_SPAN_PARENT = tag(4, LEN);
  private static final int T_SPAN_NAME = tag(5, LEN);
  private static final int T_SPAN_KIND = tag(6, WireFormat.WIRETYPE_VARINT);
  private static final int T_SPAN_START = tag(7, WireFormat.WIRETYPE_FIXED64);
  private static final int T_SPAN_END = tag(8, WireFormat.WIRETYPE_FIXED64);
  private static final int T_SPAN_ATTRIBUTES = tag(9, LEN);
  private static final int T_SPAN_DROPPED_ATTRIBUTES = tag(10, WireFormat.WIRETYPE_VARINT);
  private static final int T_SPAN_EVENTS = tag(11, LEN);
  private static final int T_SPAN_DROPPED_EVENTS = tag(12, WireFormat.WIRETYPE_VARINT);
  private static final int T_SPAN_LINKS = tag(13, LEN);
  private static final int T_SPAN_DROPPED_LINKS = tag(14, WireFormat.WIRETYPE_VARINT);
  private static final int T_SPAN_STATUS = tag(15, LEN);
  private static final int T_SPAN_FLAGS = tag(16, WireFormat.WIRETYPE_FIXED32);
  private static final int T_LINK_TRACE_ID = tag(1, LEN);
  private static final int T_LINK_SPAN_ID = tag(2, LEN);
  private static final int T_LINK_TRACE_STATE = tag(3, LEN);
  private static final int T_LINK_ATTRIBUTES = tag(4, LEN);
  private static final int T_LINK_DROPPED = tag(5, WireFormat.WIRETYPE_VARINT);
  private static final int T_LINK_FLAGS = tag(6, WireFormat.WIRETYPE_FIXED32);
  private static final int T_EVENT_TIME = tag(1, WireFormat.WIRETYPE_FIXED64);
  private static final int T_EVENT_NAME = tag(2, LEN);
  private static final int T_EVENT_ATTRIBUTES = tag(3, LEN);
  private static final int T_EVENT_DROPPED = tag(4, WireFormat.WIRETYPE_VARINT);
  private static final int T_STATUS_MESSAGE = tag(2, LEN);
  private static final int T_STATUS_CODE = tag(3, WireFormat.WIRETYPE_VARINT);
  private static final int T_SCOPE_NAME = tag(1, LEN);
  private static final int T_SCOPE_VERSION = tag(2, LEN);
  private static final int T_SCOPE_ATTRIBUTES = tag(3, LEN);
  private static final int T_SCOPE_DROPPED = tag(4, WireFormat.WIRETYPE_VARINT);
  private static final int T_ENTITY_SCHEMA_URL = tag(1, LEN);
  private static final int T_ENTITY_TYPE = tag(2, LEN);
  private static final int T_ENTITY_ID_KEYS = tag(3, LEN);
  private static final int T_ENTITY_DESCRIPTION_KEYS = tag(4, LEN);
  private static final int T_KV_KEY = tag(1, LEN);
  private static final int T_KV_VALUE = tag(2, LEN);
  private static final int T_KV_KEY_STRINDEX = tag(3, WireFormat.WIRETYPE_VARINT);
  private static final int T_ANY_STRING = tag(1, LEN);
  private static final int T_ANY_BOOL = tag(2, WireFormat.WIRETYPE_VARINT);
  private static final int T_ANY_INT = tag(3, WireFormat.WIRETYPE_VARINT);
  private static final int T_ANY_DOUBLE = tag(4, WireFormat.WIRETYPE_FIXED64);
  private static final int T_ANY_BYTES = tag(7, LEN);

  // the depth (messages around it, the request being 0) at which the generated parser reads the
  // fields of each message: the limit for an AnyValue parsed on its own is RECURSION_LIMIT - depth
  private static final int DEPTH_RESOURCE = 2;
  private static final int DEPTH_SCOPE = 3;
  private static final int DEPTH_SPAN = 3;
  private static final int DEPTH_SPAN_PART = 4; // links, events, status

  private ProtobufSpans() {}

  private static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  /** Per-thread buffers, reused from one request to the next. */
  private static final class Scratch {
    String[] keys = new String[16];
    String[] values = new String[16];
    final List<ReceivedSpan.Link> links = new ArrayList<>(4);
    // direct-mapped: ids seen lately on this thread, so that equal ids share one string
    final long[] traceHi = new long[512];
    final long[] traceLo = new long[512];
    final String[] traceHex = new String[512];
    final long[] spanBits = new long[1024];
    final String[] spanHex = new String[1024];
    final byte[] hexOut = new byte[32];
  }

  /** One request being decoded. */
  private static final class Reader {
    final byte[] buf;
    final Scratch scratch;
    final List<ReceivedSpan> out = new ArrayList<>();
    int rejected;
    String firstError;
    // the ScopeSpans of the current ResourceSpans: read once its resource is known
    int[] scopeRanges = new int[8];
    int scopes;
    // the span being read
    int traceOff;
    int traceLen;
    int spanOff;
    int spanLen;
    int parentOff;
    int parentLen;
    // the link being read
    int linkTraceOff;
    int linkTraceLen;
    int linkSpanOff;
    int linkSpanLen;
    // the key-value being read
    String key;
    String value;

    Reader(byte[] buf, Scratch scratch) {
      this.buf = buf;
      this.scratch = scratch;
    }
  }

  /**
   * The request's valid spans and rejections, exactly as the generated path; or {@link
   * Unsupported}.
   */
  static OtlpDecoder.Decoded decode(byte[] body) throws IOException {
    Reader r = new Reader(body, SCRATCH.get());
    CodedInputStream in = CodedInputStream.newInstance(body);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == T_RESOURCE_SPANS) {
        int limit = pushMessage(in);
        resourceSpans(r, in);
        in.popLimit(limit);
      } else {
        skip(in, tag);
      }
    }
    return new OtlpDecoder.Decoded(
        r.out,
        r.rejected,
        r.rejected == 0 ? "" : r.rejected + " span(s) rejected, first: " + r.firstError);
  }

  private static void resourceSpans(Reader r, CodedInputStream in) throws IOException {
    String service = "unknown_service";
    String learner = null;
    boolean resourceSeen = false;
    r.scopes = 0;
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == T_RS_RESOURCE) {
        if (resourceSeen) {
          throw UNSUPPORTED; // occurrences of a message field merge
        }
        resourceSeen = true;
        int limit = pushMessage(in);
        boolean serviceSeen = false;
        boolean learnerSeen = false;
        int t;
        while ((t = in.readTag()) != 0) {
          if (t == T_RES_ATTRIBUTES) {
            keyValue(r, in, DEPTH_RESOURCE + 1);
            if (!serviceSeen && r.key.equals("service.name")) {
              serviceSeen = true;
              service = r.value;
            }
            if (!learnerSeen && r.key.equals(ReceivedSpan.LEARNER)) {
              learnerSeen = true;
              learner = r.value;
            }
          } else if (t == T_RES_DROPPED) {
            in.readUInt32();
          } else if (t == T_RES_ENTITY_REFS) {
            entityRef(r, in);
          } else {
            skip(in, t);
          }
        }
        in.popLimit(limit);
      } else if (tag == T_RS_SCOPE_SPANS) {
        int length = length(in);
        if (r.scopes * 2 == r.scopeRanges.length) {
          r.scopeRanges = Arrays.copyOf(r.scopeRanges, r.scopeRanges.length * 2);
        }
        r.scopeRanges[r.scopes * 2] = in.getTotalBytesRead();
        r.scopeRanges[r.scopes * 2 + 1] = length;
        r.scopes++;
        in.skipRawBytes(length);
      } else if (tag == T_RS_SCHEMA_URL) {
        checkedString(r, in);
      } else {
        skip(in, tag);
      }
    }
    // the spans, once the resource (wherever it sat in the message) is known
    for (int i = 0; i < r.scopes; i++) {
      int off = r.scopeRanges[i * 2];
      scopeSpans(
          r,
          CodedInputStream.newInstance(r.buf, off, r.scopeRanges[i * 2 + 1]),
          off,
          service,
          learner);
    }
  }

  private static void scopeSpans(
      Reader r, CodedInputStream in, int base, String service, String learner) throws IOException {
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == T_SS_SPANS) {
        int limit = pushMessage(in);
        span(r, in, base, service, learner);
        in.popLimit(limit);
      } else if (tag == T_SS_SCOPE) {
        int limit = pushMessage(in);
        scope(r, in, base);
        in.popLimit(limit);
      } else if (tag == T_SS_SCHEMA_URL) {
        checkedString(r, in, base);
      } else {
        skip(in, tag);
      }
    }
  }

  private static void scope(Reader r, CodedInputStream in, int base) throws IOException {
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == T_SCOPE_NAME || tag == T_SCOPE_VERSION) {
        checkedString(r, in, base);
      } else if (tag == T_SCOPE_ATTRIBUTES) {
        keyValue(r, in, base, DEPTH_SCOPE + 1);
      } else if (tag == T_SCOPE_DROPPED) {
        in.readUInt32();
      } else {
        skip(in, tag);
      }
    }
  }

  private static void entityRef(Reader r, CodedInputStream in) throws IOException {
    int limit = pushMessage(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == T_ENTITY_SCHEMA_URL
          || tag == T_ENTITY_TYPE
          || tag == T_ENTITY_ID_KEYS
          || tag == T_ENTITY_DESCRIPTION_KEYS) {
        checkedString(r, in);
      } else {
        skip(in, tag);
      }
    }
    in.popLimit(limit);
  }

  private static void span(Reader r, CodedInputStream in, int base, String service, String learner)
      throws IOException {
    Scratch s = r.scratch;
    r.traceLen = 0;
    r.spanLen = 0;
    r.parentLen = 0;
    String name = "";
    int kind = 0;
    long start = 0;
    long end = 0;
    int statusCode = 0;
    boolean statusSeen = false;
    int attributes = 0;
    s.links.clear();
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == T_SPAN_ATTRIBUTES) {
        keyValue(r, in, base, DEPTH_SPAN + 1);
        if (attributes == s.keys.length) {
          s.keys = Arrays.copyOf(s.keys, attributes * 2);
          s.values = Arrays.copyOf(s.values, attributes * 2);
        }
        s.keys[attributes] = r.key;
        s.values[attributes] = r.value;
        attributes++;
      } else if (tag == T_SPAN_TRACE_ID) {
        r.traceLen = length(in);
        r.traceOff = base + in.getTotalBytesRead();
        in.skipRawBytes(r.traceLen);
      } else if (tag == T_SPAN_SPAN_ID) {
        r.spanLen = length(in);
        r.spanOff = base + in.getTotalBytesRead();
        in.skipRawBytes(r.spanLen);
      } else if (tag == T_SPAN_PARENT) {
        r.parentLen = length(in);
        r.parentOff = base + in.getTotalBytesRead();
        in.skipRawBytes(r.parentLen);
      } else if (tag == T_SPAN_NAME) {
        name = string(r, in, base);
      } else if (tag == T_SPAN_KIND) {
        kind = in.readEnum();
      } else if (tag == T_SPAN_START) {
        start = in.readFixed64();
      } else if (tag == T_SPAN_END) {
        end = in.readFixed64();
      } else if (tag == T_SPAN_STATUS) {
        if (statusSeen) {
          throw UNSUPPORTED; // occurrences of a message field merge
        }
        statusSeen = true;
        int limit = pushMessage(in);
        int t;
        while ((t = in.readTag()) != 0) {
          if (t == T_STATUS_CODE) {
            statusCode = in.readEnum();
          } else if (t == T_STATUS_MESSAGE) {
            checkedString(r, in, base);
          } else {
            skip(in, t);
          }
        }
        in.popLimit(limit);
      } else if (tag == T_SPAN_LINKS) {
        int limit = pushMessage(in);
        link(r, in, base);
        in.popLimit(limit);
      } else if (tag == T_SPAN_EVENTS) {
        int limit = pushMessage(in);
        event(r, in, base);
        in.popLimit(limit);
      } else if (tag == T_SPAN_TRACE_STATE) {
        checkedString(r, in, base);
      } else if (tag == T_SPAN_DROPPED_ATTRIBUTES
          || tag == T_SPAN_DROPPED_EVENTS
          || tag == T_SPAN_DROPPED_LINKS) {
        in.readUInt32();
      } else if (tag == T_SPAN_FLAGS) {
        in.readFixed32();
      } else {
        skip(in, tag);
      }
    }
    String invalid = invalidIds(r);
    if (invalid != null) {
      r.rejected++;
      if (r.firstError == null) {
        r.firstError = "span '" + name + "' of " + service + ": " + invalid;
      }
      return;
    }
    // the entries OtlpDecoder.toSpan's HashMap holds, iterated in its order
    Map<String, String> attributeMap = SpanAttributes.of(s.keys, s.values, attributes, learner);
    Arrays.fill(s.keys, 0, attributes, null);
    Arrays.fill(s.values, 0, attributes, null);
    byte[] buf = r.buf;
    r.out.add(
        new ReceivedSpan(
            traceHex(s, buf, r.traceOff),
            spanHex(s, buf, r.spanOff),
            r.parentLen == 0 || isZero(buf, r.parentOff, 8) ? null : spanHex(s, buf, r.parentOff),
            service,
            kind(kind),
            name,
            start,
            end,
            statusCode == 2, // STATUS_CODE_ERROR
            attributeMap,
            s.links.isEmpty() ? List.of() : s.links));
    s.links.clear();
  }

  /** As OtlpDecoder.invalidIds, on the span being read. */
  private static String invalidIds(Reader r) {
    if (r.traceLen != 16) {
      return "invalid trace id (" + r.traceLen + " bytes, 16 expected)";
    }
    if (isZero(r.buf, r.traceOff, 16)) {
      return "invalid trace id (all zero)";
    }
    if (r.spanLen != 8) {
      return "invalid span id (" + r.spanLen + " bytes, 8 expected)";
    }
    if (isZero(r.buf, r.spanOff, 8)) {
      return "invalid span id (all zero)";
    }
    if (r.parentLen != 0 && r.parentLen != 8) {
      return "invalid parent span id (" + r.parentLen + " bytes, 8 expected)";
    }
    return null;
  }

  private static void link(Reader r, CodedInputStream in, int base) throws IOException {
    r.linkTraceLen = 0;
    r.linkSpanLen = 0;
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == T_LINK_TRACE_ID) {
        r.linkTraceLen = length(in);
        r.linkTraceOff = base + in.getTotalBytesRead();
        in.skipRawBytes(r.linkTraceLen);
      } else if (tag == T_LINK_SPAN_ID) {
        r.linkSpanLen = length(in);
        r.linkSpanOff = base + in.getTotalBytesRead();
        in.skipRawBytes(r.linkSpanLen);
      } else if (tag == T_LINK_TRACE_STATE) {
        checkedString(r, in, base);
      } else if (tag == T_LINK_ATTRIBUTES) {
        keyValue(r, in, base, DEPTH_SPAN_PART + 1);
      } else if (tag == T_LINK_DROPPED) {
        in.readUInt32();
      } else if (tag == T_LINK_FLAGS) {
        in.readFixed32();
      } else {
        skip(in, tag);
      }
    }
    // a link with unusable ids points nowhere: left out, the span itself stays valid
    if (r.linkTraceLen == 16
        && !isZero(r.buf, r.linkTraceOff, 16)
        && r.linkSpanLen == 8
        && !isZero(r.buf, r.linkSpanOff, 8)) {
      r.scratch.links.add(
          new ReceivedSpan.Link(
              traceHex(r.scratch, r.buf, r.linkTraceOff),
              spanHex(r.scratch, r.buf, r.linkSpanOff)));
    }
  }

  private static void event(Reader r, CodedInputStream in, int base) throws IOException {
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == T_EVENT_TIME) {
        in.readFixed64();
      } else if (tag == T_EVENT_NAME) {
        checkedString(r, in, base);
      } else if (tag == T_EVENT_ATTRIBUTES) {
        keyValue(r, in, base, DEPTH_SPAN_PART + 1);
      } else if (tag == T_EVENT_DROPPED) {
        in.readUInt32();
      } else {
        skip(in, tag);
      }
    }
  }

  private static void keyValue(Reader r, CodedInputStream in, int depth) throws IOException {
    keyValue(r, in, 0, depth);
  }

  /**
   * Reads a KeyValue (its fields at {@code depth}) into {@code r.key} and {@code r.value}, the
   * value rendered as OtlpDecoder.render renders it.
   */
  private static void keyValue(Reader r, CodedInputStream in, int base, int depth)
      throws IOException {
    int limit = pushMessage(in);
    String key = "";
    String value = null;
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == T_KV_KEY) {
        key = string(r, in, base);
      } else if (tag == T_KV_VALUE) {
        if (value != null) {
          throw UNSUPPORTED; // occurrences of a message field merge
        }
        value = anyValue(r, in, base, depth + 1);
      } else if (tag == T_KV_KEY_STRINDEX) {
        in.readInt32();
      } else {
        skip(in, tag);
      }
    }
    in.popLimit(limit);
    r.key = key;
    r.value = value != null ? value : NO_VALUE;
  }

  /** One AnyValue (its fields at {@code depth}), rendered. */
  private static String anyValue(Reader r, CodedInputStream in, int base, int depth)
      throws IOException {
    int length = length(in);
    int start = in.getTotalBytesRead();
    int limit = in.pushLimit(length);
    String value = null;
    int tag = in.readTag();
    if (tag == T_ANY_STRING) {
      value = string(r, in, base);
    } else if (tag == T_ANY_BOOL) {
      value = Boolean.toString(in.readBool());
    } else if (tag == T_ANY_INT) {
      value = Long.toString(in.readInt64());
    } else if (tag == T_ANY_DOUBLE) {
      value = Double.toString(in.readDouble());
    } else if (tag == T_ANY_BYTES) {
      int n = length(in);
      int off = base + in.getTotalBytesRead();
      in.skipRawBytes(n);
      value = hex(r.buf, off, n);
    }
    if (value == null || in.readTag() != 0) {
      // not one plain field: the generated parser, at the depth it would read it
      CodedInputStream sub = CodedInputStream.newInstance(r.buf, base + start, length);
      sub.setRecursionLimit(RECURSION_LIMIT - depth);
      AnyValue parsed = AnyValue.parser().parsePartialFrom(sub);
      sub.checkLastTagWas(0);
      value = OtlpDecoder.render(parsed);
      in.skipRawBytes(start + length - in.getTotalBytesRead());
    }
    in.popLimit(limit);
    return value;
  }

  /**
   * A length prefix read as the generated parser reads it (at most 5 bytes here, else given up).
   */
  private static int length(CodedInputStream in) throws IOException {
    int before = in.getTotalBytesRead();
    int length = in.readRawVarint32();
    if (in.getTotalBytesRead() - before > 5 || length < 0) {
      throw UNSUPPORTED;
    }
    return length;
  }

  /** Enters an embedded message: its length, then the limit (the old one is returned). */
  private static int pushMessage(CodedInputStream in) throws IOException {
    return in.pushLimit(length(in));
  }

  /**
   * An unknown field (or a known one with another wire type): skipped, as the generated parser
   * keeps it aside.
   */
  private static void skip(CodedInputStream in, int tag) throws IOException {
    int wireType = WireFormat.getTagWireType(tag);
    if (wireType == WireFormat.WIRETYPE_START_GROUP || wireType == WireFormat.WIRETYPE_END_GROUP) {
      throw UNSUPPORTED;
    }
    in.skipField(tag);
  }

  private static String string(Reader r, CodedInputStream in, int base) throws IOException {
    int length = length(in);
    int off = base + in.getTotalBytesRead();
    in.skipRawBytes(length);
    return Strings.get(r.buf, off, length);
  }

  /** A string field whose value is not kept: checked as the generated parser checks it. */
  private static void checkedString(Reader r, CodedInputStream in) throws IOException {
    checkedString(r, in, 0);
  }

  private static void checkedString(Reader r, CodedInputStream in, int base) throws IOException {
    int length = length(in);
    int off = base + in.getTotalBytesRead();
    in.skipRawBytes(length);
    if (!Strings.validUtf8(r.buf, off, length)) {
      throw UNSUPPORTED;
    }
  }

  private static SpanKind kind(int kind) {
    return switch (kind) {
      case 2 -> SpanKind.SERVER;
      case 3 -> SpanKind.CLIENT;
      case 4 -> SpanKind.PRODUCER;
      case 5 -> SpanKind.CONSUMER;
      default -> SpanKind.INTERNAL;
    };
  }

  private static boolean isZero(byte[] buf, int off, int length) {
    for (int i = off; i < off + length; i++) {
      if (buf[i] != 0) {
        return false;
      }
    }
    return true;
  }

  static String hex(byte[] buf, int off, int length) {
    return hex(buf, off, length, new byte[length * 2]);
  }

  /** Lowercase hex of {@code length} bytes, through {@code out} (at least twice as long). */
  private static String hex(byte[] buf, int off, int length, byte[] out) {
    for (int i = 0; i < length; i++) {
      int b = buf[off + i];
      out[i * 2] = HEX[(b >> 4) & 15];
      out[i * 2 + 1] = HEX[b & 15];
    }
    return new String(out, 0, length * 2, StandardCharsets.ISO_8859_1);
  }

  private static String traceHex(Scratch s, byte[] buf, int off) {
    long hi = (long) LONG_BE.get(buf, off);
    long lo = (long) LONG_BE.get(buf, off + 8);
    int slot = mix(hi ^ (lo * 31)) & (s.traceHex.length - 1);
    String hex = s.traceHex[slot];
    if (hex != null && s.traceHi[slot] == hi && s.traceLo[slot] == lo) {
      return hex;
    }
    hex = hex(buf, off, 16, s.hexOut);
    s.traceHi[slot] = hi;
    s.traceLo[slot] = lo;
    s.traceHex[slot] = hex;
    return hex;
  }

  private static String spanHex(Scratch s, byte[] buf, int off) {
    long bits = (long) LONG_BE.get(buf, off);
    int slot = mix(bits) & (s.spanHex.length - 1);
    String hex = s.spanHex[slot];
    if (hex != null && s.spanBits[slot] == bits) {
      return hex;
    }
    hex = hex(buf, off, 8, s.hexOut);
    s.spanBits[slot] = bits;
    s.spanHex[slot] = hex;
    return hex;
  }

  private static int mix(long v) {
    v *= 0x9E3779B97F4A7C15L;
    return (int) (v >>> 40);
  }

  /**
   * A bounded cache of short strings by their UTF-8 bytes, shared by all threads: a request's keys,
   * names and recurring values come out as strings already made (and hashed). Direct-mapped; a
   * string is stored the second time it is missed in a row on its slot, and an entry hit since it
   * was stored survives one miss, so a stream of one-off values (order ids) neither costs entries
   * nor pushes out the keys. Racy by design: an entry is immutable but for its hit flag, and a lost
   * store only costs a miss.
   */
  static final class Strings {
    private static final int SLOTS = 4096;
    private static final int MAX_LENGTH = 64;
    private static final Entry[] TABLE = new Entry[SLOTS];
    // per slot, the hash of the last string missed there: a string is stored when seen twice
    private static final int[] MISSED = new int[SLOTS];

    private static final class Entry {
      final byte[] bytes;
      final String value;
      boolean hit;

      Entry(byte[] bytes, String value) {
        this.bytes = bytes;
        this.value = value;
      }
    }

    private Strings() {}

    /** The string of a UTF-8 field, or {@link Unsupported} when it is not valid UTF-8. */
    static String get(byte[] buf, int off, int length) {
      if (length == 0) {
        return "";
      }
      if (length > MAX_LENGTH) {
        return decode(buf, off, length);
      }
      int h = hash(buf, off, length);
      int slot = h & (SLOTS - 1);
      Entry e = TABLE[slot];
      if (e != null && Arrays.equals(e.bytes, 0, e.bytes.length, buf, off, off + length)) {
        e.hit = true;
        return e.value;
      }
      String value = decode(buf, off, length);
      if (MISSED[slot] != h) {
        MISSED[slot] = h; // seen once: a one-off value (an order id) costs no entry
      } else if (e == null || !e.hit) {
        TABLE[slot] = new Entry(Arrays.copyOfRange(buf, off, off + length), value);
      } else {
        e.hit = false; // second chance for an entry in use
      }
      return value;
    }

    /** A hash of up to 64 bytes: its first and last eight (overlapping when shorter than 16). */
    private static int hash(byte[] buf, int off, int length) {
      long h;
      if (length >= 8) {
        long first = (long) LONG_BE.get(buf, off);
        long last = (long) LONG_BE.get(buf, off + length - 8);
        h = first * 0x9E3779B97F4A7C15L + Long.rotateLeft(last * 0xC2B2AE3D27D4EB4FL, 31) + length;
      } else {
        h = length;
        for (int i = 0; i < length; i++) {
          h = (h << 8) | (buf[off + i] & 0xff);
        }
        h *= 0x9E3779B97F4A7C15L;
      }
      return (int) (h ^ (h >>> 32) ^ (h >>> 17));
    }

    private static String decode(byte[] buf, int off, int length) {
      if (ascii(buf, off, length)) {
        return new String(buf, off, length, StandardCharsets.ISO_8859_1);
      }
      if (!UnsafeByteOperations.unsafeWrap(buf, off, length).isValidUtf8()) {
        throw UNSUPPORTED;
      }
      return new String(buf, off, length, StandardCharsets.UTF_8);
    }

    static boolean validUtf8(byte[] buf, int off, int length) {
      return ascii(buf, off, length)
          || UnsafeByteOperations.unsafeWrap(buf, off, length).isValidUtf8();
    }

    private static boolean ascii(byte[] buf, int off, int length) {
      for (int i = off; i < off + length; i++) {
        if (buf[i] < 0) {
          return false;
        }
      }
      return true;
    }
  }
}
