// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.input.SpanFileException;
import dev.tracelab.auditor.input.SpanFiles;
import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.orphans.AuditMerge;
import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.report.AuditHtml;
import dev.tracelab.auditor.report.AuditJunit;
import dev.tracelab.auditor.report.AuditMarkdown;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.FlowSpecException;
import dev.tracelab.auditor.spec.FlowSpecYaml;
import dev.tracelab.auditor.spec.SpanSelector;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Language;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code audit}: judges anyone's spans (docs/audit.md, docs/design.md §11). From files: exit 0 when
 * every service's orphan rate is at most the threshold, 1 when one is above, 2 for bad usage, a bad
 * spec or a bad file (one line naming file and position). With {@code --listen}: a long-running
 * auditor (OTLP/HTTP, OTLP/gRPC, the API) until Ctrl-C.
 */
public final class AuditCommand {

  static final String USAGE =
      String.join(
          "\n",
          "usage: audit [--spec F | --spec lab [LANG] | --entry SVC[:KIND],...] [--max-orphan-rate R]",
          "             [--report-json F] [--report-md F] [--report-html F] [--junit F] [--skew-ms MS] FILE...",
          "       audit --listen [--spec F | --entry E] [--otlp-http-port P] [--otlp-grpc-port G] [--api-port A]",
          "             [--quiet-ms Q] [--bind HOST]",
          "       audit merge [--spec F | --entry E] [--report-json F] [...] REPORT.json...  (reports of several auditors",
          "             behind a trace-id load balancer: the report one auditor would have made)",
          "  FILE: OTLP JSON or JSON Lines, Jaeger JSON, Zipkin v2 JSON (told by content; .gz too)",
          "  --spec lab: the lab's own flow; LANG: --gateway-lang java|go --worker-lang java|node",
          "             --consumer-lang java|go --polyglot --mesh",
          "  exit: 0 every service at or under R (default 0.01), 1 over, 2 usage or a bad file/spec");

  private static final Set<String> VALUED =
      Set.of(
          "spec",
          "entry",
          "max-orphan-rate",
          "report-json",
          "report-md",
          "report-html",
          "junit",
          "skew-ms",
          "max-lag-s",
          "otlp-http-port",
          "otlp-grpc-port",
          "api-port",
          "quiet-ms",
          "bind",
          "gateway-lang",
          "worker-lang",
          "consumer-lang",
          "max-traces");
  private static final Set<String> FLAGS = Set.of("listen", "polyglot", "mesh", "quiet");

  private AuditCommand() {}

  /** The command's usage text. */
  public static String usage() {
    return USAGE;
  }

  /** A usage error: exit 2 with one line. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** Runs the command; returns the exit code. */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    if (argv.length == 1 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
      out.println(USAGE);
      return 0;
    }
    try {
      boolean merge = argv.length > 0 && argv[0].equals("merge");
      Options o = Options.parse(merge ? java.util.Arrays.copyOfRange(argv, 1, argv.length) : argv);
      Judged judged = judgeBy(o);
      if (merge) {
        return merge(o, judged, out);
      }
      return o.flags.contains("listen") ? listen(o, judged, out) : files(o, judged, out);
    } catch (UsageException e) {
      err.println("audit: " + e.getMessage());
      return 2;
    } catch (FlowSpecException | SpanFileException e) {
      err.println("audit: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("audit: " + e.getMessage());
      return 2;
    }
  }

  /** The options, checked. */
  private record Options(Map<String, String> values, Set<String> flags, List<String> files) {

    static Options parse(String[] argv) {
      Map<String, String> values = new LinkedHashMap<>();
      Set<String> flags = new LinkedHashSet<>();
      List<String> files = new ArrayList<>();
      for (int i = 0; i < argv.length; i++) {
        String a = argv[i];
        if (!a.startsWith("--")) {
          files.add(a);
          continue;
        }
        String name = a.substring(2);
        String value = null;
        int eq = name.indexOf('=');
        if (eq > 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (FLAGS.contains(name) && value == null) {
          flags.add(name);
        } else if (VALUED.contains(name)) {
          if (value == null) {
            if (i + 1 >= argv.length) {
              throw new UsageException("--" + name + " needs a value");
            }
            value = argv[++i];
          }
          values.put(name, value);
        } else {
          throw new UsageException("unknown option --" + name + " (./lab audit --help)");
        }
      }
      return new Options(values, flags, files);
    }

    String get(String name) {
      return values.get(name);
    }

    int integer(String name, int dflt, int min, int max) {
      String v = values.get(name);
      if (v == null) {
        return dflt;
      }
      try {
        int n = Integer.parseInt(v.trim());
        if (n >= min && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw new UsageException(
          "--" + name + " must be a whole number from " + min + " to " + max + ", was '" + v + "'");
    }

    double rate() {
      String v = values.get("max-orphan-rate");
      if (v == null) {
        return 0.01;
      }
      try {
        double r = Double.parseDouble(v.trim());
        if (r >= 0 && r <= 1) {
          return r;
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw new UsageException("--max-orphan-rate must be a number from 0 to 1, was '" + v + "'");
    }
  }

  /** What the spans are judged by: the spec, its mode, and entry points added with --entry. */
  private record Judged(String mode, FlowSpec spec, Set<String> extraEntryPoints) {}

  private static Judged judgeBy(Options o) throws FlowSpecException {
    String spec = o.get("spec");
    String entry = o.get("entry");
    if (spec == null && entry == null) {
      throw new UsageException(
          "give --spec F (a flow spec), --spec lab, or --entry SVC[:KIND],... (the spans that may start a trace)");
    }
    boolean lang =
        o.flags.contains("polyglot")
            || o.flags.contains("mesh")
            || o.values.keySet().stream().anyMatch(k -> k.endsWith("-lang"));
    if (lang && !"lab".equals(spec)) {
      throw new UsageException(
          "--gateway-lang, --worker-lang, --consumer-lang, --polyglot and --mesh go with --spec lab");
    }
    Set<String> entries = new LinkedHashSet<>();
    if (entry != null) {
      for (String e : entry.split(",")) {
        String t = e.trim();
        if (t.isEmpty()) {
          continue;
        }
        try {
          SpanSelector.parse(t);
        } catch (IllegalArgumentException ex) {
          throw new UsageException("--entry " + t + ": " + ex.getMessage());
        }
        entries.add(t);
      }
      if (entries.isEmpty()) {
        throw new UsageException("--entry needs at least one SVC[:KIND]");
      }
    }
    if (spec == null) {
      return new Judged(
          "entry",
          FlowSpec.entryOnly(entries.stream().map(SpanSelector::parse).toList()),
          Set.of());
    }
    if (spec.equals("lab")) {
      return new Judged("spec", LabFlowSpecs.of(labImplementations(o), Map.of()), entries);
    }
    Path file = Path.of(spec);
    if (!Files.isRegularFile(file)) {
      throw new UsageException(
          spec + ":1: no such file (--spec takes a flow spec YAML file, or lab)");
    }
    return new Judged("spec", FlowSpecYaml.read(file), entries);
  }

  private static Implementations labImplementations(Options o) {
    boolean polyglot = o.flags.contains("polyglot");
    try {
      Implementations i =
          Implementations.of(
              Language.parse(o.values.getOrDefault("gateway-lang", polyglot ? "go" : "java")),
              Language.parse(o.values.getOrDefault("worker-lang", polyglot ? "node" : "java")),
              Language.parse(o.values.getOrDefault("consumer-lang", polyglot ? "go" : "java")));
      return o.flags.contains("mesh") ? i.withMesh() : i;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static Auditor.Builder auditor(Options o, Judged judged) {
    return Auditor.builder()
        .setAuditMode(judged.mode(), judged.spec())
        .setEntryPoints(judged.extraEntryPoints())
        .setSkew(Duration.ofMillis(o.integer("skew-ms", 100, 0, 600_000)))
        .setMaxLag(Duration.ofSeconds(o.integer("max-lag-s", 600, 1, 86_400)));
  }

  private static int files(Options o, Judged judged, PrintStream out)
      throws IOException, SpanFileException {
    if (o.files.isEmpty()) {
      throw new UsageException("no FILE to judge (or --listen for live OTLP)");
    }
    for (String f : List.of("otlp-http-port", "otlp-grpc-port", "api-port", "quiet-ms", "bind")) {
      if (o.values.containsKey(f)) {
        throw new UsageException("--" + f + " goes with --listen");
      }
    }
    double max = o.rate();
    int maxTraces = o.integer("max-traces", 1_000_000, 1, 10_000_000);
    try (Auditor auditor =
        auditor(o, judged)
            .setMaxTraces(maxTraces)
            .setMaxClosedTraces(maxTraces)
            .setQuietWindow(Duration.ofDays(1))
            .build()) {
      long spans = 0;
      for (String name : o.files) {
        Path file = Path.of(name);
        if (!Files.isRegularFile(file)) {
          throw new UsageException(name + ":1:1: no such file");
        }
        List<ReceivedSpan> batch = new ArrayList<>(1024);
        long[] count = {0};
        SpanFiles.read(
            file,
            span -> {
              batch.add(span);
              count[0]++;
              if (batch.size() == 1024) {
                auditor.assembler().accept(batch);
                batch.clear();
              }
            });
        auditor.assembler().accept(batch);
        spans += count[0];
      }
      auditor.closeAll();
      AuditReport report = auditor.auditReport(true);
      writeReports(o, report, max, auditor);
      printSummary(out, report, max, spans, o.files.size());
      return report.servicesAbove(max).isEmpty() ? 0 : 1;
    }
  }

  private static int merge(Options o, Judged judged, PrintStream out) throws IOException {
    if (o.files.isEmpty()) {
      throw new UsageException(
          "merge needs the REPORT.json files of the auditors (--report-json, or GET /api/report?pending=true)");
    }
    if (o.flags.contains("listen")) {
      throw new UsageException("merge takes reports, not --listen");
    }
    ObjectMapper json =
        new ObjectMapper()
            .configure(
                com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                false);
    List<AuditReport> reports = new ArrayList<>();
    for (String name : o.files) {
      Path file = Path.of(name);
      if (!Files.isRegularFile(file)) {
        throw new UsageException(name + ":1:1: no such file");
      }
      try {
        reports.add(json.readValue(file.toFile(), AuditReport.class));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        throw new UsageException(
            name
                + ":"
                + (at == null ? 1 : at.getLineNr())
                + ":"
                + (at == null ? 1 : at.getColumnNr())
                + ": not an audit report: "
                + e.getOriginalMessage().lines().findFirst().orElse(""));
      }
    }
    AuditReport merged;
    try {
      merged =
          AuditMerge.merge(
              reports,
              judged.spec(),
              Duration.ofMillis(o.integer("skew-ms", 100, 0, 600_000)),
              Duration.ofSeconds(o.integer("max-lag-s", 600, 1, 86_400)));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    double max = o.rate();
    writeReports(o, merged, max, null);
    printSummary(out, merged, max, -1, 0);
    return merged.servicesAbove(max).isEmpty() ? 0 : 1;
  }

  private static int listen(Options o, Judged judged, PrintStream out) {
    if (!o.files.isEmpty()) {
      throw new UsageException("--listen takes no FILE (files are judged without it)");
    }
    for (String f : List.of("report-json", "report-md", "report-html", "junit")) {
      if (o.values.containsKey(f)) {
        throw new UsageException(
            "--" + f + " is for files; a listening auditor serves GET /api/report");
      }
    }
    Auditor auditor;
    try {
      auditor =
          auditor(o, judged)
              .setHost(o.values.getOrDefault("bind", "0.0.0.0"))
              .setOtlpPort(o.integer("otlp-http-port", 4318, 0, 65535))
              .setOtlpGrpcPort(o.integer("otlp-grpc-port", 4317, 0, 65535))
              .setApiPort(o.integer("api-port", 8090, 0, 65535))
              .setQuietWindow(Duration.ofMillis(o.integer("quiet-ms", 30_000, 1, 3_600_000)))
              .setMaxTraces(o.integer("max-traces", 100_000, 1, 10_000_000))
              .start();
    } catch (RuntimeException e) {
      throw new UsageException("cannot start: " + e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  auditor.closeAll(); // the input has ended: open traces are judged as they are
                  AuditReport report = auditor.auditReport();
                  auditor.close();
                  printSummary(out, report, o.rate(), -1, 0);
                  stopped.countDown();
                }));
    out.println("tracelab audit (" + judged.mode() + ": " + judged.spec().name() + ") listening:");
    out.println("  OTLP/HTTP " + auditor.otlpEndpoint() + "/v1/traces");
    out.println("  OTLP/gRPC " + auditor.otlpGrpcEndpoint());
    out.println(
        "  report    "
            + auditor.apiUrl()
            + "/api/report   metrics "
            + auditor.apiUrl()
            + "/metrics");
    out.println("  Ctrl-C to stop (the final report is printed)");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static void writeReports(Options o, AuditReport report, double max, Auditor auditor)
      throws IOException {
    if (o.get("report-json") != null) {
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Files.writeString(
          Path.of(o.get("report-json")),
          json.writeValueAsString(report) + "\n",
          StandardCharsets.UTF_8);
    }
    if (o.get("report-md") != null) {
      Files.writeString(
          Path.of(o.get("report-md")), AuditMarkdown.render(report, max), StandardCharsets.UTF_8);
    }
    if (o.get("report-html") != null && auditor == null) {
      throw new UsageException(
          "--report-html needs the traces: judge the span files, not merged reports");
    }
    if (o.get("report-html") != null) {
      Files.writeString(
          Path.of(o.get("report-html")),
          AuditHtml.render(
              report,
              max,
              id -> {
                AssembledTrace t = auditor.assembler().trace(id);
                return t == null ? List.of() : t.spans();
              }),
          StandardCharsets.UTF_8);
    }
    if (o.get("junit") != null) {
      try (Writer w = Files.newBufferedWriter(Path.of(o.get("junit")), StandardCharsets.UTF_8)) {
        AuditJunit.write(report, max, w);
      }
    }
  }

  /** The report for a terminal: services, broken edges with their fix, diagnoses, the verdict. */
  public static void printSummary(
      PrintStream out, AuditReport r, double max, long spans, int files) {
    out.printf(
        Locale.ROOT,
        "tracelab audit (%s: %s)%s: %d traces, %d connected%n",
        r.mode(),
        r.spec(),
        spans >= 0 ? String.format(Locale.ROOT, " of %d spans in %d file(s)", spans, files) : "",
        r.traces(),
        r.connectedTraces());
    if (r.requests() != null) {
      out.printf(
          Locale.ROOT,
          "requests (by correlation): %d, connected %.1f%%, linked %d, fragments per request %.2f%n",
          r.requests(),
          r.requests() == 0 ? 0.0 : 100.0 * r.connectedRequests() / r.requests(),
          r.linkedRequests(),
          r.fragmentsPerRequest());
    }
    int width =
        Math.max(8, r.services().keySet().stream().mapToInt(String::length).max().orElse(8));
    out.printf(
        Locale.ROOT,
        "%-" + width + "s  %8s  %12s  %14s  %11s%n",
        "service",
        "spans",
        "orphan roots",
        "missing parent",
        "orphan rate");
    for (Map.Entry<String, ScenarioReport.ServiceFigures> e : r.services().entrySet()) {
      ScenarioReport.ServiceFigures f = e.getValue();
      out.printf(
          Locale.ROOT,
          "%-" + width + "s  %8d  %12d  %14d  %10.1f%%%s%n",
          e.getKey(),
          f.spans(),
          f.orphanRoots(),
          f.missingParentOrphans(),
          f.orphanRate() * 100,
          f.orphanRate() > max ? "  <-- over" : "");
    }
    if (r.brokenEdges().isEmpty()) {
      out.println("broken edges: none");
    } else {
      out.println("broken edges:");
      for (BrokenEdge e : r.brokenEdges()) {
        out.printf(
            Locale.ROOT,
            "  %s%s: %d call(s); %s%n",
            e.label(),
            e.likely() ? " (likely)" : "",
            e.count(),
            e.evidence());
        out.println("    fix (" + e.side() + "): " + e.fix());
      }
    }
    for (ScenarioReport.DiagnosisCount d : r.diagnoses()) {
      out.printf(
          Locale.ROOT,
          "diagnosis %s: %s '%s' x%d: %s%n",
          d.boundary(),
          d.service(),
          d.span(),
          d.count(),
          d.fix());
    }
    List<String> over = r.servicesAbove(max);
    out.printf(
        Locale.ROOT,
        "verdict: %s (max orphan rate %.2f%%)%s%n",
        over.isEmpty() ? "PASS" : "FAIL",
        max * 100,
        over.isEmpty() ? "" : ": over it: " + String.join(", ", over));
  }
}
