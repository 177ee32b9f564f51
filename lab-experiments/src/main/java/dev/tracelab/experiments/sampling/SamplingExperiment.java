// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.sampling;

import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.orphans.FlowShape;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.tier.CollectorTier;
import dev.tracelab.experiments.OrderClient;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The sampling experiment behind {@code ./lab sampling} and the proof test: M baseline orders, one
 * {@code fail: true} order and one slow order ({@code delayMs} above the latency threshold) through
 * services -> LB collector -> tail-a | tail-b -> Zipkin; then, with deadlines and no fixed waits,
 * until the auditor (100% copy) holds every span, both tails decided every trace and the kept spans
 * reached the files and Zipkin. The result says, per request, which of its trace fragments Zipkin
 * kept and how whole they are, and per tail which trace ids it received.
 */
public final class SamplingExperiment {

  /** The request classes. */
  public enum Kind {
    BASELINE("baseline"),
    ERROR("error"),
    SLOW("slow");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /**
   * One trace of a request (one per request when lineage holds; more when a boundary is broken).
   */
  /**
   * @param durationMs earliest start to latest end of the fragment's spans, whole ms (as the
   *     latency policy computes it: kept when > threshold)
   */
  public record Fragment(
      String traceId,
      int auditorSpans,
      boolean auditorError,
      long durationMs,
      int zipkinSpans,
      boolean zipkinError,
      List<TierProbe.ZipkinSpan> zipkinSpanList) {
    public boolean kept() {
      return zipkinSpans > 0;
    }
  }

  /** One request and its fragments. */
  public record Outcome(Kind kind, String orderId, String traceId, List<Fragment> fragments) {
    public boolean kept() {
      return fragments.stream().anyMatch(Fragment::kept);
    }

    /** Kept whole: one trace, all six spans in Zipkin. */
    public boolean complete() {
      return fragments.size() == 1 && fragments.get(0).zipkinSpans() == Flow.SPANS.size();
    }

    public List<Fragment> keptFragments() {
      return fragments.stream().filter(Fragment::kept).toList();
    }
  }

  /** Per class: requests sent, requests with something kept, whether every kept one is whole. */
  public record ClassSummary(Kind kind, int sent, int kept, boolean complete) {
    public double keptShare() {
      return sent == 0 ? 0 : (double) kept / sent;
    }
  }

  /** One tail instance: trace ids it received (all) and exported (kept), and its counters. */
  public record Instance(
      String name,
      Set<String> receivedTraceIds,
      Set<String> sampledTraceIds,
      Map<String, Object> metrics) {}

  public record Result(
      Scenario scenario,
      List<Outcome> outcomes,
      Map<Kind, ClassSummary> classes,
      List<Instance> instances,
      Set<String> tracesInBothInstances,
      Set<String> runTraceIds,
      int failedRequests,
      Duration sendTime,
      Duration settleTime,
      int slowDelayMs) {

    public List<Outcome> of(Kind kind) {
      return outcomes.stream().filter(o -> o.kind() == kind).toList();
    }

    /**
     * Baseline requests whose trace(s) all took at most {@code thresholdMs}: only the probabilistic
     * policy can keep these. (Under load a baseline trace can really be slower than the threshold —
     * queueing, consumer lag — and then the latency policy keeps it, as it should.)
     */
    public List<Outcome> fastBaseline(int thresholdMs) {
      return of(Kind.BASELINE).stream()
          .filter(o -> o.fragments().stream().allMatch(f -> f.durationMs() <= thresholdMs))
          .toList();
    }
  }

  private static final Duration AUDITOR_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(30);

  private final LabEnvironment env;
  private final CollectorTier tier;
  private final TierProbe probe;
  private int concurrency = 16;
  private int slowDelayMs;

  public SamplingExperiment(LabEnvironment env, CollectorTier tier) {
    this.env = env;
    this.tier = tier;
    this.probe = new TierProbe(tier.zipkinUrl());
    this.slowDelayMs = tier.latencyThresholdMs() + 500;
  }

  public SamplingExperiment concurrency(int concurrency) {
    this.concurrency = concurrency;
    return this;
  }

  /** delayMs of the slow order (default: latency threshold + 500 ms). */
  public SamplingExperiment slowDelayMs(int delayMs) {
    this.slowDelayMs = delayMs;
    return this;
  }

  public TierProbe probe() {
    return probe;
  }

  public Result run(
      Scenario scenario, int baseline, boolean withError, boolean withSlow, IntConsumer progress) {
    if (!env.variants().equals(scenario.variants())) {
      env.switchTo(scenario);
    }
    Duration quiet = env.auditor().assembler().quietWindow();
    if (withSlow && quiet.toMillis() < slowDelayMs + 1000L) {
      // the slow order's spans arrive slowDelay apart: a shorter quiet window would close its
      // trace at the auditor early and file the rest as late spans
      throw new IllegalStateException(
          "the auditor's quiet window ("
              + quiet.toMillis()
              + " ms) must exceed the slow order's delay ("
              + slowDelayMs
              + " ms) by at least 1 s");
    }
    double decidedBefore = decided();
    long t0 = System.nanoTime();

    // The slow and the error order first: the slow one's delay overlaps the baseline.
    List<Kind> plan = new ArrayList<>();
    if (withSlow) {
      plan.add(Kind.SLOW);
    }
    if (withError) {
      plan.add(Kind.ERROR);
    }
    for (int i = 0; i < baseline; i++) {
      plan.add(Kind.BASELINE);
    }
    List<String> bodies = plan.stream().map(this::body).toList();
    AtomicInteger baselineDone = new AtomicInteger();
    Map<Integer, String[]> accepted = new HashMap<>();
    int failed = 0;
    for (OrderClient.Placed p :
        OrderClient.create(env.gatewayUrl())
            .placeAll(
                bodies,
                concurrency,
                p -> {
                  if (plan.get(p.index()) == Kind.BASELINE) {
                    progress.accept(baselineDone.incrementAndGet());
                  }
                })) {
      if (p.accepted() == null) {
        failed++;
      } else {
        accepted.put(p.index(), new String[] {p.accepted().orderId(), p.accepted().traceId()});
      }
    }
    Duration sendTime = Duration.ofNanos(System.nanoTime() - t0);
    long t1 = System.nanoTime();

    // 1. The auditor (100% copy through the LB) has every span of every accepted order.
    Auditor auditor = env.auditor();
    List<Integer> indexes = new ArrayList<>(accepted.keySet());
    Collections.sort(indexes);
    awaitUntil(
        "the auditor to hold all spans of " + indexes.size() + " orders",
        AUDITOR_TIMEOUT.plusMillis(withSlow ? slowDelayMs : 0),
        () -> {
          for (int i : indexes) {
            if (!FlowShape.allSpansArrived(
                auditor.tracesOfOrder(accepted.get(i)[0]), auditor.runSetup().spec())) {
              return false;
            }
          }
          return true;
        },
        () -> {
          List<String> pending = new ArrayList<>();
          for (int i : indexes) {
            List<AssembledTrace> traces = auditor.tracesOfOrder(accepted.get(i)[0]);
            if (!FlowShape.allSpansArrived(traces, auditor.runSetup().spec())) {
              pending.add(
                  plan.get(i).id()
                      + " order "
                      + accepted.get(i)[0]
                      + " "
                      + traces.stream()
                          .map(
                              t ->
                                  t.traceId()
                                      + (t.isClosed() ? " closed " : " open ")
                                      + t.spans().stream()
                                          .map(sp -> sp.service() + "/" + sp.name())
                                          .toList())
                          .toList());
            }
          }
          return pending.size()
              + " incomplete, e.g. "
              + pending.subList(0, Math.min(3, pending.size()))
              + "; auditor accepted "
              + auditor.acceptedRequests()
              + " OTLP requests, rejected "
              + auditor.rejectedRequests()
              + "\n"
              + tier.logTails(15);
        });
    Map<Integer, List<AssembledTrace>> fragmentsOf = new HashMap<>();
    Set<String> runIds = new HashSet<>();
    for (int i : indexes) {
      List<AssembledTrace> traces = auditor.tracesOfOrder(accepted.get(i)[0]);
      fragmentsOf.put(i, traces);
      traces.forEach(t -> runIds.add(t.traceId()));
    }

    // 2. Both tails decided every trace of the run, none left in memory, and each trace id
    //    reached a tail ("received" files).
    List<CollectorTier.Tail> tails = tier.tails();
    awaitUntil(
        "the tail collectors to decide " + runIds.size() + " traces",
        tier.decisionWait().plus(OUTPUT_TIMEOUT),
        () -> {
          if (decided() - decidedBefore < runIds.size()) {
            return false;
          }
          for (CollectorTier.Tail t : tails) {
            if (TierProbe.sum(
                    probe.tailSamplingMetrics(t.metricsUrl()),
                    "sampling_traces_on_memory",
                    Map.of())
                > 0) {
              return false;
            }
          }
          Set<String> received = new HashSet<>();
          tails.forEach(t -> received.addAll(TierProbe.spansPerTrace(t.receivedFile()).keySet()));
          return received.containsAll(runIds);
        });

    // 3. What was kept reached the files (whole, as the tail held it) and then Zipkin.
    Map<String, Integer> auditorSpans = new HashMap<>();
    fragmentsOf
        .values()
        .forEach(
            list ->
                list.forEach(
                    t -> auditorSpans.put(t.traceId(), t.spans().size() + t.lateSpans().size())));
    Map<String, Integer> sampledSpans = new HashMap<>();
    awaitUntil(
        "the kept traces in the tails' files",
        OUTPUT_TIMEOUT,
        () -> {
          sampledSpans.clear();
          double sampledTotal = 0;
          for (CollectorTier.Tail t : tails) {
            TierProbe.spansPerTrace(t.sampledFile())
                .forEach((id, n) -> sampledSpans.merge(id, n, Integer::sum));
            sampledTotal +=
                TierProbe.sum(
                    probe.tailSamplingMetrics(t.metricsUrl()),
                    "global_count_traces_sampled",
                    Map.of("sampled", "true"));
          }
          long inFiles = sampledSpans.keySet().size();
          return inFiles >= sampledTotal
              && sampledSpans.entrySet().stream()
                  .filter(e -> auditorSpans.containsKey(e.getKey()))
                  .allMatch(e -> e.getValue() >= auditorSpans.get(e.getKey()));
        });
    Map<String, List<TierProbe.ZipkinSpan>> zipkin = new ConcurrentHashMap<>();
    Set<String> keptByTails = new HashSet<>(runIds);
    keptByTails.retainAll(sampledSpans.keySet());
    awaitUntil(
        "Zipkin to hold the kept traces",
        OUTPUT_TIMEOUT,
        () -> {
          // ask again only for traces Zipkin did not yet hold whole
          Set<String> missing = new HashSet<>();
          for (String id : keptByTails) {
            if (zipkin.getOrDefault(id, List.of()).size() < sampledSpans.get(id)) {
              missing.add(id);
            }
          }
          queryZipkin(missing, zipkin);
          return keptByTails.stream().allMatch(id -> zipkin.get(id).size() >= sampledSpans.get(id));
        });
    Set<String> rest = new HashSet<>(runIds);
    rest.removeAll(keptByTails);
    queryZipkin(rest, zipkin); // every other trace of the run: Zipkin must answer 404
    Duration settle = Duration.ofNanos(System.nanoTime() - t1);

    List<Outcome> outcomes = new ArrayList<>();
    for (int i : indexes) {
      List<Fragment> fragments = new ArrayList<>();
      for (AssembledTrace t : fragmentsOf.get(i)) {
        List<TierProbe.ZipkinSpan> z = zipkin.getOrDefault(t.traceId(), List.of());
        fragments.add(
            new Fragment(
                t.traceId(),
                t.spans().size() + t.lateSpans().size(),
                t.spans().stream().anyMatch(ReceivedSpan::error)
                    || t.lateSpans().stream().anyMatch(ReceivedSpan::error),
                durationMs(t),
                z.size(),
                z.stream().anyMatch(TierProbe.ZipkinSpan::error),
                z));
      }
      fragments.sort((a, b) -> Integer.compare(b.auditorSpans(), a.auditorSpans()));
      outcomes.add(
          new Outcome(plan.get(i), accepted.get(i)[0], accepted.get(i)[1], List.copyOf(fragments)));
    }
    Map<Kind, ClassSummary> classes = new EnumMap<>(Kind.class);
    for (Kind k : Kind.values()) {
      List<Outcome> of = outcomes.stream().filter(o -> o.kind() == k).toList();
      long sent = plan.stream().filter(p -> p == k).count();
      List<Outcome> kept = of.stream().filter(Outcome::kept).toList();
      classes.put(
          k,
          new ClassSummary(
              k,
              (int) sent,
              kept.size(),
              !kept.isEmpty() && kept.stream().allMatch(Outcome::complete)));
    }

    List<Instance> instances = new ArrayList<>();
    for (CollectorTier.Tail t : tails) {
      instances.add(
          new Instance(
              "tail-" + t.name(),
              new TreeSet<>(TierProbe.spansPerTrace(t.receivedFile()).keySet()),
              new TreeSet<>(TierProbe.spansPerTrace(t.sampledFile()).keySet()),
              metricsSummary(probe.tailSamplingMetrics(t.metricsUrl()))));
    }
    Set<String> inBoth = new TreeSet<>(instances.get(0).receivedTraceIds());
    for (Instance other : instances.subList(1, instances.size())) {
      inBoth.retainAll(other.receivedTraceIds());
    }
    return new Result(
        scenario,
        List.copyOf(outcomes),
        classes,
        List.copyOf(instances),
        inBoth,
        Set.copyOf(runIds),
        failed,
        sendTime,
        settle,
        slowDelayMs);
  }

  private String body(Kind kind) {
    return switch (kind) {
      case BASELINE -> "{\"sku\":\"BASE-1\",\"quantity\":1}";
      case ERROR -> "{\"sku\":\"ERR-1\",\"quantity\":1,\"fail\":true}";
      case SLOW -> "{\"sku\":\"SLOW-1\",\"quantity\":1,\"delayMs\":" + slowDelayMs + "}";
    };
  }

  /** Total decisions (sampled or not) of both tails since they started. */
  private double decided() {
    double sum = 0;
    for (CollectorTier.Tail t : tier.tails()) {
      sum +=
          TierProbe.sum(
              probe.tailSamplingMetrics(t.metricsUrl()), "global_count_traces_sampled", Map.of());
    }
    return sum;
  }

  private void queryZipkin(Set<String> ids, Map<String, List<TierProbe.ZipkinSpan>> into) {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (String id : ids) {
        futures.add(pool.submit(() -> into.put(id, probe.zipkinTrace(id))));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Zipkin query failed: " + e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdown();
    }
  }

  /** A few named tail-sampling counters, for printing and the report. */
  static Map<String, Object> metricsSummary(List<TierProbe.Sample> samples) {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Map<String, Long>> perPolicy = new LinkedHashMap<>();
    for (TierProbe.Sample s : samples) {
      if (s.name().equals("otelcol_processor_tail_sampling_count_traces_sampled")) {
        String policy = s.labels().getOrDefault("policy", "?");
        String key = "true".equals(s.labels().get("sampled")) ? "sampled" : "notSampled";
        perPolicy
            .computeIfAbsent(
                policy, p -> new LinkedHashMap<>(Map.of("sampled", 0L, "notSampled", 0L)))
            .merge(key, (long) s.value(), Long::sum);
      }
    }
    m.put("count_traces_sampled", perPolicy);
    m.put(
        "global_count_traces_sampled",
        Map.of(
            "sampled",
                (long)
                    TierProbe.sum(
                        samples, "global_count_traces_sampled", Map.of("sampled", "true")),
            "notSampled",
                (long)
                    TierProbe.sum(
                        samples, "global_count_traces_sampled", Map.of("sampled", "false"))));
    m.put(
        "sampling_traces_on_memory",
        (long) TierProbe.sum(samples, "sampling_traces_on_memory", Map.of()));
    m.put(
        "sampling_trace_dropped_too_early",
        (long) TierProbe.sum(samples, "sampling_trace_dropped_too_early", Map.of()));
    m.put(
        "new_trace_id_received", (long) TierProbe.sum(samples, "new_trace_id_received", Map.of()));
    m.put(
        "early_releases_from_cache_decision",
        (long) TierProbe.sum(samples, "early_releases_from_cache_decision", Map.of()));
    return m;
  }

  private static long durationMs(AssembledTrace t) {
    List<ReceivedSpan> all = new ArrayList<>(t.spans());
    all.addAll(t.lateSpans());
    long start = all.stream().mapToLong(ReceivedSpan::startEpochNanos).min().orElse(0);
    long end = all.stream().mapToLong(ReceivedSpan::endEpochNanos).max().orElse(0);
    return (end - start) / 1_000_000;
  }

  private void awaitUntil(String what, Duration timeout, BooleanSupplier condition) {
    awaitUntil(what, timeout, condition, () -> tier.logTails(15));
  }

  /** Polls every 200 ms until the condition holds; a clear error (with details) at the deadline. */
  private static void awaitUntil(
      String what, Duration timeout, BooleanSupplier condition, Supplier<String> details) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "timed out after "
                + timeout.toSeconds()
                + " s waiting for "
                + what
                + ": "
                + details.get());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }
}
