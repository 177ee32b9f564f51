// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.experiments.bench.IngestWorkload;
import dev.tracelab.experiments.bench.ScaleBench;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./lab bench scale --auditors N [--report-json F] [--seconds S]} (docs/scale.md): the same
 * traffic with broken edges through the lab's collector ({@code load_balancing}, {@code
 * routing_key: traceID}) to one auditor and to N; the N reports merged and compared with the one.
 * Exit 0 when equal, 1 when not.
 */
@Command(
    name = "scale",
    sortOptions = false,
    description = {
      "The collector's load_balancing exporter (routing_key traceID, static resolver;"
          + " compose/collector/scale.yaml) in front of 1 auditor for S seconds (at most "
          + ScaleBench.MAX_REQUESTS
          + " requests), then of N auditors (audit --listen --spec lab, child JVMs) for the same"
          + " requests: lab traces with broken-http and broken-kafka edges across trace ids; the N"
          + " reports merged (as ./lab audit merge) and compared with the single one.",
      "JSON {single, merged, equal, singleSpansPerSec, scaledSpansPerSec}; exit 0 equal, 1 not."
    })
final class BenchScale implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Option(
      names = "--auditors",
      paramLabel = "N",
      description = "auditors behind the load balancer (2..16; required)")
  private Integer auditors;

  @Option(names = "--report-json", paramLabel = "F", description = "the result as JSON")
  private String reportJson;

  @Option(
      names = "--seconds",
      paramLabel = "S",
      defaultValue = "20",
      description = "seconds of traffic (1..600, default ${DEFAULT-VALUE})")
  private int seconds;

  @Option(
      names = "--connections",
      paramLabel = "C",
      defaultValue = "4",
      description = "the load generator's connections (1..64, default ${DEFAULT-VALUE})")
  private int connections;

  @Option(
      names = "--quiet-ms",
      paramLabel = "Q",
      defaultValue = "1000",
      description = "the auditors' quiet window in ms (100..60000, default ${DEFAULT-VALUE})")
  private int quietMs;

  private final PrintStream out;
  private final PrintStream err;

  BenchScale(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    if (this.auditors == null) {
      throw new UsageException("bench scale needs --auditors N (2..16)");
    }
    int auditors = Checks.range("auditors", this.auditors, 2, 16);
    int seconds = Checks.range("seconds", this.seconds, 1, 600);
    int connections = Checks.range("connections", this.connections, 1, 64);
    int quietMs = Checks.range("quiet-ms", this.quietMs, 100, 60_000);
    Path json = DemoCommand.path(reportJson);
    if (ScaleBench.unavailableReason() != null) {
      BenchCommand.buildCollector(err);
      String missing = ScaleBench.unavailableReason();
      if (missing != null) {
        err.println("bench scale: no collector: " + missing);
        return 1;
      }
    }
    ScaleBench.Result r =
        new ScaleBench()
            .auditors(auditors)
            .seconds(Duration.ofSeconds(seconds))
            .connections(connections)
            .quietMs(quietMs)
            .log(err)
            .run();
    out.print(table(r));
    if (json != null) {
      try {
        Files.writeString(json, json(r));
      } catch (IOException e) {
        err.println("lab: cannot write " + json + ": " + e.getMessage());
        return 1;
      }
    }
    return r.equal() ? 0 : 1;
  }

  static String table(ScaleBench.Result r) {
    StringBuilder b = new StringBuilder();
    IngestWorkload w = IngestWorkload.withBrokenEdges();
    long http = w.brokenHttpTraces(r.single().requests());
    long kafka = w.brokenKafkaTraces(r.single().requests());
    b.append(
        String.format(
            Locale.ROOT,
            "Scale: the collector's load_balancing exporter (routing_key traceID) in front of 1 auditor, then %d;"
                + " the same %d requests (%d spans; %d broken-http and %d broken-kafka traces); %s%n",
            r.scaled().auditors(),
            r.single().requests(),
            r.single().spans(),
            http,
            kafka,
            r.cpus()));
    b.append(
        "| side | auditors | spans/s | seconds | auditor CPU-s | collector CPU-s | traces | connected | broken edges (calls) | spans per auditor |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    row(b, r.single(), r.singleReport());
    row(b, r.scaled(), r.merged());
    b.append(
        String.format(
            Locale.ROOT,
            "scaled/single spans/s: %.2f%n",
            r.scaled().spansPerSec() / r.single().spansPerSec()));
    b.append("merged == single: ").append(r.equal()).append('\n');
    for (String d : r.differences()) {
      b.append("  differs: ").append(d).append('\n');
    }
    return b.toString();
  }

  private static void row(StringBuilder b, ScaleBench.Side s, AuditReport report) {
    StringBuilder edges = new StringBuilder();
    for (BrokenEdge e : report.brokenEdges()) {
      edges
          .append(edges.length() == 0 ? "" : ", ")
          .append(e.from())
          .append(" -> ")
          .append(e.to())
          .append(' ')
          .append(e.count());
    }
    b.append(
        String.format(
            Locale.ROOT,
            "| %s | %d | %.0f | %.1f | %.1f | %.1f | %d | %d | %s | %s |%n",
            s.auditors() == 1 ? "single" : "scaled (merged report)",
            s.auditors(),
            s.spansPerSec(),
            s.seconds(),
            s.auditorCpuSeconds(),
            s.collectorCpuSeconds(),
            report.traces(),
            report.connectedTraces(),
            edges.length() == 0 ? "none" : edges,
            s.spansPerAuditor()));
  }

  static String json(ScaleBench.Result r) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("single", r.singleReport());
    m.put("merged", r.merged());
    m.put("equal", r.equal());
    m.put("singleSpansPerSec", Math.round(r.single().spansPerSec()));
    m.put("scaledSpansPerSec", Math.round(r.scaled().spansPerSec()));
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m)
        + "\n";
  }
}
