// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelab.env.service.SourceTree;
import dev.tracelab.env.tier.BenchCollector;
import dev.tracelab.experiments.bench.IngestBench;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./lab bench ingest [--report-json F] [--seconds S]} (docs/scale.md): the auditor's ingest
 * next to the lab collector's, each on one core, the same OTLP requests from one load generator.
 * Builds the collector first when its binary is missing (a few minutes); when it cannot, says so
 * and measures the auditor alone.
 */
@Command(
    name = "bench",
    synopsisSubcommandLabel = "(ingest | scale | overhead)",
    description =
        "Benchmarks (docs/scale.md): the auditor's ingest, its scaling, the SDK's overhead.")
final class BenchCommand implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Override
  public Integer call() {
    throw new UsageException("bench needs one of: ingest, scale, overhead (./lab bench --help)");
  }

  /** {@code ./lab bench ingest}. */
  @Command(
      name = "ingest",
      sortOptions = false,
      description = {
        "The auditor (audit --listen --spec lab, a child JVM) and the lab collector (tail sampling,"
            + " compose/collector/bench.yaml), each pinned to one CPU, fed the same OTLP/HTTP"
            + " protobuf requests (20 traces of 6 spans each) by one load generator on the other"
            + " CPUs: spans/s, ratio, heap.",
        "JSON {auditorSpansPerSec, collectorSpansPerSec, ratio, spansPerTrace, cores}."
      })
  static final class Ingest implements Callable<Integer> {

    @Mixin private HelpOption help;

    @Option(names = "--report-json", paramLabel = "F", description = "the result as JSON")
    private String reportJson;

    @Option(
        names = "--seconds",
        paramLabel = "S",
        defaultValue = "20",
        description = "seconds measured per side (1..600, default ${DEFAULT-VALUE})")
    private int seconds;

    @Option(
        names = "--warmup",
        paramLabel = "S",
        defaultValue = "5",
        description = "seconds of warm-up (0..120, default ${DEFAULT-VALUE})")
    private int warmup;

    @Option(
        names = "--connections",
        paramLabel = "N",
        defaultValue = "4",
        description = "the load generator's connections (1..64, default ${DEFAULT-VALUE})")
    private int connections;

    @Option(
        names = "--decision-wait",
        paramLabel = "D",
        defaultValue = "2s",
        description = "the collector's decision_wait, like 2s or 500ms (default ${DEFAULT-VALUE})")
    private String decisionWait;

    @Option(
        names = "--auditor-jvm",
        paramLabel = "\"OPTS\"",
        description = "the auditor's JVM options")
    private String auditorJvm;

    @Option(names = "--auditor-only", description = "measure the auditor alone")
    private boolean auditorOnly;

    private final PrintStream out;
    private final PrintStream err;

    Ingest(PrintStream out, PrintStream err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public Integer call() {
      return ingest(this, out, err);
    }
  }

  BenchCommand() {}

  private static int ingest(Ingest args, PrintStream out, PrintStream err) {
    int seconds = Checks.range("seconds", args.seconds, 1, 600);
    int warmup = Checks.range("warmup", args.warmup, 0, 120);
    int connections = Checks.range("connections", args.connections, 1, 64);
    String decisionWait = args.decisionWait;
    if (!decisionWait.matches("\\d+(ms|s)")) {
      throw new UsageException("--decision-wait must be like 2s or 500ms, was " + decisionWait);
    }
    Path json = DemoCommand.path(args.reportJson);
    boolean collector = !args.auditorOnly;

    IngestBench bench =
        new IngestBench()
            .seconds(Duration.ofSeconds(seconds))
            .warmup(Duration.ofSeconds(warmup))
            .connections(connections)
            .decisionWait(decisionWait)
            .collector(collector)
            .log(err);
    String jvm = args.auditorJvm;
    if (jvm != null) {
      bench.auditorJvm(List.of(jvm.trim().split("\\s+")));
    }
    if (collector && BenchCollector.unavailableReason() != null) {
      buildCollector(err);
    }
    IngestBench.Result result = bench.run();
    out.print(table(result));
    if (json != null) {
      try {
        Files.writeString(json, json(result));
      } catch (IOException e) {
        err.println("lab: cannot write " + json + ": " + e.getMessage());
        return 1;
      }
    }
    return 0;
  }

  /**
   * Runs compose/collector/build-collector.sh (minutes on a cold cache); its failure is reported,
   * not fatal.
   */
  static void buildCollector(PrintStream err) {
    Path script;
    try {
      script = SourceTree.root().resolve("compose/collector/build-collector.sh");
    } catch (IllegalStateException e) {
      err.println(
          "bench ingest: no collector binary and no checkout to build it from ("
              + e.getMessage()
              + ")");
      return;
    }
    err.println(
        "bench ingest: no collector binary: building it with "
            + script
            + " (a few minutes the first time)...");
    try {
      Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          err.println("  " + line);
        }
      }
      int rc = p.waitFor();
      if (rc != 0) {
        err.println("bench ingest: the collector build failed (exit " + rc + ")");
      }
    } catch (IOException e) {
      err.println("bench ingest: cannot run " + script + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String table(IngestBench.Result r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Ingest, one core each: %d-span traces, %d per request, %d connection(s), %.0f s measured per side%n",
            r.spansPerTrace(),
            dev.tracelab.experiments.bench.IngestWorkload.TRACES_PER_REQUEST,
            r.connections(),
            r.seconds()));
    b.append(
        "| side | spans/s | spans per CPU-second | requests/s | refused | errors | spans counted by the server | heap after GC MiB | peak RSS MiB |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    row(b, r.auditor());
    if (r.collector() != null) {
      row(b, r.collector());
    }
    b.append(String.format(Locale.ROOT, "auditor: %s%n", r.auditor().note()));
    if (r.collector() != null) {
      b.append(String.format(Locale.ROOT, "collector: %s%n", r.collector().note()));
      b.append(String.format(Locale.ROOT, "ratio auditor/collector: %.2f%n", r.ratio()));
    } else {
      b.append("collector: not measured: ").append(r.collectorMissing()).append('\n');
    }
    return b.toString();
  }

  private static void row(StringBuilder b, IngestBench.Side s) {
    b.append(
        String.format(
            Locale.ROOT,
            "| %s | %.0f | %s | %.0f | %d | %d | %s | %s | %.0f |%n",
            s.name(),
            s.spansPerSec(),
            Double.isNaN(s.spansPerCpuSecond())
                ? "n/a"
                : String.format(Locale.ROOT, "%.0f", s.spansPerCpuSecond()),
            s.requestsPerSec(),
            s.refused(),
            s.errors(),
            s.serverSpans() < 0 ? "n/a" : Long.toString(s.serverSpans()),
            Double.isNaN(s.heapAfterGcMiB())
                ? "n/a"
                : String.format(Locale.ROOT, "%.0f", s.heapAfterGcMiB()),
            s.peakRssMiB()));
  }

  static String json(IngestBench.Result r) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("auditorSpansPerSec", Math.round(r.auditor().spansPerSec()));
    m.put(
        "collectorSpansPerSec",
        r.collector() == null ? null : Math.round(r.collector().spansPerSec()));
    m.put("ratio", r.ratio() == null ? null : Math.round(r.ratio() * 1000) / 1000.0);
    m.put("spansPerTrace", r.spansPerTrace());
    m.put("cores", r.cores());
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m)
        + "\n";
  }
}
