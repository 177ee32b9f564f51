package dev.tracelab.auditor.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The spans of one trace id, in arrival order, each span id once. Open while spans keep
 * arriving; closed when its request is complete, after the quiet window, or early when evicted
 * at the cap. Spans arriving after close are kept apart as late spans and do not change the
 * trace's analysis; a span id already held (in the trace or among its late spans) is a duplicate
 * delivery and is dropped.
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

  private final String traceId;
  private final List<ReceivedSpan> spans = new ArrayList<>(8);
  private final Set<String> spanIds = new HashSet<>(16);
  private final List<ReceivedSpan> late = new ArrayList<>(0);
  private final Set<String> lateIds = new HashSet<>(0);
  private final Set<String> orderIds = new LinkedHashSet<>(2);
  private final long firstArrivalNanos;
  private long lastArrivalNanos;
  private long stepMask;
  private long droppedSpans; // new spans beyond the cap on spans per trace
  private long droppedLate; // late spans beyond the cap on late spans kept
  private volatile CloseReason closeReason; // set when the assembler closes it
  private volatile long closedAtNanos;
  private volatile boolean judged; // set once its close listeners have run

  AssembledTrace(String traceId, long nowNanos) {
    this.traceId = traceId;
    this.firstArrivalNanos = nowNanos;
    this.lastArrivalNanos = nowNanos;
  }

  public String traceId() {
    return traceId;
  }

  public synchronized List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  public synchronized List<ReceivedSpan> lateSpans() {
    return List.copyOf(late);
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

  /** Span ids present in this trace (late spans excluded). */
  public synchronized Set<String> spanIds() {
    return Collections.unmodifiableSet(new HashSet<>(spanIds));
  }

  /** The values of the flow's correlation attribute its spans carry. */
  public synchronized Set<String> orderIds() {
    return Set.copyOf(orderIds);
  }

  /** When the trace closed, on the assembler's clock; 0 while open. */
  public long closedAtNanos() {
    return closedAtNanos;
  }

  synchronized boolean holds(String spanId) {
    return spanIds.contains(spanId) || lateIds.contains(spanId);
  }

  synchronized void add(ReceivedSpan span, long nowNanos, long stepBits, String correlationValue) {
    spans.add(span);
    spanIds.add(span.spanId());
    if (correlationValue != null) {
      orderIds.add(correlationValue);
    }
    stepMask |= stepBits;
    lastArrivalNanos = nowNanos;
  }

  /** Keeps a late span unless {@code max} are kept already; false when dropped. */
  synchronized boolean addLate(ReceivedSpan span, int max) {
    if (late.size() >= max) {
      droppedLate++;
      return false;
    }
    late.add(span);
    lateIds.add(span.spanId());
    return true;
  }

  synchronized int spanCount() {
    return spans.size();
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

  synchronized long stepMask() {
    return stepMask;
  }

  synchronized Set<String> orderIdsView() {
    return orderIds;
  }

  /** Closed by the assembler (under its lock); new spans are late from now on. */
  boolean closing() {
    return closeReason != null;
  }

  void close(CloseReason reason, long nowNanos) {
    this.closedAtNanos = nowNanos;
    this.closeReason = reason;
  }

  /** After its close listeners ran. */
  void judged() {
    this.judged = true;
  }
}
