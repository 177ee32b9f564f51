package dev.tracelab.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelab.auditor.orphans.FlowShape;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
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

/**
 * {@code ./lab demo}: one embedded environment, every scenario from all-broken to fixed, N
 * requests each, then the before/after table, the diagnoses and one connected span tree — every
 * number measured by the auditor.
 */
final class DemoCommand {

  static final List<Scenario> ORDER =
      List.of(Scenario.ALL_BROKEN, Scenario.BROKEN_HTTP, Scenario.BROKEN_PROPAGATORS, Scenario.BROKEN_ASYNC,
          Scenario.BROKEN_KAFKA, Scenario.LINKED_KAFKA, Scenario.FIXED);

  private DemoCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args = Args.parseWithLanguages(argv, "requests", "report-json", "report-md", "report-html");
    Implementations implementations = args.implementations();
    int requests = args.integer("requests", 200, 1, 100_000);
    Path json = path(args.string("report-json", null));
    Path md = path(args.string("report-md", null));
    Path html = path(args.string("report-html", null));

    long t0 = System.nanoTime();
    err.println("starting the embedded lab (Kafka KRaft broker, auditor, 3 services: " + implementations.label() + ")...");
    List<ScenarioRunner.Result> results = new ArrayList<>();
    List<HtmlReport.Section> sections = new ArrayList<>();
    Map<String, Object> example;
    List<String> tree;
    long startupMs;
    try (LabEnvironment env = LabEnvironment.builder().implementations(implementations).start()) {
      startupMs = env.startupTime().toMillis();
      err.printf(Locale.ROOT, "lab up in %.1f s (services: %s)%n", startupMs / 1000.0, startupTimes(env));
      ScenarioRunner runner = new ScenarioRunner(env, 8);
      for (Scenario scenario : ORDER) {
        ScenarioRunner.Result result = runner.run(scenario, requests, new Progress(err, scenario.id(), requests));
        result.incompleteWarning().ifPresent(err::println);
        results.add(result);
        sections.add(example(env, scenario, result));
      }
      ScenarioRunner.Result fixed = results.get(results.size() - 1);
      AssembledTrace connected = firstConnected(env, fixed);
      example = connected == null ? null : SpanTree.json(connected.traceId(), connected.spans());
      tree = connected == null ? List.of("(no connected request in the fixed run)") : SpanTree.render(connected.traceId(), connected.spans());
    }
    double wall = (System.nanoTime() - t0) / 1e9;

    List<String> lines = new ArrayList<>();
    lines.addAll(table(results, implementations));
    lines.add("");
    lines.addAll(diagnoses(results));
    lines.add("");
    lines.add("One connected request (fixed), as the auditor assembled it:");
    lines.addAll(tree);
    lines.add("");
    lines.addAll(latencies(results));
    lines.add("");
    lines.add(String.format(Locale.ROOT, "demo wall time %.1f s (lab start-up %.1f s), %d requests per scenario",
        wall, startupMs / 1000.0, requests));
    lines.forEach(out::println);

    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    List<Map<String, Object>> reports = results.stream().map(r -> scenarioJson(mapper, r)).toList();
    try {
      if (json != null) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tool", "tracelab");
        doc.put("version", Lab.version());
        doc.put("requests", requests);
        doc.put("implementations", implementations.ids());
        doc.put("scenarios", reports);
        doc.put("exampleTrace", example);
        Files.writeString(json, mapper.writeValueAsString(doc));
        err.println("wrote " + json);
      }
      if (md != null) {
        Files.writeString(md, "# tracelab demo\n\n```\n" + String.join("\n", lines) + "\n```\n");
        err.println("wrote " + md);
      }
      if (html != null) {
        String page = HtmlReport.render("tracelab demo: orphan spans before and after",
            String.format(Locale.ROOT, "%d requests per scenario, implementations %s (gateway/worker/consumer), tracelab %s;"
                + " every figure measured by the auditor", requests, implementations.label(), Lab.version()),
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
   * How fast the auditor judged each request: response -> all spans received, and response ->
   * verdict (the auditor closed the request's last trace), p50 and p99 per scenario.
   */
  static List<String> latencies(List<ScenarioRunner.Result> results) {
    List<String> lines = new ArrayList<>();
    lines.add("Response -> auditor verdict (its last trace closed; all spans received), per scenario:");
    for (ScenarioRunner.Result r : results) {
      lines.add(String.format(Locale.ROOT,
          "  %-18s verdict p50 %5.0f ms, p99 %5.0f ms   (all spans received p50 %5.0f ms, p99 %5.0f ms)",
          r.report().name(),
          r.percentile(r.verdictMs(), 50), r.percentile(r.verdictMs(), 99),
          r.percentile(r.receivedMs(), 50), r.percentile(r.receivedMs(), 99)));
    }
    return lines;
  }

  /** The scenario object of the report JSON plus how fast the verdicts came. */
  private static Map<String, Object> scenarioJson(ObjectMapper mapper, ScenarioRunner.Result r) {
    Map<String, Object> scenario = mapper.convertValue(r.report(), new TypeReference<LinkedHashMap<String, Object>>() {});
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
    env.serviceStartupTimes().forEach((role, d) -> parts.add(String.format(Locale.ROOT, "%s %s %d ms",
        role, env.implementations().languageOf(role).id(), d.toMillis())));
    return String.join(", ", parts);
  }

  static List<String> table(List<ScenarioRunner.Result> results, Implementations implementations) {
    List<String> lines = new ArrayList<>();
    String header = String.format(Locale.ROOT, "%-18s | %-21s | %-26s | %11s | %11s | %12s | %9s | %9s | %9s",
        "scenario", "impl (gw/worker/cons)", "variants (gw/worker/cons)", "gateway-svc", "worker-svc", "consumer-svc",
        "connected", "linked", "frag/req");
    lines.add("Orphan rate per service, measured by the auditor:");
    lines.add(header);
    lines.add("-".repeat(header.length()));
    for (ScenarioRunner.Result r : results) {
      ScenarioReport s = r.report();
      lines.add(String.format(Locale.ROOT, "%-18s | %-21s | %-26s | %10.1f%% | %10.1f%% | %11.1f%% | %8.1f%% | %8.1f%% | %9.2f",
          s.name(), implementations.label(),
          s.variants().get(Flow.GATEWAY) + "/" + s.variants().get(Flow.WORKER) + "/" + s.variants().get(Flow.CONSUMER),
          rate(s, Flow.GATEWAY), rate(s, Flow.WORKER), rate(s, Flow.CONSUMER),
          s.connectedRate() * 100, s.linkedRate() * 100, s.fragmentsPerRequest()));
    }
    return lines;
  }

  private static double rate(ScenarioReport s, String service) {
    ScenarioReport.ServiceFigures f = s.services().get(service);
    return f == null ? 0 : f.orphanRate() * 100;
  }

  static List<String> diagnoses(List<ScenarioRunner.Result> results) {
    List<String> lines = new ArrayList<>();
    lines.add("Diagnoses (which boundary broke, where the fix belongs):");
    for (ScenarioRunner.Result r : results) {
      ScenarioReport s = r.report();
      if (s.diagnoses().isEmpty()) {
        lines.add(s.linkedRequests() == 0
            ? String.format("  %-18s no orphans (%d of %d requests connected)", s.name(), s.connectedRequests(), s.requests())
            : String.format("  %-18s no orphans (%d of %d requests connected, %d linked)", s.name(),
                s.connectedRequests(), s.requests(), s.linkedRequests()));
        continue;
      }
      for (ScenarioReport.DiagnosisCount d : s.diagnoses()) {
        lines.add(String.format(Locale.ROOT, "  %-18s %-14s %-12s %-16s x%-5d %s",
            s.name(), d.boundary(), d.service(), "'" + d.span() + "'", d.count(), d.fix()));
      }
    }
    return lines;
  }

  /**
   * The scenario's figures and one of its requests as the auditor assembled it: the first whose
   * traces are all closed and hold every span of the flow, in as many traces as the scenario
   * must produce.
   */
  static HtmlReport.Section example(LabEnvironment env, Scenario scenario, ScenarioRunner.Result result) {
    dev.tracelab.flow.ExpectedFlow flow = env.runSetup(scenario.id()).flow();
    int fragments = scenario.expectedFragments(flow).size();
    for (String orderId : result.orderIds()) {
      List<AssembledTrace> traces = env.auditor().tracesOfOrder(orderId);
      if (traces.size() == fragments && traces.stream().allMatch(AssembledTrace::isClosed)
          && traces.stream().mapToInt(t -> t.spans().size()).sum() == flow.size()) {
        List<HtmlReport.Fragment> parts = traces.stream()
            .sorted(java.util.Comparator.comparingLong(t -> t.spans().stream()
                .mapToLong(dev.tracelab.auditor.trace.ReceivedSpan::startEpochNanos).min().orElse(0)))
            .map(t -> new HtmlReport.Fragment(t.traceId(), List.copyOf(t.spans())))
            .toList();
        return new HtmlReport.Section(result.report(), flow, orderId, parts);
      }
    }
    return new HtmlReport.Section(result.report(), flow, null, List.of());
  }

  private static AssembledTrace firstConnected(LabEnvironment env, ScenarioRunner.Result fixed) {
    for (String orderId : fixed.orderIds()) {
      List<AssembledTrace> traces = env.auditor().tracesOfOrder(orderId);
      if (FlowShape.isConnected(traces)) {
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
