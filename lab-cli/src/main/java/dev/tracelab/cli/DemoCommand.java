// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelab.auditor.orphans.FlowShape;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.mesh.EnvoySidecar;
import dev.tracelab.experiments.scenario.HopLatency;
import dev.tracelab.experiments.scenario.InstrumentationComparison;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Instrumentation;
import dev.tracelab.flow.Scenario;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./lab demo}: one embedded environment, every scenario from all-broken to fixed, N requests
 * each, then the before/after table, the diagnoses and one connected span tree — every number
 * measured by the auditor.
 */
@Command(
    name = "demo",
    sortOptions = false,
    description = {
      "Every scenario on the embedded lab, from all-broken to fixed: the before/after table, the"
          + " diagnoses and one connected span tree, every number measured by the auditor.",
      "Options LANG: see ./lab help."
    })
final class DemoCommand implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "200",
      description = "orders per scenario (1..100000, default ${DEFAULT-VALUE})")
  private int requests;

  @Option(names = "--report-json", paramLabel = "F", description = "the report as JSON")
  private String reportJson;

  @Option(names = "--report-md", paramLabel = "F", description = "the report as Markdown")
  private String reportMd;

  @Option(
      names = "--report-html",
      paramLabel = "F",
      description = "the report as one HTML page, with the span trees")
  private String reportHtml;

  @Option(
      names = "--matrix",
      description =
          "every scenario on java/java/java, go/java/java, java/node/java, java/java/go and"
              + " go/node/go")
  private boolean matrix;

  @Mixin private DumpSpansOption dumpSpans;

  @Mixin private LanguageOptions lang;

  static final List<Scenario> ORDER =
      List.of(
          Scenario.ALL_BROKEN,
          Scenario.BROKEN_HTTP,
          Scenario.BROKEN_PROPAGATORS,
          Scenario.BROKEN_ASYNC,
          Scenario.BROKEN_KAFKA,
          Scenario.LINKED_KAFKA,
          Scenario.FIXED);

  /**
   * The mesh rows: what the sidecar cannot repair (an app that does not propagate, the queue), and
   * fixed.
   */
  static final List<Scenario> MESH_ORDER =
      List.of(Scenario.BROKEN_HTTP, Scenario.BROKEN_KAFKA, Scenario.FIXED);

  private final PrintStream out;
  private final PrintStream err;

  DemoCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** One scenario run on one combination of implementations. */
  record Row(Implementations implementations, ScenarioRunner.Result result) {

    /** {@code java/java/java}, and {@code java/java/java agent} for a run under the agent. */
    String label() {
      return implementations.label()
          + ("agent".equals(result.report().instrumentation()) ? " agent" : "");
    }
  }

  @Override
  public Integer call() {
    Instrumentation instrumentation = lang.instrumentation();
    if (instrumentation == Instrumentation.AGENT && (matrix || lang.mesh())) {
      throw new UsageException(
          "--instrumentation agent compares one combination under sdk and agent; it takes no --matrix"
              + " or --mesh");
    }
    if (matrix && lang.choosesLanguages()) {
      throw new UsageException(
          "--matrix runs every combination; it takes no --polyglot or --<role>-lang");
    }
    Implementations chosen = lang.implementations();
    boolean mesh = chosen.mesh();
    if (mesh) {
      EnvoySidecar.require(); // a clear error before anything starts
    }
    List<Implementations> combinations =
        matrix ? Implementations.matrix() : List.of(chosen.without(Flow.SIDECAR));
    int requests = Checks.range("requests", this.requests, 1, 100_000);
    Path json = path(reportJson);
    Path md = path(reportMd);
    Path html = path(reportHtml);
    SpanDumps dumps = SpanDumps.of(path(dumpSpans.file()), true);

    long t0 = System.nanoTime();
    Implementations first = combinations.get(0);
    err.println(
        "starting the embedded lab (Kafka KRaft broker, auditor, 3 services: "
            + first.label()
            + ")...");
    List<Row> rows = new ArrayList<>();
    List<HtmlReport.Section> sections = new ArrayList<>();
    Map<String, Object> example;
    List<String> tree;
    List<String> meshTree = List.of();
    List<String> agentLines = List.of();
    List<String> hop = List.of();
    Map<String, Object> hopJson = null;
    long startupMs;
    LabEnvironment.Builder envBuilder = LabEnvironment.builder().implementations(first);
    if (dumps != null) {
      envBuilder.onSpansReceived(dumps);
    }
    try (dumps;
        LabEnvironment env = envBuilder.start()) {
      startupMs = env.startupTime().toMillis();
      err.printf(
          Locale.ROOT, "lab up in %.1f s (services: %s)%n", startupMs / 1000.0, startupTimes(env));
      ScenarioRunner runner = new ScenarioRunner(env, 8);
      for (Implementations implementations : combinations) {
        if (!env.implementations().equals(implementations)) {
          env.switchTo(implementations, ORDER.get(0));
          err.printf(
              Locale.ROOT,
              "services %s started (%s)%n",
              implementations.label(),
              startupTimes(env));
        }
        for (Scenario scenario : ORDER) {
          String label = matrix ? implementations.label() + " " + scenario.id() : scenario.id();
          if (dumps != null) {
            dumps.startRun(label);
          }
          ScenarioRunner.Result result =
              runner.run(scenario, requests, new Progress(err, label, requests));
          result.incompleteWarning().ifPresent(err::println);
          rows.add(new Row(implementations, result));
          sections.add(example(env, scenario, result));
        }
      }
      Row last = rows.get(rows.size() - 1);
      if (instrumentation == Instrumentation.AGENT) {
        agentLines = agentRuns(env, runner, rows, sections, requests, dumps, err);
      }
      ScenarioRunner.Result fixed = last.result();
      AssembledTrace connected =
          firstConnected(env, fixed, ExpectedFlow.of(last.implementations()));
      example = connected == null ? null : SpanTree.json(connected.traceId(), connected.spans());
      tree =
          connected == null
              ? List.of("(no connected request in the fixed run)")
              : SpanTree.render(connected.traceId(), connected.spans());
      if (mesh) {
        Implementations withMesh = last.implementations().withMesh();
        err.println("switching to the mesh: an Envoy sidecar in front of the worker...");
        env.switchTo(withMesh, Scenario.FIXED);
        for (Scenario scenario : MESH_ORDER) {
          if (dumps != null) {
            dumps.startRun(scenario.id() + " mesh");
          }
          ScenarioRunner.Result result =
              runner.run(scenario, requests, new Progress(err, scenario.id() + " +mesh", requests));
          result.incompleteWarning().ifPresent(err::println);
          rows.add(new Row(withMesh, result));
          sections.add(example(env, scenario, result));
        }
        ScenarioRunner.Result meshFixed = rows.get(rows.size() - 1).result();
        AssembledTrace meshConnected = firstConnected(env, meshFixed, ExpectedFlow.of(withMesh));
        meshTree =
            meshConnected == null
                ? List.of("(no connected request in the fixed run with the mesh)")
                : SpanTree.render(meshConnected.traceId(), meshConnected.spans());
        HopLatency without = HopLatency.of(env.auditor(), fixed.orderIds());
        HopLatency with = HopLatency.of(env.auditor(), meshFixed.orderIds());
        hop = HopLatency.compare(without, with);
        hopJson = new LinkedHashMap<>();
        hopJson.put("withoutMesh", without.json());
        hopJson.put("withMesh", with.json());
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    if (dumps != null) {
      dumps.report(err);
    }

    List<String> lines = new ArrayList<>();
    lines.addAll(table(rows));
    lines.add("");
    lines.addAll(diagnoses(rows));
    lines.add("");
    lines.add(
        "One connected request (fixed, "
            + combinations.get(combinations.size() - 1).label()
            + "), as the auditor assembled it:");
    lines.addAll(tree);
    lines.add("");
    if (mesh) {
      lines.add(
          "One connected request (fixed) through the Envoy sidecar: gateway CLIENT -> envoy-sidecar SERVER"
              + " -> envoy-sidecar CLIENT -> worker SERVER:");
      lines.addAll(meshTree);
      lines.add("");
      lines.addAll(hop);
      lines.add("");
    }
    if (!agentLines.isEmpty()) {
      lines.addAll(agentLines);
      lines.add("");
    }
    lines.addAll(latencies(rows));
    lines.add("");
    lines.add(
        String.format(
            Locale.ROOT,
            "demo wall time %.1f s (lab start-up %.1f s), %d requests per scenario%s",
            wall,
            startupMs / 1000.0,
            requests,
            matrix ? ", " + combinations.size() + " combinations" : ""));
    lines.forEach(out::println);

    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    List<Map<String, Object>> reports = rows.stream().map(r -> scenarioJson(mapper, r)).toList();
    try {
      if (json != null) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tool", "tracelab");
        doc.put("version", Lab.version());
        doc.put("requests", requests);
        if (matrix) {
          doc.put("matrix", combinations.stream().map(Implementations::ids).toList());
        } else {
          doc.put("implementations", first.ids());
        }
        doc.put("scenarios", reports);
        doc.put("exampleTrace", example);
        if (hopJson != null) {
          doc.put("meshHopLatency", hopJson);
        }
        Files.writeString(json, mapper.writeValueAsString(doc));
        err.println("wrote " + json);
      }
      if (md != null) {
        Files.writeString(md, markdown(lines));
        err.println("wrote " + md);
      }
      if (html != null) {
        String page =
            HtmlReport.render(
                "tracelab demo: orphan spans before and after",
                String.format(
                    Locale.ROOT,
                    "%d requests per scenario, implementations %s (gateway/worker/consumer), tracelab %s;"
                        + " every figure measured by the auditor",
                    requests,
                    combinations.stream()
                        .map(Implementations::label)
                        .collect(java.util.stream.Collectors.joining(", ")),
                    Lab.version()),
                sections);
        Files.writeString(html, page);
        err.println("wrote " + html + " (" + Files.size(html) + " bytes)");
      }
    } catch (IOException e) {
      err.println("lab: cannot write report: " + e.getMessage());
      return 1;
    }
    return 0;
  }

  /**
   * {@code --instrumentation agent}: measures the shape of every request of the sdk runs done so
   * far, switches the same services to the agent, runs every scenario again (its rows join {@code
   * rows}), and returns the agent's part of the output: one request of {@code fixed} under the
   * agent and the defect x {sdk, agent} table with its diagnoses.
   */
  private static List<String> agentRuns(
      LabEnvironment env,
      ScenarioRunner runner,
      List<Row> rows,
      List<HtmlReport.Section> sections,
      int requests,
      SpanDumps dumps,
      PrintStream err) {
    Map<Scenario, InstrumentationComparison.Measured> sdk = new LinkedHashMap<>();
    for (int i = 0; i < ORDER.size() && i < rows.size(); i++) {
      sdk.put(ORDER.get(i), InstrumentationComparison.measure(env.auditor(), rows.get(i).result()));
    }
    Implementations implementations = env.implementations();
    err.println(
        "switching to --instrumentation agent: the Java services as child JVMs under the"
            + " OpenTelemetry Java agent, the Node.js worker with its auto-instrumentations...");
    env.switchTo(Instrumentation.AGENT, ORDER.get(0));
    err.printf(Locale.ROOT, "services started under the agent (%s)%n", startupTimes(env));
    Map<Scenario, InstrumentationComparison.Measured> agent = new LinkedHashMap<>();
    for (Scenario scenario : ORDER) {
      String label = scenario.id() + " agent";
      if (dumps != null) {
        dumps.startRun(label);
      }
      ScenarioRunner.Result result =
          runner.run(scenario, requests, new Progress(err, label, requests));
      result.incompleteWarning().ifPresent(err::println);
      rows.add(new Row(implementations, result));
      sections.add(example(env, scenario, result));
      agent.put(scenario, InstrumentationComparison.measure(env.auditor(), result));
    }
    List<String> lines = new ArrayList<>();
    InstrumentationComparison.Measured fixed = agent.get(Scenario.FIXED);
    lines.add(
        "One request (fixed) under the agent: the traces that carry its app.order_id ("
            + fixed.withShape()
            + " of "
            + fixed.requests()
            + " requests had this shape):");
    fixed.shape().lines().forEach(l -> lines.add("  " + l));
    lines.add("");
    lines.addAll(
        InstrumentationComparison.table(
            InstrumentationComparison.compare(implementations, sdk, agent),
            implementations.label()));
    return lines;
  }

  /**
   * The Markdown report: what the terminal shows (the table with its broken edges and legend, the
   * diagnoses ...), verbatim.
   */
  static String markdown(List<String> lines) {
    return "# tracelab demo\n\n```\n" + String.join("\n", lines) + "\n```\n";
  }

  /**
   * How fast the auditor judged each request: response -> all spans received, and response ->
   * verdict (the auditor closed the request's last trace), p50 and p99 per scenario.
   */
  static List<String> latencies(List<Row> rows) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "Response -> auditor verdict (its last trace closed; all spans received), per scenario:");
    for (Row row : rows) {
      ScenarioRunner.Result r = row.result();
      lines.add(
          String.format(
              Locale.ROOT,
              "  %-14s %-18s verdict p50 %5.0f ms, p99 %5.0f ms   (all spans received p50 %5.0f ms, p99 %5.0f ms)",
              row.label(),
              r.report().name(),
              r.percentile(r.verdictMs(), 50),
              r.percentile(r.verdictMs(), 99),
              r.percentile(r.receivedMs(), 50),
              r.percentile(r.receivedMs(), 99)));
    }
    return lines;
  }

  /** The scenario object of the report JSON plus how fast the verdicts came. */
  private static Map<String, Object> scenarioJson(ObjectMapper mapper, Row row) {
    ScenarioRunner.Result r = row.result();
    Map<String, Object> scenario =
        mapper.convertValue(r.report(), new TypeReference<LinkedHashMap<String, Object>>() {});
    scenario.put("verdictP50Ms", round1(r.percentile(r.verdictMs(), 50)));
    scenario.put("verdictP99Ms", round1(r.percentile(r.verdictMs(), 99)));
    return scenario;
  }

  private static Double round1(double v) {
    return Double.isNaN(v) ? null : Math.round(v * 10) / 10.0;
  }

  /** Each service's start-up time in this lab (go/node: build check and launch to ready). */
  private static String startupTimes(LabEnvironment env) {
    List<String> parts = new ArrayList<>();
    env.serviceStartupTimes()
        .forEach(
            (role, d) ->
                parts.add(
                    String.format(
                        Locale.ROOT,
                        "%s %s %d ms",
                        role,
                        env.implementations().languageOf(role).id(),
                        d.toMillis())));
    return String.join(", ", parts);
  }

  /**
   * The before/after table: per scenario its variants, each participant's orphan %, connected %,
   * linked % and traces per request; under each broken row its broken edges and the side to fix
   * ({@link EdgeText}); under the table a one-line legend. At most 120 columns (the sidecar's
   * column included); several combinations of implementations are grouped, each under its label.
   */
  static List<String> table(List<Row> rows) {
    List<String> services = new ArrayList<>(Flow.SERVICES);
    if (rows.stream().anyMatch(r -> r.result().report().mesh())) {
      services.add(Flow.SIDECAR);
    }
    StringBuilder header =
        new StringBuilder(
            String.format(Locale.ROOT, "%-18s | %-20s", "scenario", "variants gw/wk/cons"));
    for (String service : services) {
      header
          .append(" | ")
          .append(
              String.format(Locale.ROOT, "%" + column(service).length() + "s", column(service)));
    }
    header.append(
        String.format(Locale.ROOT, " | %9s | %6s | %8s", "connected", "linked", "frag/req"));
    List<String> labels = rows.stream().map(Row::label).distinct().toList();
    List<String> lines = new ArrayList<>();
    lines.add(
        "Orphan % per service (its spans that are orphans), measured by the auditor"
            + (labels.size() == 1 ? ", on " + labels.get(0) + " (gateway/worker/consumer):" : ":"));
    lines.add(header.toString());
    lines.add("-".repeat(header.length()));
    String group = null;
    for (Row row : rows) {
      ScenarioReport s = row.result().report();
      String label = row.label();
      if (labels.size() > 1 && !label.equals(group)) {
        lines.add(label + ":");
        group = label;
      }
      StringBuilder line =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "%-18s | %-20s",
                  s.name(),
                  String.join("/", Flow.SERVICES.stream().map(s.variants()::get).toList())));
      for (String service : services) {
        int width = column(service).length();
        line.append(" | ")
            .append(
                s.services().containsKey(service)
                    ? String.format(Locale.ROOT, "%" + (width - 1) + ".1f%%", rate(s, service))
                    : String.format(Locale.ROOT, "%" + width + "s", "-"));
      }
      line.append(
          String.format(
              Locale.ROOT,
              " | %8.1f%% | %5.1f%% | %8.2f",
              s.connectedRate() * 100,
              s.linkedRate() * 100,
              s.fragmentsPerRequest()));
      lines.add(line.toString());
      EdgeText.of(s).forEach(edge -> lines.add("  broken edge: " + edge));
    }
    lines.add("-".repeat(header.length()));
    lines.add(EdgeText.LEGEND);
    return lines;
  }

  /**
   * A participant's column head: its name without {@code -svc}, at least as wide as {@code 100.0%}.
   */
  private static String column(String service) {
    String name = service.endsWith("-svc") ? service.substring(0, service.length() - 4) : service;
    return name.length() < 6 ? " ".repeat(6 - name.length()) + name : name;
  }

  private static double rate(ScenarioReport s, String service) {
    ScenarioReport.ServiceFigures f = s.services().get(service);
    return f == null ? 0 : f.orphanRate() * 100;
  }

  static List<String> diagnoses(List<Row> rows) {
    List<String> lines = new ArrayList<>();
    lines.add("Diagnoses (which boundary broke, where the fix belongs):");
    String last = null;
    for (Row row : rows) {
      ScenarioReport s = row.result().report();
      String label = row.label();
      if (!label.equals(last) && rows.stream().map(Row::label).distinct().count() > 1) {
        lines.add(" " + label + ":");
      }
      last = label;
      if (s.diagnoses().isEmpty()) {
        lines.add(
            s.linkedRequests() == 0
                ? String.format(
                    "  %-18s no orphans (%d of %d requests connected)",
                    s.name() + (s.mesh() ? " +mesh" : ""), s.connectedRequests(), s.requests())
                : String.format(
                    "  %-18s no orphans (%d of %d requests connected, %d linked)",
                    s.name(), s.connectedRequests(), s.requests(), s.linkedRequests()));
        continue;
      }
      for (ScenarioReport.DiagnosisCount d : s.diagnoses()) {
        lines.add(
            String.format(
                Locale.ROOT,
                "  %-18s %-14s %-12s %-16s x%-5d %s",
                s.name() + (s.mesh() ? " +mesh" : ""),
                d.boundary(),
                d.service(),
                "'" + d.span() + "'",
                d.count(),
                d.fix()));
      }
    }
    return lines;
  }

  /**
   * The scenario's figures and one of its requests as the auditor assembled it: the first whose
   * traces are all closed and hold every span of the flow, in as many traces as the scenario must
   * produce.
   */
  static HtmlReport.Section example(
      LabEnvironment env, Scenario scenario, ScenarioRunner.Result result) {
    dev.tracelab.flow.ExpectedFlow flow = dev.tracelab.flow.ExpectedFlow.of(env.implementations());
    int fragments = scenario.expectedFragments(flow).size();
    for (String orderId : result.orderIds()) {
      List<AssembledTrace> traces = env.auditor().tracesOfOrder(orderId);
      if (traces.size() == fragments
          && traces.stream().allMatch(AssembledTrace::isClosed)
          && traces.stream().mapToInt(t -> t.spans().size()).sum() == flow.size()) {
        List<HtmlReport.Fragment> parts =
            traces.stream()
                .sorted(
                    java.util.Comparator.comparingLong(
                        t ->
                            t.spans().stream()
                                .mapToLong(dev.tracelab.auditor.trace.ReceivedSpan::startEpochNanos)
                                .min()
                                .orElse(0)))
                .map(t -> new HtmlReport.Fragment(t.traceId(), List.copyOf(t.spans())))
                .toList();
        return new HtmlReport.Section(result.report(), flow, orderId, parts);
      }
    }
    return new HtmlReport.Section(result.report(), flow, null, List.of());
  }

  private static AssembledTrace firstConnected(
      LabEnvironment env, ScenarioRunner.Result fixed, ExpectedFlow flow) {
    for (String orderId : fixed.orderIds()) {
      List<AssembledTrace> traces = env.auditor().tracesOfOrder(orderId);
      if (FlowShape.isConnected(traces, env.runSetup("example").spec())) {
        return traces.get(0);
      }
    }
    return null;
  }

  static Path path(String value) {
    if (value == null) {
      return null;
    }
    Path p = Path.of(value);
    Path parent = p.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new UsageException("cannot write " + value + ": no directory " + parent);
    }
    return p;
  }
}
