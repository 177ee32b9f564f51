// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.env.tier.CollectorTier;
import dev.tracelab.experiments.longrun.LongRunExperiment;
import dev.tracelab.experiments.longrun.LongRunExperiment.Phase;
import dev.tracelab.experiments.longrun.LongRunExperiment.TailMemory;
import dev.tracelab.flow.Implementations;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * {@code ./lab longrun}: the long-running trace before and after its fix, on the real collector
 * tier with a production-shaped decision wait ({@link LongRunExperiment}); prints the table, writes
 * {@code {"before": R, "after": R}} with {@code --report-json}.
 */
@Command(
    name = "longrun",
    sortOptions = false,
    description = {
      "The long-running trace before and after its fix on the collector tier: late spans, trace"
          + " size, collector RSS.",
      "Options LANG (but --instrumentation): see ./lab help."
    })
final class LongrunCommand implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Option(
      names = "--decision-wait",
      paramLabel = "S",
      defaultValue = "30",
      description =
          "the tail samplers' decision_wait in seconds (1..600, default ${DEFAULT-VALUE})")
  private int decisionWait;

  @Option(
      names = "--duration",
      paramLabel = "S",
      defaultValue = "90",
      description = "seconds of orders per phase (1..3600, default ${DEFAULT-VALUE})")
  private int duration;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "20",
      description = "orders per second (1..500, default ${DEFAULT-VALUE})")
  private int rate;

  @Option(
      names = "--sampling-percentage",
      paramLabel = "P",
      defaultValue = "100",
      description = "the baseline kept, percent (0..100, default ${DEFAULT-VALUE})")
  private double samplingPercentage;

  @Option(names = "--report-json", paramLabel = "F", description = "{\"before\": R, \"after\": R}")
  private String reportJson;

  @Mixin private LanguageOptions lang;

  private final PrintStream out;
  private final PrintStream err;

  LongrunCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    if (lang.instrumentationGiven()) {
      throw new UsageException("longrun takes no --instrumentation (demo, up, gate and trace do)");
    }
    Implementations implementations = lang.implementations();
    int decisionWaitS = Checks.range("decision-wait", decisionWait, 1, 600);
    int durationS = Checks.range("duration", duration, 1, 3600);
    int rate = Checks.range("rate", this.rate, 1, 500);
    double percentage = Checks.range("sampling-percentage", samplingPercentage, 0, 100);
    Path json = DemoCommand.path(reportJson);

    Optional<String> missing = CollectorTier.unavailableReason();
    if (missing.isPresent()) {
      err.println("lab: longrun needs the lab collector and Zipkin: " + missing.get());
      return 1;
    }
    Duration decisionWait = Duration.ofSeconds(decisionWaitS);
    LongRunExperiment.Settings settings =
        new LongRunExperiment.Settings(
            decisionWait, Duration.ofSeconds(durationS), rate, percentage);
    err.printf(
        Locale.ROOT,
        "longrun: decision_wait %d s, %d s of %d orders/s per phase, baseline %s%%; about %d s in all%n",
        decisionWaitS,
        durationS,
        rate,
        fmt(percentage),
        2 * (durationS + decisionWaitS + 15) + 30);
    int auditorPort = LocalHost.freePort();
    LongRunExperiment.Result result;
    try (CollectorTier tier =
            CollectorTier.builder()
                .auditorOtlpEndpoint("http://127.0.0.1:" + auditorPort)
                .decisionWait(decisionWait)
                .samplingPercentage(percentage)
                .start();
        LabEnvironment env =
            LabEnvironment.builder()
                .implementations(implementations)
                .ports(0, 0, 0, 0, auditorPort, 0)
                .quietWindow(decisionWait) // collector parity
                .otlpEndpoint(tier.lbOtlpEndpoint())
                .start()) {
      result = new LongRunExperiment(env, tier, settings, err::println).run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("lab: longrun interrupted");
      return 1;
    }
    table(result, percentage, implementations).forEach(out::println);

    if (json != null) {
      try {
        Files.writeString(
            json,
            new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(withoutNaN(result.report())));
        err.println("wrote " + json);
      } catch (IOException e) {
        err.println("lab: cannot write report: " + e.getMessage());
        return 1;
      }
    }
    return 0;
  }

  static List<String> table(
      LongRunExperiment.Result r, double percentage, Implementations implementations) {
    List<String> lines = new ArrayList<>();
    LongRunExperiment.Settings s = r.settings();
    lines.add(
        String.format(
            Locale.ROOT,
            "Long-running trace on the collector tier: decision_wait %d s, %d s of %d orders/s per phase, baseline %s%%, %s",
            s.decisionWait().toSeconds(),
            s.duration().toSeconds(),
            s.rate(),
            fmt(percentage),
            implementations.label()));
    lines.add(
        "before = consumer lifecycle (one subscription span parents every process span);"
            + " after = consumer lifecycle-fixed (per-record trace, linked to the lifecycle start span)");
    lines.add("");
    String header =
        String.format(
            "%-6s | %8s | %10s | %13s | %-17s | %-20s | %-21s | %s",
            "phase",
            "accepted",
            "late spans",
            "largest trace",
            "traces kept whole",
            "tail peak RSS MiB a/b",
            "tail final RSS MiB a/b",
            "tail RSS slope MiB/min a/b");
    lines.add(header);
    lines.add("-".repeat(header.length()));
    for (Phase p : List.of(r.before(), r.after())) {
      lines.add(
          String.format(
              Locale.ROOT,
              "%-6s | %8d | %10d | %13d | %-17s | %-20s | %-21s | %s",
              p.name(),
              p.accepted(),
              p.lateSpans(),
              p.largestTraceSpans(),
              p.tracesKeptWhole() + " of " + p.accepted(),
              perTail(p, TailMemory::peakMiB),
              perTail(p, TailMemory::finalMiB),
              perTail(p, TailMemory::slopeMiBPerMin)));
    }
    lines.add("");
    for (Phase p : List.of(r.before(), r.after())) {
      LongRunExperiment.LargestTrace t = p.largestTrace();
      lines.add(
          String.format(
              Locale.ROOT,
              "%s: largest trace %s: %d spans received by the tails, %d kept; the auditor got %d"
                  + " (%d after it had closed the trace)",
              p.name(),
              t == null ? "-" : t.traceId(),
              t == null ? 0 : t.spans(),
              t == null ? 0 : t.keptSpans(),
              t == null ? 0 : t.auditorSpans(),
              t == null ? 0 : t.auditorLateSpans()));
      lines.add(
          String.format(
                  Locale.ROOT,
                  "%s: late spans %d (%d released on a cached 'sampled' decision, %d dropped on a"
                      + " cached 'not sampled' one); %d traces decided, sampled by policy %s; settled %.1f s after the traffic",
                  "",
                  p.lateSpans(),
                  p.lateSpansSampled(),
                  p.lateSpansDropped(),
                  p.tracesDecided(),
                  p.sampledByPolicy(),
                  p.settle().toMillis() / 1000.0)
              .replaceFirst("^: ", "        "));
    }
    lines.add(
        "RSS: VmRSS of each tail collector process every second; slope = least squares from one decision_wait"
            + " after the traffic started (decision buffer full) to its end.");
    return lines;
  }

  private static String perTail(Phase p, java.util.function.ToDoubleFunction<TailMemory> f) {
    return p.tails().stream().map(t -> fmt1(f.applyAsDouble(t))).collect(Collectors.joining(" / "));
  }

  private static String fmt1(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  @SuppressWarnings("unchecked")
  private static Object withoutNaN(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> copy = new java.util.LinkedHashMap<>();
      m.forEach((k, v) -> copy.put((String) k, withoutNaN(v)));
      return copy;
    }
    if (o instanceof Double d && d.isNaN()) {
      return null;
    }
    return o;
  }
}
