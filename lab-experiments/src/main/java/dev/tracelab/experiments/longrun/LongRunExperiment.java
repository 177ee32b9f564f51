// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.longrun;

import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.tier.CollectorTier;
import dev.tracelab.experiments.OrderClient;
import dev.tracelab.experiments.sampling.TierProbe;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Variant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The long-running trace, measured (docs/design.md §8, docs/long-running.md): steady traffic
 * through the lab into the real collector tier (LB collector -> tail-a | tail-b, production-shaped
 * {@code decision_wait}), once with the consumer's {@link Variant#LIFECYCLE} defect (one
 * subscription span parents every process span) and once with its fix {@link
 * Variant#LIFECYCLE_FIXED}. Each phase gets freshly started tail collectors; while it runs, their
 * resident memory is sampled every second. After the traffic, it waits (conditions, deadlines)
 * until every order was processed, the tails decided every trace and filed what they kept, then
 * reads:
 *
 * <ul>
 *   <li>late spans: spans that reached a tail after their trace was decided (the tails' own
 *       counters: released on the cached decision, plus late spans of a trace still held);
 *   <li>the largest trace in spans (the auditor, which receives 100% from the LB);
 *   <li>requests kept whole: one trace with the flow's six spans, all six in the tails' output;
 *   <li>each tail's peak and final RSS and the RSS slope over the steady part of the run (from one
 *       {@code decision_wait} after the traffic started, when the decision buffer is full, to the
 *       end of the traffic).
 * </ul>
 */
public final class LongRunExperiment {

  /** What one run does. */
  public record Settings(
      Duration decisionWait, Duration duration, int rate, double samplingPercentage) {
    public Settings {
      if (rate < 1 || duration.toMillis() < 1000 || decisionWait.toMillis() < 1000) {
        throw new IllegalArgumentException("rate >= 1, duration >= 1 s, decision_wait >= 1 s");
      }
    }
  }

  /** One tail collector's memory over a phase. */
  public record TailMemory(
      String name, double peakMiB, double finalMiB, double slopeMiBPerMin, int samples) {}

  /**
   * The largest trace of a phase as each side saw it.
   *
   * @param spans spans of it the tail collectors received
   * @param keptSpans spans of it in the tails' output
   * @param auditorSpans spans of it the auditor received (its 100% copy)
   * @param auditorLateSpans of those, how many reached the auditor after it had closed the trace
   */
  public record LargestTrace(
      String traceId, int spans, int keptSpans, int auditorSpans, int auditorLateSpans) {}

  /** One phase (before: the defect; after: the fix). */
  public record Phase(
      String name,
      Variant consumer,
      int sent,
      int accepted,
      long lateSpans,
      long lateSpansSampled,
      long lateSpansDropped,
      int largestTraceSpans,
      LargestTrace largestTrace,
      int tracesKeptWhole,
      Map<String, Long> sampledByPolicy,
      long tracesDecided,
      List<TailMemory> tails,
      long longestRequestTraceMs,
      Duration decisionWait,
      Duration run,
      Duration settle) {

    /** The higher peak of the tail collectors. */
    public double collectorPeakRssMiB() {
      return tails.stream().mapToDouble(TailMemory::peakMiB).max().orElse(Double.NaN);
    }

    /** The higher final RSS of the tail collectors. */
    public double collectorFinalRssMiB() {
      return tails.stream().mapToDouble(TailMemory::finalMiB).max().orElse(Double.NaN);
    }

    /** The steeper RSS slope of the tail collectors (MiB per minute). */
    public double rssSlopeMiBPerMin() {
      return tails.stream()
          .mapToDouble(TailMemory::slopeMiBPerMin)
          .filter(d -> !Double.isNaN(d))
          .max()
          .orElse(Double.NaN);
    }

    /** The report object of docs/design.md §8. */
    public Map<String, Object> report() {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("lateSpans", lateSpans);
      r.put("largestTraceSpans", largestTraceSpans);
      r.put("tracesKeptWhole", tracesKeptWhole);
      r.put("collectorPeakRssMiB", round1(collectorPeakRssMiB()));
      r.put("collectorFinalRssMiB", round1(collectorFinalRssMiB()));
      r.put("rssSlopeMiBPerMin", round1(rssSlopeMiBPerMin()));
      r.put("decisionWaitS", decisionWait.toMillis() / 1000.0);
      r.put("runS", run.toMillis() / 1000.0);
      return r;
    }
  }

  public record Result(Settings settings, Phase before, Phase after) {
    public Map<String, Object> report() {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("before", before.report());
      r.put("after", after.report());
      return r;
    }
  }

  private static final String BODY = "{\"sku\":\"LONG-1\",\"quantity\":1}";
  private static final Duration PROCESSED_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(60);

  private final LabEnvironment env;
  private final CollectorTier tier;
  private final TierProbe probe;
  private final Settings settings;
  private final Consumer<String> progress;

  /**
   * @param env the lab, exporting to {@code tier}'s LB collector; its auditor's quiet window should
   *     be the decision wait (collector parity)
   * @param tier started with {@code settings.decisionWait()}
   */
  public LongRunExperiment(
      LabEnvironment env, CollectorTier tier, Settings settings, Consumer<String> progress) {
    if (!tier.decisionWait().equals(settings.decisionWait())) {
      throw new IllegalArgumentException(
          "the tier runs decision_wait "
              + tier.decisionWait()
              + ", not "
              + settings.decisionWait());
    }
    this.env = env;
    this.tier = tier;
    this.probe = new TierProbe(tier.zipkinUrl());
    this.settings = settings;
    this.progress = progress;
  }

  /** Before (the defect), then after (the fix). */
  public Result run() throws InterruptedException {
    Phase before = phase("before", Variant.LIFECYCLE);
    Phase after = phase("after", Variant.LIFECYCLE_FIXED);
    return new Result(settings, before, after);
  }

  /** One phase: consumer {@code variant}, fresh tails, steady traffic, settle, measure. */
  public Phase phase(String name, Variant variant) throws InterruptedException {
    Map<String, Variant> variants =
        new HashMap<>(
            Map.of(
                Flow.GATEWAY, Variant.FIXED, Flow.WORKER, Variant.FIXED, Flow.CONSUMER, variant));
    progress.accept(
        name + ": consumer " + variant.id() + ", restarting the services and the tail collectors");
    if (!env.variants().equals(variants)) {
      env.switchTo(variants);
    }
    // fresh tail collectors: memory, counters, decision caches and files start from zero
    tier.restartTails(tier.samplingPercentage());
    List<CollectorTier.Tail> tails = tier.tails();

    OrderClient client = OrderClient.create(env.gatewayUrl());
    List<OrderClient.Accepted> accepted = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger sent = new AtomicInteger();
    ExecutorService senders = Executors.newFixedThreadPool(16, daemon("longrun-sender"));
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(daemon("longrun-tick"));
    RssSampler rss = RssSampler.start(this::tailPids);
    double trafficStart = rss.elapsedSeconds();
    double trafficEnd;
    long t0 = System.nanoTime();
    try {
      long periodMicros = 1_000_000L / settings.rate();
      long total = settings.duration().toMillis() * settings.rate() / 1000;
      ticker.scheduleAtFixedRate(
          () -> {
            if (sent.get() >= total) {
              return;
            }
            sent.incrementAndGet();
            senders.execute(
                () -> {
                  OrderClient.Accepted a = client.place(BODY);
                  if (a != null) {
                    accepted.add(a);
                  }
                });
          },
          0,
          periodMicros,
          TimeUnit.MICROSECONDS);
      long reportEvery = Math.max(1, settings.duration().toSeconds() / 6);
      for (long s = reportEvery; s < settings.duration().toSeconds(); s += reportEvery) {
        TimeUnit.NANOSECONDS.sleep(
            Math.max(0, t0 + TimeUnit.SECONDS.toNanos(s) - System.nanoTime()));
        progress.accept(
            String.format(
                java.util.Locale.ROOT,
                "%s: %d s, %d orders accepted, tail RSS %s",
                name,
                s,
                accepted.size(),
                lastRss(rss)));
      }
      TimeUnit.NANOSECONDS.sleep(
          Math.max(0, t0 + settings.duration().toNanos() - System.nanoTime()));
    } finally {
      ticker.shutdownNow();
      senders.shutdown();
      senders.awaitTermination(30, TimeUnit.SECONDS);
      trafficEnd = rss.elapsedSeconds();
    }
    Duration run = Duration.ofNanos(System.nanoTime() - t0);
    long t1 = System.nanoTime();
    List<OrderClient.Accepted> orders = List.copyOf(accepted);
    progress.accept(
        name
            + ": "
            + orders.size()
            + " of "
            + sent.get()
            + " orders accepted in "
            + run.toSeconds()
            + " s; waiting until every order is processed and the tails decided every trace");

    try {
      // 1. every order processed: the tails received each request's five spans before the
      //    consumer, and one process span per order (wherever its trace is)
      awaitUntil(
          name + ": the tails to receive every span of " + orders.size() + " orders",
          PROCESSED_TIMEOUT,
          () -> {
            FileSpans received =
                FileSpans.read(tails.stream().map(CollectorTier.Tail::receivedFile).toList());
            return received.processSpans() >= orders.size()
                && orders.stream().allMatch(o -> received.of(o.traceId()) >= Flow.SPANS.size() - 1);
          },
          () -> {
            FileSpans received =
                FileSpans.read(tails.stream().map(CollectorTier.Tail::receivedFile).toList());
            long short_ =
                orders.stream()
                    .filter(o -> received.of(o.traceId()) < Flow.SPANS.size() - 1)
                    .count();
            return received.processSpans()
                + " process spans received, "
                + short_
                + " request traces short of "
                + (Flow.SPANS.size() - 1)
                + " spans";
          });

      // 2. the tails decided everything they hold, and filed every span they kept
      awaitUntil(
          name + ": the tail collectors to decide every trace and file what they kept",
          settings.decisionWait().plus(OUTPUT_TIMEOUT),
          () -> {
            double sampledTraces = 0;
            for (CollectorTier.Tail t : tails) {
              List<TierProbe.Sample> m = probe.tailSamplingMetrics(t.metricsUrl());
              if (TierProbe.sum(m, "sampling_traces_on_memory", Map.of()) > 0) {
                return false;
              }
              sampledTraces +=
                  TierProbe.sum(m, "global_count_traces_sampled", Map.of("sampled", "true"));
            }
            FileSpans received =
                FileSpans.read(tails.stream().map(CollectorTier.Tail::receivedFile).toList());
            FileSpans kept =
                FileSpans.read(tails.stream().map(CollectorTier.Tail::sampledFile).toList());
            // every kept trace whole as far as the tails received it
            return kept.perTrace().size() >= sampledTraces
                && kept.perTrace().entrySet().stream()
                    .allMatch(e -> e.getValue() >= received.of(e.getKey()));
          });
    } finally {
      rss.close();
    }
    Duration settle = Duration.ofNanos(System.nanoTime() - t1);

    // 3. measure
    FileSpans received =
        FileSpans.read(tails.stream().map(CollectorTier.Tail::receivedFile).toList());
    FileSpans kept = FileSpans.read(tails.stream().map(CollectorTier.Tail::sampledFile).toList());
    long lateSampled = 0;
    long lateDropped = 0;
    long decided = 0;
    Map<String, Long> byPolicy = new LinkedHashMap<>();
    for (CollectorTier.Tail t : tails) {
      List<TierProbe.Sample> m = probe.tailSamplingMetrics(t.metricsUrl());
      lateSampled +=
          (long) TierProbe.sum(m, "early_releases_from_cache_decision", Map.of("sampled", "true"));
      lateDropped +=
          (long) TierProbe.sum(m, "early_releases_from_cache_decision", Map.of("sampled", "false"));
      lateSampled +=
          (long)
              lateSpanAgeCount(
                  m); // late spans of a trace still held after its decision (no cache hit)
      decided += (long) TierProbe.sum(m, "global_count_traces_sampled", Map.of());
      for (TierProbe.Sample s : m) {
        if (s.name().equals("otelcol_processor_tail_sampling_count_traces_sampled")
            && "true".equals(s.labels().get("sampled"))) {
          byPolicy.merge(s.labels().getOrDefault("policy", "?"), (long) s.value(), Long::sum);
        }
      }
    }
    // kept whole: the request is one trace holding the flow's six spans, and the tails kept all six
    int whole = 0;
    for (OrderClient.Accepted o : orders) {
      if (received.of(o.traceId()) == Flow.SPANS.size()
          && kept.of(o.traceId()) == Flow.SPANS.size()) {
        whole++;
      }
    }
    long longestRequestMs =
        orders.stream().mapToLong(o -> received.durationMs(o.traceId())).max().orElse(0);
    Map.Entry<String, Integer> largest =
        received.perTrace().entrySet().stream().max(Map.Entry.comparingByValue()).orElse(null);
    LargestTrace largestTrace = null;
    if (largest != null) {
      AssembledTrace atAuditor = env.auditor().assembler().trace(largest.getKey());
      largestTrace =
          new LargestTrace(
              largest.getKey(),
              largest.getValue(),
              kept.of(largest.getKey()),
              atAuditor == null
                  ? 0
                  : atAuditor.spans().size()
                      + atAuditor.lateSpans().size()
                      + (int) atAuditor.droppedLateSpans(),
              atAuditor == null
                  ? 0
                  : atAuditor.lateSpans().size() + (int) atAuditor.droppedLateSpans());
    }

    List<TailMemory> memory = new ArrayList<>();
    rss.series()
        .forEach(
            (tail, series) -> {
              double peak =
                  series.stream().mapToDouble(RssSampler.Sample::mib).max().orElse(Double.NaN);
              double last = series.isEmpty() ? Double.NaN : series.get(series.size() - 1).mib();
              double steadyFrom = trafficStart + settings.decisionWait().toMillis() / 1000.0;
              double slope = RssSampler.slopeMiBPerMin(series, steadyFrom, trafficEnd);
              if (Double.isNaN(slope)) {
                slope = RssSampler.slopeMiBPerMin(series, trafficStart, trafficEnd);
              }
              memory.add(new TailMemory(tail, peak, last, slope, series.size()));
            });
    Phase phase =
        new Phase(
            name,
            variant,
            sent.get(),
            orders.size(),
            lateSampled + lateDropped,
            lateSampled,
            lateDropped,
            largestTrace == null ? 0 : largestTrace.spans(),
            largestTrace,
            whole,
            byPolicy,
            decided,
            List.copyOf(memory),
            longestRequestMs,
            settings.decisionWait(),
            run,
            settle);
    progress.accept(
        String.format(
            java.util.Locale.ROOT,
            "%s: late spans %d, largest trace %d spans, %d requests kept whole, longest request trace %d ms",
            name,
            phase.lateSpans(),
            phase.largestTraceSpans(),
            whole,
            longestRequestMs));
    return phase;
  }

  private static double lateSpanAgeCount(List<TierProbe.Sample> samples) {
    return samples.stream()
        .filter(
            s ->
                s.name().startsWith("otelcol_processor_tail_sampling_sampling_late_span_age")
                    && s.name().endsWith("_count"))
        .mapToDouble(TierProbe.Sample::value)
        .sum();
  }

  private Map<String, Long> tailPids() {
    Map<String, Long> tails = new LinkedHashMap<>();
    tier.pids()
        .forEach(
            (name, pid) -> {
              if (name.startsWith("tail-")) {
                tails.put(name, pid);
              }
            });
    return tails;
  }

  private static String lastRss(RssSampler rss) {
    List<String> parts = new ArrayList<>();
    rss.series()
        .forEach(
            (name, series) -> {
              if (!series.isEmpty()) {
                parts.add(
                    String.format(
                        java.util.Locale.ROOT,
                        "%s %.1f MiB",
                        name,
                        series.get(series.size() - 1).mib()));
              }
            });
    return String.join(", ", parts);
  }

  /**
   * Spans per trace id in the tails' file exporters, and how many of them are the consumer's
   * process span.
   */
  record FileSpans(Map<String, Integer> perTrace, long processSpans, Map<String, long[]> extent) {

    /** Earliest span start to latest span end of a trace, ms (what the latency policy measures). */
    long durationMs(String traceId) {
      long[] e = extent.get(traceId.toLowerCase(java.util.Locale.ROOT));
      return e == null ? 0 : (e[1] - e[0]) / 1_000_000;
    }

    int of(String traceId) {
      return perTrace.getOrDefault(traceId.toLowerCase(java.util.Locale.ROOT), 0);
    }

    static FileSpans read(List<java.nio.file.Path> files) {
      Map<String, Integer> perTrace = new HashMap<>();
      Map<String, long[]> extent = new HashMap<>();
      long process = 0;
      for (java.nio.file.Path file : files) {
        try (java.io.BufferedReader in = java.nio.file.Files.newBufferedReader(file)) {
          for (String line; (line = in.readLine()) != null; ) {
            com.fasterxml.jackson.databind.JsonNode request;
            try {
              request = JSON.readTree(line);
            } catch (java.io.IOException partial) {
              continue; // a line still being written
            }
            for (com.fasterxml.jackson.databind.JsonNode rs : request.path("resourceSpans")) {
              for (com.fasterxml.jackson.databind.JsonNode ss : rs.path("scopeSpans")) {
                for (com.fasterxml.jackson.databind.JsonNode span : ss.path("spans")) {
                  String id = span.path("traceId").asText().toLowerCase(java.util.Locale.ROOT);
                  perTrace.merge(id, 1, Integer::sum);
                  long start = span.path("startTimeUnixNano").asLong();
                  long end = span.path("endTimeUnixNano").asLong();
                  extent.merge(
                      id,
                      new long[] {start, end},
                      (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                  if (Flow.PROCESS.equals(span.path("name").asText())) {
                    process++;
                  }
                }
              }
            }
          }
        } catch (java.nio.file.NoSuchFileException notYet) {
          // nothing filed yet
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException("cannot read " + file, e);
        }
      }
      return new FileSpans(perTrace, process, extent);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private static double round1(double v) {
    return Double.isNaN(v) ? Double.NaN : Math.round(v * 10) / 10.0;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Polls every 200 ms until the condition holds; a clear error at the deadline. */
  private void awaitUntil(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    awaitUntil(what, timeout, condition, () -> "");
  }

  private void awaitUntil(
      String what,
      Duration timeout,
      BooleanSupplier condition,
      java.util.function.Supplier<String> details)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "timed out after "
                + timeout.toSeconds()
                + " s waiting for "
                + what
                + ": "
                + details.get()
                + "\n"
                + tier.logTails(10));
      }
      Thread.sleep(200);
    }
  }
}
