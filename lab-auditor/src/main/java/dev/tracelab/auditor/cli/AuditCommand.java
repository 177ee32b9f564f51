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
import java.io.PrintWriter;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code audit}: judges anyone's spans (docs/audit.md, docs/design.md §11). From files: exit 0 when
 * every service's orphan rate is at most the threshold, 1 when one is above, 2 for bad usage, a bad
 * spec or a bad file (one line naming file and position). With {@code --listen}: a long-running
 * auditor (OTLP/HTTP, OTLP/gRPC, the API) until Ctrl-C.
 */
@Command(
    name = "audit",
    abbreviateSynopsis = true,
    sortOptions = false,
    subcommands = AuditCommand.Merge.class,
    description = {
      "Judges anyone's spans (docs/audit.md): the orphan rate per service, the broken edges with the"
          + " side that must fix each, diagnoses.",
      "FILE: OTLP JSON or JSON Lines, Jaeger JSON, Zipkin v2 JSON (told by content; .gz too).",
      "With --listen: a long-running auditor (OTLP/HTTP, OTLP/gRPC, the API) until Ctrl-C.",
      "audit merge: the reports of several auditors behind a trace-id load balancer merged into"
          + " the report one auditor would have made."
    },
    footer = {
      "Exit: 0 every service at or under R (default 0.01), 1 over, 2 usage or a bad file/spec."
    })
public final class AuditCommand implements Callable<Integer> {

  private final PrintStream out;
  private final PrintStream err;

  @Mixin private Options o;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "this help")
  private boolean help;

  @Option(names = "--listen", description = "a long-running auditor instead of files, until Ctrl-C")
  private boolean listen;

  @Parameters(paramLabel = "FILE", arity = "0..*", description = "span files to judge")
  private List<String> files = new ArrayList<>();

  /** The command writing to {@code out} and {@code err}. */
  public AuditCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** A usage error: exit 2 with one line. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /**
   * Runs the command as the standalone auditor does ({@code java -jar lab-auditor.jar audit ...});
   * returns the exit code.
   */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new AuditCommand(out, err));
    cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cl.setOverwrittenOptionsAllowed(true); // an option given twice: the last one
    cl.setParameterExceptionHandler(new OneLineUsage("audit: "));
    return cl.execute(argv);
  }

  @Override
  public Integer call() {
    o.listen = listen;
    o.files = files;
    return judge(false);
  }

  /** {@code audit merge}: the reports of several auditors merged. */
  @Command(
      name = "merge",
      abbreviateSynopsis = true,
      sortOptions = false,
      description = {
        "The reports of several auditors behind a trace-id load balancer (--report-json, or GET"
            + " /api/report?pending=true): the report one auditor would have made."
      })
  static final class Merge implements Callable<Integer> {

    @ParentCommand private AuditCommand audit;

    @Mixin private Options o;

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "this help")
    private boolean help;

    @Parameters(paramLabel = "REPORT.json", arity = "0..*", description = "the auditors' reports")
    private List<String> files = new ArrayList<>();

    @Override
    public Integer call() {
      o.files = files;
      audit.o = o;
      return audit.judge(true);
    }
  }

  private int judge(boolean merge) {
    try {
      Judged judged = judgeBy(o);
      if (merge) {
        return merge(o, judged, out);
      }
      return o.listen ? listen(o, judged, out) : files(o, judged, out);
    } catch (UsageException | FlowSpecException | SpanFileException | IOException e) {
      err.println("audit: " + e.getMessage());
      return 2;
    }
  }

  /** The options of audit and audit merge, checked when used. */
  static final class Options {
    @Option(
        names = "--spec",
        paramLabel = "F|lab",
        description = "a flow spec (YAML file), or lab: the lab's own flow (with LANG)")
    String spec;

    @Option(
        names = "--entry",
        paramLabel = "SVC[:KIND],...",
        description = "the spans that may start a trace (without --spec: the entry points alone)")
    String entry;

    @Option(
        names = "--max-orphan-rate",
        paramLabel = "R",
        description = "exit 1 when a service's orphan rate is above R (0 to 1; default 0.01)")
    String maxOrphanRate;

    @Option(names = "--report-json", paramLabel = "F", description = "the report as JSON")
    String reportJson;

    @Option(names = "--report-md", paramLabel = "F", description = "the report as Markdown")
    String reportMd;

    @Option(
        names = "--report-html",
        paramLabel = "F",
        description = "the report as HTML, with the traces (span files only)")
    String reportHtml;

    @Option(names = "--junit", paramLabel = "F", description = "JUnit XML for CI")
    String junit;

    @Option(
        names = "--skew-ms",
        paramLabel = "MS",
        description = "clock skew tolerated between services (default 100)")
    String skewMs;

    @Option(
        names = "--max-lag-s",
        paramLabel = "S",
        description = "how late a span may arrive after its trace (default 600)")
    String maxLagS;

    @Option(
        names = "--max-traces",
        paramLabel = "N",
        description = "traces held at once (default 1000000 from files, 100000 with --listen)")
    String maxTraces;

    @Option(
        names = "--otlp-http-port",
        paramLabel = "P",
        description = "--listen: OTLP/HTTP port (default 4318)")
    String otlpHttpPort;

    @Option(
        names = "--otlp-grpc-port",
        paramLabel = "G",
        description = "--listen: OTLP/gRPC port (default 4317)")
    String otlpGrpcPort;

    @Option(
        names = "--api-port",
        paramLabel = "A",
        description = "--listen: API port (default 8090)")
    String apiPort;

    @Option(
        names = "--quiet-ms",
        paramLabel = "Q",
        description = "--listen: a trace is judged Q ms after its last span (default 30000)")
    String quietMs;

    @Option(
        names = "--bind",
        paramLabel = "HOST",
        description = "--listen: the address to listen on (default 0.0.0.0)")
    String bind;

    @Option(
        names = "--gateway-lang",
        paramLabel = "java|go",
        description = "--spec lab: the gateway's language")
    String gatewayLang;

    @Option(
        names = "--worker-lang",
        paramLabel = "java|node",
        description = "--spec lab: the worker's language")
    String workerLang;

    @Option(
        names = "--consumer-lang",
        paramLabel = "java|go",
        description = "--spec lab: the consumer's language")
    String consumerLang;

    @Option(names = "--polyglot", description = "--spec lab: go/node/go")
    boolean polyglot;

    @Option(names = "--mesh", description = "--spec lab: the worker behind an Envoy sidecar")
    boolean mesh;

    @Option(names = "--quiet", hidden = true)
    boolean quiet;

    boolean listen;
    List<String> files = List.of();

    int integer(String name, String v, int dflt, int min, int max) {
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
      String v = maxOrphanRate;
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
    String spec = o.spec;
    String entry = o.entry;
    if (spec == null && entry == null) {
      throw new UsageException(
          "give --spec F (a flow spec), --spec lab, or --entry SVC[:KIND],... (the spans that may start a trace)");
    }
    boolean lang =
        o.polyglot
            || o.mesh
            || o.gatewayLang != null
            || o.workerLang != null
            || o.consumerLang != null;
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
    boolean polyglot = o.polyglot;
    try {
      Implementations i =
          Implementations.of(
              Language.parse(o.gatewayLang != null ? o.gatewayLang : polyglot ? "go" : "java"),
              Language.parse(o.workerLang != null ? o.workerLang : polyglot ? "node" : "java"),
              Language.parse(o.consumerLang != null ? o.consumerLang : polyglot ? "go" : "java"));
      return o.mesh ? i.withMesh() : i;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static Auditor.Builder auditor(Options o, Judged judged) {
    return Auditor.builder()
        .setAuditMode(judged.mode(), judged.spec())
        .setEntryPoints(judged.extraEntryPoints())
        .setSkew(Duration.ofMillis(o.integer("skew-ms", o.skewMs, 100, 0, 600_000)))
        .setMaxLag(Duration.ofSeconds(o.integer("max-lag-s", o.maxLagS, 600, 1, 86_400)));
  }

  private static int files(Options o, Judged judged, PrintStream out)
      throws IOException, SpanFileException {
    if (o.files.isEmpty()) {
      throw new UsageException("no FILE to judge (or --listen for live OTLP)");
    }
    Map<String, String> listenOnly = new LinkedHashMap<>();
    listenOnly.put("otlp-http-port", o.otlpHttpPort);
    listenOnly.put("otlp-grpc-port", o.otlpGrpcPort);
    listenOnly.put("api-port", o.apiPort);
    listenOnly.put("quiet-ms", o.quietMs);
    listenOnly.put("bind", o.bind);
    for (Map.Entry<String, String> f : listenOnly.entrySet()) {
      if (f.getValue() != null) {
        throw new UsageException("--" + f.getKey() + " goes with --listen");
      }
    }
    double max = o.rate();
    int maxTraces = o.integer("max-traces", o.maxTraces, 1_000_000, 1, 10_000_000);
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
    if (o.listen) {
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
              Duration.ofMillis(o.integer("skew-ms", o.skewMs, 100, 0, 600_000)),
              Duration.ofSeconds(o.integer("max-lag-s", o.maxLagS, 600, 1, 86_400)));
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
    Map<String, String> filesOnly = new LinkedHashMap<>();
    filesOnly.put("report-json", o.reportJson);
    filesOnly.put("report-md", o.reportMd);
    filesOnly.put("report-html", o.reportHtml);
    filesOnly.put("junit", o.junit);
    for (Map.Entry<String, String> f : filesOnly.entrySet()) {
      if (f.getValue() != null) {
        throw new UsageException(
            "--" + f.getKey() + " is for files; a listening auditor serves GET /api/report");
      }
    }
    Auditor auditor;
    try {
      auditor =
          auditor(o, judged)
              .setHost(o.bind == null ? "0.0.0.0" : o.bind)
              .setOtlpPort(o.integer("otlp-http-port", o.otlpHttpPort, 4318, 0, 65535))
              .setOtlpGrpcPort(o.integer("otlp-grpc-port", o.otlpGrpcPort, 4317, 0, 65535))
              .setApiPort(o.integer("api-port", o.apiPort, 8090, 0, 65535))
              .setQuietWindow(
                  Duration.ofMillis(o.integer("quiet-ms", o.quietMs, 30_000, 1, 3_600_000)))
              .setMaxTraces(o.integer("max-traces", o.maxTraces, 100_000, 1, 10_000_000))
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
    if (o.reportJson != null) {
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Files.writeString(
          Path.of(o.reportJson), json.writeValueAsString(report) + "\n", StandardCharsets.UTF_8);
    }
    if (o.reportMd != null) {
      Files.writeString(
          Path.of(o.reportMd), AuditMarkdown.render(report, max), StandardCharsets.UTF_8);
    }
    if (o.reportHtml != null && auditor == null) {
      throw new UsageException(
          "--report-html needs the traces: judge the span files, not merged reports");
    }
    if (o.reportHtml != null) {
      Files.writeString(
          Path.of(o.reportHtml),
          AuditHtml.render(
              report,
              max,
              id -> {
                AssembledTrace t = auditor.assembler().trace(id);
                return t == null ? List.of() : t.spans();
              }),
          StandardCharsets.UTF_8);
    }
    if (o.junit != null) {
      try (Writer w = Files.newBufferedWriter(Path.of(o.junit), StandardCharsets.UTF_8)) {
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
