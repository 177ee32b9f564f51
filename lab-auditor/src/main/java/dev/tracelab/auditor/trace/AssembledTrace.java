package dev.tracelab.auditor.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The spans of one trace id, in arrival order. Open while spans keep arriving; closed after the
 * quiet window (or early, when evicted at the cap). Spans arriving after close are kept apart as
 * late spans and do not change the trace's analysis.
 */
public final class AssembledTrace {

  private final String traceId;
  private final List<ReceivedSpan> spans = new ArrayList<>(8);
  private final List<ReceivedSpan> late = new ArrayList<>(0);
  private final long firstArrivalNanos;
  long lastArrivalNanos;
  private volatile boolean closed;
  private volatile boolean evicted;
  private volatile long closedAtNanos;

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

  public boolean isClosed() {
    return closed;
  }

  /** Closed early because the cap on traces in flight was reached. */
  public boolean wasEvicted() {
    return evicted;
  }

  public long firstArrivalNanos() {
    return firstArrivalNanos;
  }

  public synchronized long lastArrivalNanos() {
    return lastArrivalNanos;
  }

  /** Span ids present in this trace. */
  public synchronized Set<String> spanIds() {
    Set<String> ids = new HashSet<>(spans.size() * 2);
    for (ReceivedSpan s : spans) {
      ids.add(s.spanId());
    }
    return Collections.unmodifiableSet(ids);
  }

  synchronized void add(ReceivedSpan span, long nowNanos) {
    spans.add(span);
    lastArrivalNanos = nowNanos;
  }

  synchronized void addLate(ReceivedSpan span) {
    late.add(span);
  }

  /** When the trace closed, on the assembler's clock; 0 while open. */
  public long closedAtNanos() {
    return closedAtNanos;
  }

  void close(boolean byEviction, long nowNanos) {
    this.closedAtNanos = nowNanos;
    this.evicted = byEviction;
    this.closed = true;
  }
}
