package dev.tracelab.auditor.trace;

import dev.tracelab.auditor.trace.AssembledTrace.CloseReason;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.SpanSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
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
 *   <li>as soon as the traces carrying one value of the flow's correlation attribute together hold every expected span
 *       of the flow (each step matched by service, kind and name) — all those traces close at
 *       once, so the fragments of a broken request are judged together;
 *   <li>otherwise once no span of it arrived for the quiet window (an incomplete request);
 *   <li>or early, at the cap on traces in flight (like the collector's {@code num_traces}): the
 *       trace quiet for longest is closed and counted as evicted.
 * </ul>
 *
 * <p>Delivery is at-least-once: a span whose trace already holds its span id (in the trace or
 * among its late spans) is a duplicate and changes nothing but the duplicate count. A new span of
 * a closed trace is late. Closed traces are retained up to {@code maxClosedTraces} for queries.
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

  // access-ordered: iteration starts at the trace that received a span longest ago
  private final LinkedHashMap<String, AssembledTrace> open = new LinkedHashMap<>(1024, 0.75f, true);
  private final Map<String, AssembledTrace> openById = new HashMap<>(1024); // lookups that must not reorder
  private final LinkedHashMap<String, AssembledTrace> closed = new LinkedHashMap<>(1024, 0.75f, false);
  private final Map<String, List<AssembledTrace>> byOrder = new HashMap<>();
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
      Set<String> touchedOrders = new LinkedHashSet<>(4);
      for (ReceivedSpan span : spans) {
        SpanCounters counters = counters(span.service());
        AssembledTrace done = closed.get(span.traceId());
        if (done != null) {
          if (done.holds(span.spanId())) {
            duplicate(counters);
            continue;
          }
          if (!done.addLate(span, maxLateSpansPerTrace)) {
            droppedLateSpans++; // counted late, not kept
          }
          receivedSpans++;
          counters.spans++;
          counters.late++;
          lateCount++;
          continue;
        }
        AssembledTrace trace = openById.get(span.traceId()); // no reordering before the duplicate check
        if (trace != null && trace.holds(span.spanId())) {
          duplicate(counters);
          continue;
        }
        if (trace != null && trace.spanCount() >= maxSpansPerTrace) {
          trace.dropped();
          droppedSpans++;
          continue;
        }
        if (trace == null) {
          trace = new AssembledTrace(span.traceId(), now);
          open.put(span.traceId(), trace);
          openById.put(span.traceId(), trace);
          if (open.size() > maxTraces) {
            Iterator<AssembledTrace> eldest = open.values().iterator();
            AssembledTrace victim = eldest.next();
            eldest.remove();
            openById.remove(victim.traceId());
            evictedTraces++;
            toNotify.add(markClosed(victim, CloseReason.EVICTED, now));
          }
        } else {
          open.get(span.traceId()); // a new span: the trace becomes the freshest in access order
        }
        receivedSpans++;
        counters.spans++;
        String orderId = correlation == null ? null : span.attributes().get(correlation);
        trace.add(span, now, stepBits(span), orderId);
        if (orderId != null) {
          List<AssembledTrace> traces = byOrder.computeIfAbsent(orderId, k -> new ArrayList<>(2));
          if (!traces.contains(trace)) {
            traces.add(trace);
          }
        }
        if (completeMask != 0) {
          touchedOrders.addAll(trace.orderIdsView());
        }
      }
      // judged after the whole batch, so spans of one export request never split into late ones
      for (String orderId : touchedOrders) {
        closeIfComplete(orderId, now, toNotify);
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
    for (AssembledTrace t : List.copyOf(traces)) {
      if (!t.closing()) {
        open.remove(t.traceId());
        openById.remove(t.traceId());
        toNotify.add(markClosed(t, CloseReason.COMPLETE, now));
      }
    }
  }

  /** Closes every open trace now, whatever its quiet window says (the input has ended). */
  public void closeAll() {
    List<TraceClosed> toNotify = new ArrayList<>(0);
    synchronized (this) {
      long now = clock.getAsLong();
      for (AssembledTrace trace : List.copyOf(open.values())) {
        open.remove(trace.traceId());
        openById.remove(trace.traceId());
        toNotify.add(markClosed(trace, CloseReason.QUIET, now));
      }
    }
    notifyClosed(toNotify);
  }

  /** Closes every trace that has been quiet for the window. */
  public void sweep() {
    List<TraceClosed> toNotify = new ArrayList<>(0);
    synchronized (this) {
      long now = clock.getAsLong();
      Iterator<AssembledTrace> it = open.values().iterator();
      while (it.hasNext()) {
        AssembledTrace trace = it.next();
        if (now - trace.lastArrivalNanos() < quietNanos) {
          break; // access order: every later trace got a span more recently
        }
        it.remove();
        openById.remove(trace.traceId());
        toNotify.add(markClosed(trace, CloseReason.QUIET, now));
      }
    }
    notifyClosed(toNotify);
  }

  /** Closes a trace (under the lock) and snapshots what its listeners need. */
  private TraceClosed markClosed(AssembledTrace trace, CloseReason reason, long now) {
    trace.close(reason, now);
    closed.put(trace.traceId(), trace);
    if (closed.size() > maxClosedTraces) {
      Iterator<AssembledTrace> eldest = closed.values().iterator();
      AssembledTrace gone = eldest.next();
      eldest.remove();
      for (String orderId : gone.orderIdsView()) {
        List<AssembledTrace> traces = byOrder.get(orderId);
        if (traces != null) {
          traces.remove(gone);
          if (traces.isEmpty()) {
            byOrder.remove(orderId);
          }
        }
      }
    }
    Map<String, List<AssembledTrace>> fragments = new HashMap<>(2);
    for (String orderId : trace.orderIdsView()) {
      fragments.put(orderId, List.copyOf(byOrder.getOrDefault(orderId, List.of(trace))));
    }
    return new TraceClosed(trace, fragments);
  }

  /** Runs the listeners, then marks each trace judged: once isClosed(), its figures are in. */
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
  }

  private SpanCounters counters(String service) {
    String label = labels.label(service);
    if (!label.equals(service)) {
      foldedLabelSpans++;
    }
    return countersByService.computeIfAbsent(label, s -> new SpanCounters());
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
    AssembledTrace t = closed.get(traceId);
    return t != null ? t : openById.get(traceId);
  }

  /** Every trace (fragment) holding a span with this value of the flow's correlation attribute, in arrival order. */
  public synchronized List<AssembledTrace> tracesOfOrder(String orderId) {
    return List.copyOf(byOrder.getOrDefault(orderId, List.of()));
  }

  public synchronized int tracesInFlight() {
    return open.size();
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

    /** Most spans one trace holds; later new spans of it are dropped and counted (default 10 000). */
    public Builder setMaxSpansPerTrace(int max) {
      this.maxSpansPerTrace = Math.max(1, max);
      return this;
    }

    /** Most late spans one closed trace keeps; later ones are counted late, not kept (default 1 000). */
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
