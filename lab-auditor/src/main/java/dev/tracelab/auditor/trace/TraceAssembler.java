package dev.tracelab.auditor.trace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Groups spans by trace id and closes each trace once no span of it arrived for the quiet window
 * (SPEC §4). Memory is bounded: at most {@code maxTraces} traces are in flight (like the
 * collector's {@code num_traces}); when full, the trace quiet for longest is closed early and
 * counted as evicted. Closed traces are retained up to {@code maxClosedTraces} for queries.
 *
 * <p>Thread-safe. Time comes from an injectable nano clock so tests control it; call {@link
 * #sweep()} periodically to close quiet traces.
 */
public final class TraceAssembler {

  private final long quietNanos;
  private final int maxTraces;
  private final int maxClosedTraces;
  private final LongSupplier clock;
  private final List<Consumer<AssembledTrace>> closeListeners = new CopyOnWriteArrayList<>();
  private final Map<String, SpanCounters> countersByService = new ConcurrentHashMap<>();

  // access-ordered: iteration starts at the trace that received a span longest ago
  private final LinkedHashMap<String, AssembledTrace> open = new LinkedHashMap<>(1024, 0.75f, true);
  private final Map<String, AssembledTrace> openById = new HashMap<>(1024); // lookups that must not reorder
  private final LinkedHashMap<String, AssembledTrace> closed = new LinkedHashMap<>(1024, 0.75f, false);
  private final Map<String, List<AssembledTrace>> byOrder = new HashMap<>();
  private long evictedTraces;
  private long receivedSpans;

  private TraceAssembler(Builder b) {
    this.quietNanos = b.quietWindow.toNanos();
    this.maxTraces = b.maxTraces;
    this.maxClosedTraces = b.maxClosedTraces;
    this.clock = b.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Called (on the sweeping or ingesting thread) once per trace when it closes. */
  public void onClose(Consumer<AssembledTrace> listener) {
    closeListeners.add(listener);
  }

  /** Adds received spans; returns how many arrived late (for traces already closed). */
  public int accept(Collection<ReceivedSpan> spans) {
    List<AssembledTrace> toClose = new ArrayList<>(0);
    int lateCount = 0;
    synchronized (this) {
      long now = clock.getAsLong();
      for (ReceivedSpan span : spans) {
        receivedSpans++;
        counters(span.service()).spans++;
        AssembledTrace done = closed.get(span.traceId());
        if (done != null) {
          done.addLate(span);
          counters(span.service()).late++;
          lateCount++;
          continue;
        }
        AssembledTrace trace = open.get(span.traceId());
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
            toClose.add(markClosed(victim, true, now));
          }
        }
        trace.add(span, now);
        String orderId = span.orderId();
        if (orderId != null) {
          List<AssembledTrace> traces = byOrder.computeIfAbsent(orderId, k -> new ArrayList<>(2));
          if (!traces.contains(trace)) {
            traces.add(trace);
          }
        }
      }
    }
    notifyClosed(toClose);
    return lateCount;
  }

  /** Closes every trace that has been quiet for the window. */
  public void sweep() {
    List<AssembledTrace> toClose = new ArrayList<>(0);
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
        toClose.add(markClosed(trace, false, now));
      }
    }
    notifyClosed(toClose);
  }

  private AssembledTrace markClosed(AssembledTrace trace, boolean evicted, long now) {
    trace.close(evicted, now);
    closed.put(trace.traceId(), trace);
    if (closed.size() > maxClosedTraces) {
      Iterator<AssembledTrace> eldest = closed.values().iterator();
      AssembledTrace gone = eldest.next();
      eldest.remove();
      for (ReceivedSpan s : gone.spans()) {
        if (s.orderId() != null) {
          List<AssembledTrace> traces = byOrder.get(s.orderId());
          if (traces != null) {
            traces.remove(gone);
            if (traces.isEmpty()) {
              byOrder.remove(s.orderId());
            }
          }
        }
      }
    }
    return trace;
  }

  private void notifyClosed(List<AssembledTrace> traces) {
    for (AssembledTrace t : traces) {
      for (Consumer<AssembledTrace> l : closeListeners) {
        l.accept(t);
      }
    }
  }

  private SpanCounters counters(String service) {
    return countersByService.computeIfAbsent(service, s -> new SpanCounters());
  }

  /** A trace by id, open or closed, or null. */
  public synchronized AssembledTrace trace(String traceId) {
    AssembledTrace t = closed.get(traceId);
    return t != null ? t : openById.get(traceId);
  }

  /** Every trace (fragment) holding a span with this {@code app.order_id}, in arrival order. */
  public synchronized List<AssembledTrace> tracesOfOrder(String orderId) {
    return List.copyOf(byOrder.getOrDefault(orderId, List.of()));
  }

  public synchronized int tracesInFlight() {
    return open.size();
  }

  public synchronized long evictedTraces() {
    return evictedTraces;
  }

  public synchronized long receivedSpans() {
    return receivedSpans;
  }

  /** Received and late span counts per service since start. */
  public synchronized Map<String, long[]> spanCountsByService() {
    Map<String, long[]> out = new HashMap<>();
    countersByService.forEach((k, v) -> out.put(k, new long[] {v.spans, v.late}));
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
  }

  public static final class Builder {
    private Duration quietWindow = Duration.ofSeconds(2);
    private int maxTraces = 100_000;
    private int maxClosedTraces = 200_000;
    private LongSupplier clock = System::nanoTime;

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

    public TraceAssembler build() {
      return new TraceAssembler(this);
    }
  }
}
