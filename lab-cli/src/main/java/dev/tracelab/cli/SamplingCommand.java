// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.env.tier.CollectorTier;
import dev.tracelab.experiments.sampling.SamplingExperiment;
import dev.tracelab.experiments.sampling.SamplingExperiment.ClassSummary;
import dev.tracelab.experiments.sampling.SamplingExperiment.Fragment;
import dev.tracelab.experiments.sampling.SamplingExperiment.Kind;
import dev.tracelab.experiments.sampling.SamplingExperiment.Outcome;
import dev.tracelab.flow.Scenario;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./lab sampling}: the embedded lab exporting to the collector tier in process mode (LB
 * collector -> tail-a | tail-b -> Zipkin, LB -> auditor); M baseline orders, one failing and one
 * slow; then what the tail samplers kept, read back from Zipkin, the tails' files and metrics.
 */
@Command(
    name = "sampling",
    sortOptions = false,
    description = {
      "Tail sampling via the collector tier (LB collector -> tail-a | tail-b -> Zipkin): M baseline"
          + " orders, one failing and one slow; what the tail samplers kept."
    })
final class SamplingCommand implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Option(
      names = "--requests",
      paramLabel = "M",
      defaultValue = "2000",
      description = "baseline orders (1..100000, default ${DEFAULT-VALUE})")
  private int requests;

  @Option(names = "--report-json", paramLabel = "F", description = "the report as JSON")
  private String reportJson;

  @Option(
      names = "--threshold-ms",
      paramLabel = "T",
      defaultValue = "2000",
      description = "the tail samplers' latency threshold (100..20000, default ${DEFAULT-VALUE})")
  private int thresholdMs;

  @Option(
      names = "--scenario",
      paramLabel = "S",
      description = "the scenario (default fixed; ./lab help lists them)")
  private String scenario;

  private final PrintStream out;
  private final PrintStream err;

  SamplingCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    int requests = Checks.range("requests", this.requests, 1, 100_000);
    int thresholdMs = Checks.range("threshold-ms", this.thresholdMs, 100, 20_000);
    Scenario scenario = Checks.scenario("scenario", this.scenario, Scenario.FIXED);
    Path json = DemoCommand.path(reportJson);
    int slowDelayMs = thresholdMs + 500;
    // decision_wait must cover the slow trace (its spans arrive slowDelay apart) plus export
    // delays; whole seconds, because the processor decides on a 1 s tick.
    Duration decisionWait = Duration.ofSeconds(Math.max(3, (slowDelayMs + 2000 + 999) / 1000));

    Optional<String> missing = CollectorTier.unavailableReason();
    if (missing.isPresent()) {
      err.println("lab: sampling needs the lab collector and Zipkin: " + missing.get());
      return 1;
    }

    long t0 = System.nanoTime();
    err.println(
        "starting the collector tier (Zipkin, tail-a, tail-b, LB collector) and the embedded lab...");
    int auditorPort = LocalHost.freePort();
    SamplingExperiment.Result result;
    CollectorTier.Builder tierConfig =
        CollectorTier.builder()
            .auditorOtlpEndpoint("http://127.0.0.1:" + auditorPort)
            .decisionWait(decisionWait)
            .latencyThresholdMs(thresholdMs)
            .samplingPercentage(1);
    Duration tierUp;
    Duration collectorsUp;
    Duration labUp;
    try (CollectorTier tier = tierConfig.start();
        LabEnvironment env =
            LabEnvironment.builder()
                .scenario(scenario)
                .ports(0, 0, 0, 0, auditorPort, 0)
                .quietWindow(
                    decisionWait) // > the slow order's gap between spans, like decision_wait
                .otlpEndpoint(tier.lbOtlpEndpoint())
                .start()) {
      tierUp = tier.startupTime();
      collectorsUp = tier.collectorsStartupTime();
      labUp = env.startupTime();
      err.printf(
          Locale.ROOT,
          "tier up in %.1f s (collectors healthy after %.1f s), lab up in %.1f s; Zipkin UI %s/zipkin/%n",
          secs(tierUp),
          secs(collectorsUp),
          secs(labUp),
          tier.zipkinUrl());
      result =
          new SamplingExperiment(env, tier)
              .concurrency(16)
              .slowDelayMs(slowDelayMs)
              .run(scenario, requests, true, true, new Progress(err, "baseline", requests));
    }
    double wall = secs(Duration.ofNanos(System.nanoTime() - t0));

    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            "Tail sampling, scenario %s: decision_wait %d s, policies errors | latency > %d ms | probabilistic 1%%",
            scenario.id(),
            decisionWait.toSeconds(),
            thresholdMs));
    lines.add(
        String.format(
            Locale.ROOT,
            "tier start-up %.1f s (collectors %.1f s, Zipkin last); %d baseline + 1 error + 1 slow (delayMs %d) orders sent in %.1f s%s; "
                + "decisions + export settled %.1f s later",
            secs(tierUp),
            secs(collectorsUp),
            requests,
            slowDelayMs,
            secs(result.sendTime()),
            result.failedRequests() == 0 ? "" : " (" + result.failedRequests() + " NOT accepted)",
            secs(result.settleTime())));
    lines.add("");
    String header =
        String.format(
            "%-9s | %5s | %5s | %10s | %s",
            "class", "sent", "kept", "kept share", "kept whole (1 trace, 6 spans in Zipkin)");
    lines.add("Kept by the tail samplers (read back from Zipkin's API):");
    lines.add(header);
    lines.add("-".repeat(header.length()));
    for (Kind k : Kind.values()) {
      ClassSummary c = result.classes().get(k);
      List<Outcome> kept = result.of(k).stream().filter(Outcome::kept).toList();
      long whole = kept.stream().filter(Outcome::complete).count();
      lines.add(
          String.format(
              Locale.ROOT,
              "%-9s | %5d | %5d | %9.2f%% | %s (%d/%d)",
              k.id(),
              c.sent(),
              c.kept(),
              c.keptShare() * 100,
              c.complete() ? "yes" : "NO",
              whole,
              kept.size()));
    }
    List<Outcome> fast = result.fastBaseline(thresholdMs);
    List<Outcome> slowBaseline =
        result.of(Kind.BASELINE).stream().filter(o -> !fast.contains(o)).toList();
    long fastKept = fast.stream().filter(Outcome::kept).count();
    lines.add(
        String.format(
            Locale.ROOT,
            "baseline split: %d of %d fast traces (<= %d ms) kept by the 1%% coin = %.2f%%; %d baseline traces were slower than %d ms"
                + " under load (queueing, consumer lag), %d of them kept by the latency policy",
            fastKept,
            fast.size(),
            thresholdMs,
            fast.isEmpty() ? 0.0 : 100.0 * fastKept / fast.size(),
            slowBaseline.size(),
            thresholdMs,
            slowBaseline.stream().filter(Outcome::kept).count()));
    lines.add("");
    for (Kind k : List.of(Kind.ERROR, Kind.SLOW)) {
      for (Outcome o : result.of(k)) {
        lines.add(
            String.format(
                "%s order %s (%d trace%s at the auditor):",
                k.id(), o.orderId(), o.fragments().size(), o.fragments().size() == 1 ? "" : "s"));
        for (Fragment f : o.fragments()) {
          lines.add("  " + describe(f));
        }
      }
    }
    lines.add("");
    lines.add(
        "Routing by trace id (each tail's file exporters: every span received / every span kept):");
    for (SamplingExperiment.Instance i : result.instances()) {
      long ofRun = i.receivedTraceIds().stream().filter(result.runTraceIds()::contains).count();
      lines.add(
          String.format(
              "  %-7s received %5d trace ids (%d of this run), kept %d",
              i.name(), i.receivedTraceIds().size(), ofRun, i.sampledTraceIds().size()));
    }
    lines.add(
        String.format(
            "  trace ids in both instances: %d%s (of %d traces)",
            result.tracesInBothInstances().size(),
            result.tracesInBothInstances().isEmpty() ? "" : " " + result.tracesInBothInstances(),
            result.runTraceIds().size()));
    lines.add("");
    lines.add("Tail-sampling metrics (Prometheus, since each tail started):");
    for (SamplingExperiment.Instance i : result.instances()) {
      lines.addAll(metricLines(i));
    }
    lines.add("");
    lines.add(
        String.format(
            Locale.ROOT, "sampling wall time %.1f s (lab start-up %.1f s)", wall, secs(labUp)));
    lines.forEach(out::println);

    if (json != null) {
      try {
        Files.writeString(
            json,
            new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(report(result)));
        err.println("wrote " + json);
      } catch (IOException e) {
        err.println("lab: cannot write report: " + e.getMessage());
        return 1;
      }
    }
    return result.failedRequests() == 0 ? 0 : 1;
  }

  static String describe(Fragment f) {
    String services =
        f.zipkinSpanList().stream()
            .map(
                s ->
                    s.service()
                        + " "
                        + s.kind()
                        + " '"
                        + s.name()
                        + "'"
                        + (s.error() ? " ERROR" : ""))
            .collect(Collectors.joining(", "));
    return String.format(
        "trace %s: %d span%s at the auditor%s -> %s",
        f.traceId(),
        f.auditorSpans(),
        f.auditorSpans() == 1 ? "" : "s",
        f.auditorError() ? " (ERROR)" : "",
        f.kept()
            ? "KEPT, " + f.zipkinSpans() + " in Zipkin: " + services
            : "not kept (Zipkin 404)");
  }

  @SuppressWarnings("unchecked")
  static List<String> metricLines(SamplingExperiment.Instance i) {
    Map<String, Object> m = i.metrics();
    List<String> lines = new ArrayList<>();
    Map<String, Map<String, Long>> perPolicy =
        (Map<String, Map<String, Long>>) m.get("count_traces_sampled");
    String policies =
        perPolicy.entrySet().stream()
            .map(
                e ->
                    e.getKey()
                        + " "
                        + e.getValue().get("sampled")
                        + " sampled/"
                        + e.getValue().get("notSampled")
                        + " not")
            .collect(Collectors.joining(", "));
    Map<String, Long> global = (Map<String, Long>) m.get("global_count_traces_sampled");
    lines.add(String.format("  %-7s count_traces_sampled: %s", i.name(), policies));
    lines.add(
        String.format(
            "  %-7s global_count_traces_sampled: %d sampled, %d not; traces_on_memory %d; "
                + "trace_dropped_too_early %d; new_trace_id_received %d",
            "",
            global.get("sampled"),
            global.get("notSampled"),
            count(m, "sampling_traces_on_memory"),
            count(m, "sampling_trace_dropped_too_early"),
            count(m, "new_trace_id_received")));
    return lines;
  }

  /** A counter of {@link SamplingExperiment.Instance#metrics()} (a number stored as Object). */
  private static long count(Map<String, Object> metrics, String key) {
    return ((Number) metrics.get(key)).longValue();
  }

  /**
   * Exactly the schema in docs/sampling.md; "traceIds" is the number of trace ids an instance
   * received.
   */
  static Map<String, Object> report(SamplingExperiment.Result r) {
    Map<String, Object> doc = new LinkedHashMap<>();
    ClassSummary b = r.classes().get(Kind.BASELINE);
    Map<String, Object> baseline = new LinkedHashMap<>();
    baseline.put("sent", b.sent());
    baseline.put("kept", b.kept());
    baseline.put("keptShare", b.keptShare());
    doc.put("baseline", baseline);
    for (Kind k : List.of(Kind.ERROR, Kind.SLOW)) {
      ClassSummary c = r.classes().get(k);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sent", c.sent());
      m.put("kept", c.kept());
      m.put("complete", c.complete());
      doc.put(k.id(), m);
    }
    List<Map<String, Object>> instances = new ArrayList<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    for (SamplingExperiment.Instance i : r.instances()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", i.name());
      m.put("traceIds", i.receivedTraceIds().size());
      instances.add(m);
      metrics.put(i.name(), i.metrics());
    }
    doc.put("instances", instances);
    doc.put("tracesInBothInstances", r.tracesInBothInstances().size());
    doc.put("collectorMetrics", metrics);
    return doc;
  }

  private static double secs(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
