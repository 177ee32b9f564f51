// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.trace;

import io.opentelemetry.api.trace.SpanKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The spans of a judged trace in one byte array. A closed trace is kept for queries up to the cap
 * on closed traces (200 000 by default) long after its figures are in; as objects its spans are
 * some fifty small objects per trace that every garbage collection has to trace and copy, as bytes
 * one array it copies in one go. {@link #unpack} gives spans equal to those packed, attributes
 * iterating in the same order.
 *
 * <p>Format: the trace's distinct strings (UTF-8, each once), then the span count and per span:
 * span id, parent id, trace id (each the trace's own id, a 16-digit lowercase hex id as its 8
 * bytes, or a string), service, kind, name, start, end, error, attributes in iteration order,
 * links.
 */
final class SpanPacking {

  private static final byte ID_HEX = 1;
  private static final byte ID_STRING = 2;
  private static final byte ID_NULL = 3;
  private static final byte ID_TRACE = 4; // the trace's own id
  private static final SpanKind[] KINDS = SpanKind.values();
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
  private static final ThreadLocal<Writer> WRITER = ThreadLocal.withInitial(Writer::new);

  private SpanPacking() {}

  static byte[] pack(String traceId, List<ReceivedSpan> spans) {
    Writer w = WRITER.get();
    w.reset();
    // the spans, their strings gathered in a table on the way; the table goes first
    w.varint(spans.size());
    for (ReceivedSpan s : spans) {
      w.id(s.spanId(), null);
      w.id(s.parentSpanId(), null);
      w.id(s.traceId(), traceId);
      w.varint(w.index(s.service()));
      w.put((byte) s.kind().ordinal());
      w.varint(w.index(s.name()));
      w.fixed64(s.startEpochNanos());
      w.fixed64(s.endEpochNanos());
      w.put((byte) (s.error() ? 1 : 0));
      Map<String, String> attributes = s.attributes();
      w.varint(attributes.size());
      for (Map.Entry<String, String> a : attributes.entrySet()) {
        w.varint(w.index(a.getKey()));
        w.varint(w.index(a.getValue()));
      }
      w.varint(s.links().size());
      for (ReceivedSpan.Link l : s.links()) {
        w.id(l.traceId(), traceId);
        w.id(l.spanId(), null);
      }
    }
    int spansEnd = w.size;
    w.varint(w.strings);
    for (int i = 0; i < w.strings; i++) {
      w.string(w.table[i]);
    }
    byte[] out = new byte[w.size];
    System.arraycopy(w.buf, spansEnd, out, 0, w.size - spansEnd);
    System.arraycopy(w.buf, 0, out, w.size - spansEnd, spansEnd);
    return out;
  }

  static List<ReceivedSpan> unpack(String traceId, byte[] packed) {
    Reader r = new Reader(packed);
    String[] table = new String[r.varint()];
    for (int i = 0; i < table.length; i++) {
      int n = r.varint();
      table[i] = new String(packed, r.pos, n, StandardCharsets.UTF_8);
      r.pos += n;
    }
    int count = r.varint();
    List<ReceivedSpan> spans = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String spanId = r.id(table, traceId);
      String parent = r.id(table, traceId);
      String trace = r.id(table, traceId);
      String service = table[r.varint()];
      SpanKind kind = KINDS[r.packed[r.pos++]];
      String name = table[r.varint()];
      long start = r.fixed64();
      long end = r.fixed64();
      boolean error = r.packed[r.pos++] != 0;
      int attributes = r.varint();
      Object[] kv = new Object[attributes * 2];
      for (int a = 0; a < attributes * 2; a++) {
        kv[a] = table[r.varint()];
      }
      int links = r.varint();
      List<ReceivedSpan.Link> linkList = links == 0 ? List.of() : new ArrayList<>(links);
      for (int l = 0; l < links; l++) {
        linkList.add(new ReceivedSpan.Link(r.id(table, traceId), r.id(table, traceId)));
      }
      spans.add(
          new ReceivedSpan(
              trace,
              spanId,
              parent,
              service,
              kind,
              name,
              start,
              end,
              error,
              SpanAttributes.ordered(kv),
              linkList));
    }
    return spans;
  }

  /** The UTF-8 bytes of a string that decode back to it (a lone surrogate does not: refused). */
  private static byte[] utf8(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    if (utf8.length == s.length()) {
      // one byte per char: ASCII, or a lone surrogate encoded as '?'
      for (int i = 0; i < utf8.length; i++) {
        if (utf8[i] == '?' && s.charAt(i) != '?') {
          throw new IllegalArgumentException("not encodable as UTF-8");
        }
      }
    } else if (!new String(utf8, StandardCharsets.UTF_8).equals(s)) {
      throw new IllegalArgumentException("not encodable as UTF-8");
    }
    return utf8;
  }

  private static final byte[] DIGIT = new byte[128];

  static {
    Arrays.fill(DIGIT, (byte) -1);
    for (int i = 0; i < 16; i++) {
      DIGIT[HEX[i]] = (byte) i;
    }
  }

  private static final class Writer {
    byte[] buf = new byte[2048];
    int size;
    String[] table = new String[64];
    int strings;
    // open addressing by String.hashCode: slot -> index + 1 in the table
    int[] slots = new int[128];

    void reset() {
      size = 0;
      Arrays.fill(table, 0, strings, null);
      strings = 0;
      Arrays.fill(slots, 0);
    }

    /** The string's index in the table, added when new. */
    int index(String s) {
      int mask = slots.length - 1;
      int slot = (s.hashCode() * 0x9E3779B9 >>> 7) & mask;
      while (true) {
        int at = slots[slot];
        if (at == 0) {
          break;
        }
        String t = table[at - 1];
        if (t == s || t.equals(s)) {
          return at - 1;
        }
        slot = (slot + 1) & mask;
      }
      if (strings == table.length) {
        table = Arrays.copyOf(table, strings * 2);
      }
      table[strings] = s;
      slots[slot] = ++strings;
      if (strings * 2 > slots.length) {
        rehash();
      }
      return strings - 1;
    }

    private void rehash() {
      slots = new int[slots.length * 2];
      int mask = slots.length - 1;
      for (int i = 0; i < strings; i++) {
        int slot = (table[i].hashCode() * 0x9E3779B9 >>> 7) & mask;
        while (slots[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        slots[slot] = i + 1;
      }
    }

    /** An id: the trace's own, 16 lowercase hex digits as 8 bytes, or a string of the table. */
    void id(String id, String traceId) {
      if (id == null) {
        put(ID_NULL);
        return;
      }
      if (traceId != null && id.equals(traceId)) {
        put(ID_TRACE);
        return;
      }
      if (id.length() == 16) {
        long v = 0;
        int i = 0;
        for (; i < 16; i++) {
          char c = id.charAt(i);
          int d = c < 128 ? DIGIT[c] : -1;
          if (d < 0) {
            break;
          }
          v = (v << 4) | d;
        }
        if (i == 16) {
          put(ID_HEX);
          fixed64(v);
          return;
        }
      }
      put(ID_STRING);
      varint(index(id));
    }

    /** A string of the table: its UTF-8 length, then its UTF-8 bytes. */
    @SuppressWarnings("deprecation")
    void string(String s) {
      int n = s.length();
      boolean ascii = true;
      for (int i = 0; i < n; i++) {
        if (s.charAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        varint(n);
        ensure(n);
        s.getBytes(0, n, buf, size); // ASCII: one byte per char, its UTF-8
        size += n;
      } else {
        byte[] utf8 = utf8(s);
        varint(utf8.length);
        bytes(utf8, 0, utf8.length);
      }
    }

    void put(byte b) {
      ensure(1);
      buf[size++] = b;
    }

    void bytes(byte[] b, int off, int n) {
      ensure(n);
      System.arraycopy(b, off, buf, size, n);
      size += n;
    }

    void varint(int v) {
      ensure(5);
      while ((v & ~0x7f) != 0) {
        buf[size++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    void fixed64(long v) {
      ensure(8);
      for (int i = 7; i >= 0; i--) {
        buf[size + i] = (byte) v;
        v >>>= 8;
      }
      size += 8;
    }

    private void ensure(int n) {
      if (size + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
      }
    }
  }

  private static final class Reader {
    final byte[] packed;
    int pos;

    Reader(byte[] packed) {
      this.packed = packed;
    }

    int varint() {
      int v = 0;
      for (int shift = 0; ; shift += 7) {
        byte b = packed[pos++];
        v |= (b & 0x7f) << shift;
        if (b >= 0) {
          return v;
        }
      }
    }

    long fixed64() {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (packed[pos++] & 0xff);
      }
      return v;
    }

    String id(String[] table, String traceId) {
      byte tag = packed[pos++];
      switch (tag) {
        case ID_NULL:
          return null;
        case ID_TRACE:
          return traceId;
        case ID_HEX:
          {
            long v = fixed64();
            byte[] hex = new byte[16];
            for (int i = 15; i >= 0; i--) {
              hex[i] = HEX[(int) (v & 15)];
              v >>>= 4;
            }
            return new String(hex, StandardCharsets.ISO_8859_1);
          }
        default:
          return table[varint()];
      }
    }
  }
}
