// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The spans of one trace id, in arrival order, each span id once. Open while spans keep arriving;
 * closed when its request is complete, after the quiet window, or early when evicted at the cap.
 * Spans arriving after close are kept apart as late spans and do not change the trace's analysis; a
 * span id already held (in the trace or among its late spans) is a duplicate delivery and is
 * dropped.
 */
public final class AssembledTrace {

  /** Why a trace closed. */
  public enum CloseReason {
    /** The traces of its order held every expected span of the flow. */
    COMPLETE,
    /** No span of it arrived for the quiet window. */
    QUIET,
    /** The cap on traces in flight was reached and it was the quietest. */
    EVICTED
  }

  /** Up to this many spans, a span id is looked up by scanning the spans; beyond, through a set. */
  private static final int SCAN = 16;

  private final String traceId;
  private ArrayList<ReceivedSpan> spans = new ArrayList<>(8); // while open; null once closed
  private HashSet<String> spanIdIndex; // the span ids once there are more than SCAN spans
  private ArrayList<ReceivedSpan> late; // null until a late span is kept
  private HashSet<String> lateIds;
  // the values of the correlation attribute, in the order first seen: most traces carry one
  private String[] orderIds = NO_ORDER;
  private int orderIdCount;
  private HashSet<String> orderIdIndex; // once there are more than SCAN
  private static final String[] NO_ORDER = new String[0];
  private final long firstArrivalNanos;
  private long lastArrivalNanos;
  private long stepMask;
  private long droppedSpans; // new spans beyond the cap on spans per trace
  private long droppedLate; // late spans beyond the cap on late spans kept
  private volatile CloseReason closeReason; // set when the assembler closes it
  private volatile long closedAtNanos;
  private volatile boolean judged; // set once its close listeners have run
  private List<ReceivedSpan> frozenSpans; // its spans once closed: they never change again
  private byte[] packed; // those spans once judged (SpanPacking); frozenSpans is dropped then
  // the assembler's bookkeeping (guarded by the assembler's lock): the list of open traces by
  // last arrival, or of closed traces by close, this trace sits in; and the batch it was last
  // noted in with how many order ids it had then
  AssembledTrace prev;
  AssembledTrace next;
  long notedBatch = -1;
  int notedOrderIds;

  AssembledTrace(String traceId, long nowNanos) {
    this.traceId = traceId;
    this.firstArrivalNanos = nowNanos;
    this.lastArrivalNanos = nowNanos;
  }

  public String traceId() {
    return traceId;
  }

  /** Its spans in arrival order (late spans excluded), immutable. */
  public synchronized List<ReceivedSpan> spans() {
    if (spans != null) {
      return List.copyOf(spans);
    }
    return frozenSpans != null ? frozenSpans : List.copyOf(SpanPacking.unpack(traceId, packed));
  }

  /** Its spans as they are held now: the open list, the frozen one, or unpacked (a copy). */
  private List<ReceivedSpan> current() {
    if (spans != null) {
      return spans;
    }
    return frozenSpans != null ? frozenSpans : SpanPacking.unpack(traceId, packed);
  }

  public synchronized List<ReceivedSpan> lateSpans() {
    return late == null ? List.of() : List.copyOf(late);
  }

  /**
   * Closed and judged: its close listeners (the run's figures among them) have run, so a report
   * taken now includes it. Readers waiting for a verdict wait for this.
   */
  public boolean isClosed() {
    return judged;
  }

  /** Why it closed (set just before its close listeners run); null while open. */
  public CloseReason closeReason() {
    return closeReason;
  }

  /** Closed early because the cap on traces in flight was reached. */
  public boolean wasEvicted() {
    return closeReason == CloseReason.EVICTED;
  }

  public long firstArrivalNanos() {
    return firstArrivalNanos;
  }

  public synchronized long lastArrivalNanos() {
    return lastArrivalNanos;
  }

  /** Span ids present in this trace (late spans excluded), a copy. */
  public synchronized Set<String> spanIds() {
    List<ReceivedSpan> spans = current();
    Set<String> ids = new HashSet<>(Math.max(16, (int) (spans.size() / .75f) + 1));
    for (ReceivedSpan s : spans) {
      ids.add(s.spanId());
    }
    return Collections.unmodifiableSet(ids);
  }

  /**
   * True when the trace holds a span with this id (late spans excluded): {@code
   * spanIds().contains(id)} without the copy.
   */
  public synchronized boolean hasSpan(String spanId) {
    return holdsSpan(spanId);
  }

  /** The values of the flow's correlation attribute its spans carry. */
  public synchronized Set<String> orderIds() {
    return Set.of(Arrays.copyOf(orderIds, orderIdCount));
  }

  /** When the trace closed, on the assembler's clock; 0 while open. */
  public long closedAtNanos() {
    return closedAtNanos;
  }

  /** A span with this id is held, in the trace or among its late spans. */
  synchronized boolean holds(String spanId) {
    return holdsSpan(spanId) || (lateIds != null && lateIds.contains(spanId));
  }

  private boolean holdsSpan(String spanId) {
    if (spanIdIndex != null) {
      return spanIdIndex.contains(spanId);
    }
    List<ReceivedSpan> spans = current();
    for (int i = 0, n = spans.size(); i < n; i++) {
      if (spans.get(i).spanId().equals(spanId)) {
        return true;
      }
    }
    return false;
  }

  /** What {@link #offer} did with a span. */
  static final int ADDED = 0;

  static final int DUPLICATE = 1;
  static final int OVER_CAP = 2;

  /**
   * Adds a span of the open trace unless its id is held already ({@link #DUPLICATE}) or the trace
   * holds {@code maxSpans} already ({@link #OVER_CAP}, counted as dropped).
   */
  synchronized int offer(
      ReceivedSpan span, int maxSpans, long nowNanos, long stepBits, String correlationValue) {
    if (holds(span.spanId())) {
      return DUPLICATE;
    }
    if (spans.size() >= maxSpans) {
      droppedSpans++;
      return OVER_CAP;
    }
    add(span, nowNanos, stepBits, correlationValue);
    return ADDED;
  }

  synchronized void add(ReceivedSpan span, long nowNanos, long stepBits, String correlationValue) {
    spans.add(span);
    if (spanIdIndex != null) {
      spanIdIndex.add(span.spanId());
    } else if (spans.size() > SCAN) {
      spanIdIndex = new HashSet<>(64);
      for (ReceivedSpan s : spans) {
        spanIdIndex.add(s.spanId());
      }
    }
    if (correlationValue != null) {
      addOrderId(correlationValue);
    }
    stepMask |= stepBits;
    lastArrivalNanos = nowNanos;
  }

  private void addOrderId(String orderId) {
    if (orderIdIndex != null) {
      if (!orderIdIndex.add(orderId)) {
        return;
      }
    } else {
      for (int i = 0; i < orderIdCount; i++) {
        if (orderIds[i].equals(orderId)) {
          return;
        }
      }
      if (orderIdCount == SCAN) {
        orderIdIndex = new HashSet<>(Arrays.asList(orderIds).subList(0, orderIdCount));
        orderIdIndex.add(orderId);
      }
    }
    if (orderIdCount == orderIds.length) {
      orderIds = Arrays.copyOf(orderIds, Math.max(1, orderIdCount * 2));
    }
    orderIds[orderIdCount++] = orderId;
  }

  /** Keeps a late span unless {@code max} are kept already; false when dropped. */
  synchronized boolean addLate(ReceivedSpan span, int max) {
    if ((late == null ? 0 : late.size()) >= max) {
      droppedLate++;
      return false;
    }
    if (late == null) {
      late = new ArrayList<>(2);
      lateIds = new HashSet<>(4);
    }
    late.add(span);
    lateIds.add(span.spanId());
    return true;
  }

  synchronized int spanCount() {
    return current().size();
  }

  synchronized void dropped() {
    droppedSpans++;
  }

  /** New spans not kept because the trace held the most spans a trace may (0 normally). */
  public synchronized long droppedSpans() {
    return droppedSpans;
  }

  /** Late spans not kept because the trace kept the most late spans it may. */
  public synchronized long droppedLateSpans() {
    return droppedLate;
  }

  // read by the assembler under its lock, which every writer of these fields holds too

  long stepMask() {
    return stepMask;
  }

  /** How many order ids it carries; with {@link #orderIdAt}, in the order first seen. */
  int orderIdCount() {
    return orderIdCount;
  }

  String orderIdAt(int i) {
    return orderIds[i];
  }

  /** Closed by the assembler (under its lock); new spans are late from now on. */
  boolean closing() {
    return closeReason != null;
  }

  synchronized void close(CloseReason reason, long nowNanos) {
    this.frozenSpans = List.copyOf(spans);
    this.spans = null;
    this.closedAtNanos = nowNanos;
    this.closeReason = reason;
  }

  /** After its close listeners ran. */
  void judged() {
    this.judged = true;
  }

  /**
   * Once judged: its spans into one array (a copy of them is unpacked for each later reader), so
   * that the closed traces kept for queries cost the garbage collector little. A span the packing
   * cannot take (a null field) leaves the trace as it is.
   */
  synchronized void pack() {
    if (frozenSpans == null) {
      return;
    }
    try {
      packed = SpanPacking.pack(traceId, frozenSpans);
    } catch (RuntimeException e) {
      return;
    }
    frozenSpans = null;
    spanIdIndex = null;
  }
}
