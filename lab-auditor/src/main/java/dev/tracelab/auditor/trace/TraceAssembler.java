// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.trace;

import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.SpanSpec;
import dev.tracelab.auditor.trace.AssembledTrace.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Groups spans by trace id and closes each trace once its verdict is known (docs/design.md §4):
 *
 * <ul>
 *   <li>as soon as the traces carrying one value of the flow's correlation attribute together hold
 *       every expected span of the flow (each step matched by service, kind and name) — all those
 *       traces close at once, so the fragments of a broken request are judged together;
 *   <li>otherwise once no span of it arrived for the quiet window (an incomplete request);
 *   <li>or early, at the cap on traces in flight (like the collector's {@code num_traces}): the
 *       trace quiet for longest is closed and counted as evicted.
 * </ul>
 *
 * <p>Delivery is at-least-once: a span whose trace already holds its span id (in the trace or among
 * its late spans) is a duplicate and changes nothing but the duplicate count. A new span of a
 * closed trace is late. Closed traces are retained up to {@code maxClosedTraces} for queries.
 *
 * <p>Thread-safe. Time comes from an injectable nano clock so tests control it; call {@link
 * #sweep()} periodically to close quiet traces.
 */
public final class TraceAssembler {

  private final long quietNanos;
  private final int maxTraces;
  private final int maxClosedTraces;
  private final LongSupplier clock;
  private List<SpanSpec> expected; // guarded by this
  private String correlation; // guarded by this: the attribute grouping a request's traces
  private long completeMask; // guarded by this
  private final List<Consumer<TraceClosed>> closeListeners = new CopyOnWriteArrayList<>();
  private final Map<String, SpanCounters> countersByService = new LinkedHashMap<>();

  // every trace known, open or closed (one lookup per span); each sits in one of two lists
  private final HashMap<String, AssembledTrace> traces = new HashMap<>(4096);
  // open traces by last arrival: the head received a span longest ago
  private final TraceList open = new TraceList();
  // closed traces kept for queries, by close: the head closed first
  private final TraceList closed = new TraceList();
  private final Map<String, List<AssembledTrace>> byOrder = new HashMap<>();
  private long batch; // accept() calls so far: a trace notes the batch its order ids were noted in
  private final int maxSpansPerTrace;
  private final int maxLateSpansPerTrace;
  private final ServiceLabels labels;
  private long droppedSpans; // beyond the cap on spans per trace
  private long droppedLateSpans; // beyond the cap on late spans kept per trace
  private long foldedLabelSpans; // spans counted under "other" (service label cap)
  private long evictedTraces;
  private long receivedSpans;
  private long duplicateSpans;

  private TraceAssembler(Builder b) {
    this.quietNanos = b.quietWindow.toNanos();
    this.maxTraces = b.maxTraces;
    this.maxClosedTraces = b.maxClosedTraces;
    this.clock = b.clock;
    this.maxSpansPerTrace = b.maxSpansPerTrace;
    this.maxLateSpansPerTrace = b.maxLateSpansPerTrace;
    this.labels = b.labels;
    this.expected = b.expected;
    this.correlation = b.correlation;
    this.completeMask = expected.isEmpty() ? 0 : (1L << expected.size()) - 1;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * From now on a request is the spans carrying one value of {@code spec}'s correlation attribute,
   * complete when its traces hold the spec's spans (another run, another flow); traces already in
   * flight keep the steps they matched on arrival.
   */
  public synchronized void expect(FlowSpec spec) {
    this.expected = spec.spans();
    this.correlation = spec.correlation();
    this.completeMask = expected.isEmpty() ? 0 : (1L << expected.size()) - 1;
  }

  /**
   * Called (on the sweeping or ingesting thread, never under the assembler's lock) once per trace
   * when it closes; the trace reports {@link AssembledTrace#isClosed()} only after every listener
   * returned.
   */
  public void onClose(Consumer<TraceClosed> listener) {
    closeListeners.add(listener);
  }

  /**
   * Adds received spans; returns how many arrived late (new spans of traces already closed).
   * Duplicates (a span id its trace already holds) are dropped and counted apart.
   */
  public int accept(Collection<ReceivedSpan> spans) {
    List<TraceClosed> toNotify = new ArrayList<>(0);
    int lateCount = 0;
    synchronized (this) {
      long now = clock.getAsLong();
      long batch = ++this.batch;
      Set<String> touchedOrders = null;
      // the last service seen: a request's spans come by resource, so most share their service
      String service = null;
      SpanCounters counters = null;
      boolean folded = false;
      for (ReceivedSpan span : spans) {
        if (counters == null || span.service() != service) {
          service = span.service();
          String label = labels.label(service);
          folded = !label.equals(service);
          counters = countersByService.computeIfAbsent(label, k -> new SpanCounters());
        }
        if (folded) {
          foldedLabelSpans++;
        }
        AssembledTrace trace = traces.get(span.traceId());
        if (trace != null && trace.closing()) {
          if (trace.holds(span.spanId())) {
            duplicate(counters);
            continue;
          }
          if (!trace.addLate(span, maxLateSpansPerTrace)) {
            droppedLateSpans++; // counted late, not kept
          }
          receivedSpans++;
          counters.spans++;
          counters.late++;
          lateCount++;
          continue;
        }
        String orderId = correlation == null ? null : span.attributes().get(correlation);
        long stepBits = stepBits(span);
        int orderIdsBefore;
        if (trace == null) {
          orderIdsBefore = 0;
          trace = new AssembledTrace(span.traceId(), now);
          traces.put(span.traceId(), trace);
          open.addLast(trace);
          if (open.size > maxTraces) {
            AssembledTrace victim = open.removeFirst();
            evictedTraces++;
            toNotify.add(markClosed(victim, CloseReason.EVICTED, now));
          }
          trace.add(span, now, stepBits, orderId);
        } else {
          orderIdsBefore = trace.orderIdCount();
          int outcome = trace.offer(span, maxSpansPerTrace, now, stepBits, orderId);
          if (outcome == AssembledTrace.DUPLICATE) {
            duplicate(counters);
            continue;
          }
          if (outcome == AssembledTrace.OVER_CAP) {
            droppedSpans++;
            continue;
          }
          open.moveToLast(trace); // a new span: the trace becomes the freshest
        }
        receivedSpans++;
        counters.spans++;
        if (orderId != null && trace.orderIdCount() > orderIdsBefore) {
          // an order id new to the trace (one it carried already lists it since)
          byOrder.computeIfAbsent(orderId, k -> new ArrayList<>(2)).add(trace);
        }
        if (completeMask != 0) {
          // the order ids it carries, unless noted in this batch already with nothing new since
          int count = trace.orderIdCount();
          if (trace.notedBatch != batch || trace.notedOrderIds != count) {
            if (touchedOrders == null) {
              touchedOrders = new LinkedHashSet<>(8);
            }
            for (int i = 0; i < count; i++) {
              touchedOrders.add(trace.orderIdAt(i));
            }
            trace.notedBatch = batch;
            trace.notedOrderIds = count;
          }
        }
      }
      // judged after the whole batch, so spans of one export request never split into late ones
      if (touchedOrders != null) {
        for (String orderId : touchedOrders) {
          closeIfComplete(orderId, now, toNotify);
        }
      }
    }
    notifyClosed(toNotify);
    return lateCount;
  }

  private void duplicate(SpanCounters counters) {
    duplicateSpans++;
    counters.duplicates++;
  }

  /** The bit of the flow step a span stands for, or 0. */
  private long stepBits(ReceivedSpan span) {
    for (int i = 0; i < expected.size(); i++) {
      if (expected.get(i).matches(span.service(), span.kind(), span.name())) {
        return 1L << i;
      }
    }
    return 0;
  }

  /** Closes the order's open traces when, together, its traces hold every expected span. */
  private void closeIfComplete(String orderId, long now, List<TraceClosed> toNotify) {
    List<AssembledTrace> traces = byOrder.get(orderId);
    if (traces == null) {
      return;
    }
    long union = 0;
    boolean anyOpen = false;
    for (AssembledTrace t : traces) {
      union |= t.stepMask();
      anyOpen |= !t.closing();
    }
    if (!anyOpen || union != completeMask) {
      return;
    }
    // closing may drop the oldest closed trace, from this very list too: walk a snapshot
    for (AssembledTrace t : traces.size() == 1 ? List.of(traces.get(0)) : List.copyOf(traces)) {
      if (!t.closing()) {
        open.remove(t);
        toNotify.add(markClosed(t, CloseReason.COMPLETE, now));
      }
    }
  }

  /** Closes every open trace now, whatever its quiet window says (the input has ended). */
  public void closeAll() {
    List<TraceClosed> toNotify = new ArrayList<>(0);
    synchronized (this) {
      long now = clock.getAsLong();
      while (open.size > 0) {
        toNotify.add(markClosed(open.removeFirst(), CloseReason.QUIET, now));
      }
    }
    notifyClosed(toNotify);
  }

  /** Closes every trace that has been quiet for the window. */
  public void sweep() {
    List<TraceClosed> toNotify = new ArrayList<>(0);
    synchronized (this) {
      long now = clock.getAsLong();
      while (open.size > 0) {
        AssembledTrace trace = open.head;
        if (now - trace.lastArrivalNanos() < quietNanos) {
          break; // by last arrival: every later trace got a span more recently
        }
        open.removeFirst();
        toNotify.add(markClosed(trace, CloseReason.QUIET, now));
      }
    }
    notifyClosed(toNotify);
  }

  /**
   * Closes a trace just taken out of the open list (under the lock) and snapshots what its
   * listeners need.
   */
  private TraceClosed markClosed(AssembledTrace trace, CloseReason reason, long now) {
    trace.close(reason, now);
    closed.addLast(trace);
    if (closed.size > maxClosedTraces) {
      AssembledTrace gone = closed.removeFirst();
      traces.remove(gone.traceId());
      for (int i = 0, n = gone.orderIdCount(); i < n; i++) {
        String orderId = gone.orderIdAt(i);
        List<AssembledTrace> traces = byOrder.get(orderId);
        if (traces != null) {
          traces.remove(gone);
          if (traces.isEmpty()) {
            byOrder.remove(orderId);
          }
        }
      }
    }
    int orders = trace.orderIdCount();
    if (orders == 0) {
      return new TraceClosed(trace, Map.of());
    }
    if (orders == 1) {
      String orderId = trace.orderIdAt(0);
      return new TraceClosed(
          trace, Map.of(orderId, List.copyOf(byOrder.getOrDefault(orderId, List.of(trace)))));
    }
    Map<String, List<AssembledTrace>> fragments = new HashMap<>(orders * 2);
    for (int i = 0; i < orders; i++) {
      String orderId = trace.orderIdAt(i);
      fragments.put(orderId, List.copyOf(byOrder.getOrDefault(orderId, List.of(trace))));
    }
    return new TraceClosed(trace, fragments);
  }

  /**
   * Runs the listeners, then marks each trace judged: once isClosed(), its figures are in. Then
   * packs the judged traces (after all the events: the traces of one order read each other).
   */
  private void notifyClosed(List<TraceClosed> events) {
    for (TraceClosed e : events) {
      try {
        for (Consumer<TraceClosed> l : closeListeners) {
          l.accept(e);
        }
      } finally {
        e.trace().judged();
      }
    }
    for (TraceClosed e : events) {
      e.trace().pack();
    }
  }

  /** Spans dropped because their trace already held the most spans a trace may hold. */
  public synchronized long droppedSpans() {
    return droppedSpans;
  }

  /** Late spans counted but not kept: their trace already kept the most late spans it may. */
  public synchronized long droppedLateSpans() {
    return droppedLateSpans;
  }

  /** Span deliveries counted under the {@code other} service label (label cap reached). */
  public synchronized long foldedLabelSpans() {
    return foldedLabelSpans;
  }

  public int maxSpansPerTrace() {
    return maxSpansPerTrace;
  }

  public int maxLateSpansPerTrace() {
    return maxLateSpansPerTrace;
  }

  public ServiceLabels labels() {
    return labels;
  }

  /** A trace by id, open or closed, or null. */
  public synchronized AssembledTrace trace(String traceId) {
    return traces.get(traceId);
  }

  /**
   * Every trace (fragment) holding a span with this value of the flow's correlation attribute, in
   * arrival order.
   */
  public synchronized List<AssembledTrace> tracesOfOrder(String orderId) {
    return List.copyOf(byOrder.getOrDefault(orderId, List.of()));
  }

  public synchronized int tracesInFlight() {
    return open.size;
  }

  public synchronized long evictedTraces() {
    return evictedTraces;
  }

  /** Distinct spans received (late ones included, duplicates not). */
  public synchronized long receivedSpans() {
    return receivedSpans;
  }

  /** Deliveries of a span its trace already held. */
  public synchronized long duplicateSpans() {
    return duplicateSpans;
  }

  /**
   * Per service since start: distinct spans received (late ones included), late spans, duplicate
   * deliveries.
   */
  public record SpanCounts(long received, long late, long duplicates) {}

  public synchronized Map<String, SpanCounts> spanCountsByService() {
    Map<String, SpanCounts> out = new LinkedHashMap<>();
    countersByService.forEach((k, v) -> out.put(k, new SpanCounts(v.spans, v.late, v.duplicates)));
    return out;
  }

  public synchronized Set<String> orderIds() {
    return Set.copyOf(byOrder.keySet());
  }

  /** Now, on the assembler's clock (the one {@link AssembledTrace} times use). */
  public long now() {
    return clock.getAsLong();
  }

  public Duration quietWindow() {
    return Duration.ofNanos(quietNanos);
  }

  /**
   * A doubly linked list of traces through their own {@code prev}/{@code next} fields (a trace sits
   * in one list at a time): moving a trace to the tail or taking it out costs no lookup.
   */
  private static final class TraceList {
    AssembledTrace head;
    AssembledTrace tail;
    int size;

    void addLast(AssembledTrace t) {
      t.prev = tail;
      t.next = null;
      if (tail == null) {
        head = t;
      } else {
        tail.next = t;
      }
      tail = t;
      size++;
    }

    void remove(AssembledTrace t) {
      if (t.prev == null) {
        head = t.next;
      } else {
        t.prev.next = t.next;
      }
      if (t.next == null) {
        tail = t.prev;
      } else {
        t.next.prev = t.prev;
      }
      t.prev = null;
      t.next = null;
      size--;
    }

    AssembledTrace removeFirst() {
      AssembledTrace t = head;
      remove(t);
      return t;
    }

    void moveToLast(AssembledTrace t) {
      if (t != tail) {
        remove(t);
        addLast(t);
      }
    }
  }

  private static final class SpanCounters {
    long spans;
    long late;
    long duplicates;
  }

  public static final class Builder {
    private Duration quietWindow = Duration.ofSeconds(2);
    private int maxTraces = 100_000;
    private int maxClosedTraces = 200_000;
    private LongSupplier clock = System::nanoTime;
    private List<SpanSpec> expected = List.of();
    private String correlation;
    private int maxSpansPerTrace = 10_000;
    private int maxLateSpansPerTrace = 1_000;
    private ServiceLabels labels = new ServiceLabels(ServiceLabels.DEFAULT_MAX, List.of());

    /**
     * Most spans one trace holds; later new spans of it are dropped and counted (default 10 000).
     */
    public Builder setMaxSpansPerTrace(int max) {
      this.maxSpansPerTrace = Math.max(1, max);
      return this;
    }

    /**
     * Most late spans one closed trace keeps; later ones are counted late, not kept (default 1
     * 000).
     */
    public Builder setMaxLateSpansPerTrace(int max) {
      this.maxLateSpansPerTrace = Math.max(0, max);
      return this;
    }

    /** The bounded service labels per-service counters are kept under. */
    public Builder setServiceLabels(ServiceLabels labels) {
      this.labels = labels;
      return this;
    }

    public Builder setQuietWindow(Duration quietWindow) {
      if (quietWindow.isNegative() || quietWindow.isZero()) {
        throw new IllegalArgumentException("quiet window must be positive: " + quietWindow);
      }
      this.quietWindow = quietWindow;
      return this;
    }

    /** Cap on traces in flight (open); the quietest is closed early when full. */
    public Builder setMaxTraces(int maxTraces) {
      if (maxTraces < 1) {
        throw new IllegalArgumentException("maxTraces must be >= 1: " + maxTraces);
      }
      this.maxTraces = maxTraces;
      return this;
    }

    /** How many closed traces stay queryable. */
    public Builder setMaxClosedTraces(int maxClosedTraces) {
      this.maxClosedTraces = Math.max(1, maxClosedTraces);
      return this;
    }

    public Builder setClock(LongSupplier nanoClock) {
      this.clock = nanoClock;
      return this;
    }

    /**
     * The spans of one complete request (default: the lab's flow, {@link Flow#SPANS}); an order
     * whose traces hold them all closes at once. Empty: traces close by the quiet window only.
     */
    /** The flow the traces belong to: its correlation attribute and the spans of one request. */
    public Builder setSpec(FlowSpec spec) {
      this.expected = spec.spans();
      this.correlation = spec.correlation();
      return this;
    }

    public TraceAssembler build() {
      return new TraceAssembler(this);
    }
  }
}
