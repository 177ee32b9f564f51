// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.SpanSpec;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./lab trace}: one request; every fragment of it in flow order, each under its own trace id
 * and labelled with the flow's steps it holds (docs/design.md §2).
 */
@Command(
    name = "trace",
    sortOptions = false,
    description = {
      "One request's span tree: every fragment in flow order, each under its own trace id.",
      "Options LANG: see ./lab help."
    })
final class TraceCommand implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Option(
      names = "--scenario",
      paramLabel = "S",
      description = "the scenario (default fixed; ./lab help lists them)")
  private String scenario;

  @Mixin private DumpSpansOption dumpSpans;

  @Mixin private LanguageOptions lang;

  private final PrintStream out;
  private final PrintStream err;

  TraceCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    Implementations implementations = lang.implementations();
    Scenario scenario = Checks.scenario("scenario", this.scenario, Scenario.FIXED);
    SpanDumps dumps =
        SpanDumps.of(
            dumpSpans.file() == null ? null : java.nio.file.Path.of(dumpSpans.file()), false);
    LabEnvironment.Builder envBuilder =
        LabEnvironment.builder()
            .implementations(implementations)
            .instrumentation(lang.instrumentation())
            .scenario(scenario);
    if (dumps != null) {
      envBuilder.onSpansReceived(dumps);
      dumps.startRun(scenario.id());
    }
    try (dumps;
        LabEnvironment env = envBuilder.start()) {
      ScenarioRunner.Result result = new ScenarioRunner(env, 1).run(scenario, 1, n -> {});
      if (result.orderIds().isEmpty()) {
        err.println("lab: the gateway did not accept the request");
        return 1;
      }
      String orderId = result.orderIds().get(0);
      FlowSpec spec = env.runSetup(scenario.id()).spec();
      List<SpanTree.Fragment> traces =
          SpanTree.inFlowOrder(
              env.auditor().tracesOfOrder(orderId).stream().map(AssembledTrace::spans).toList(),
              spec);
      String verdict =
          result.report().connectedRequests() == 1
              ? "connected"
              : result.report().linkedRequests() == 1
                  ? "linked: span links join the traces along the flow"
                  : "fragments: lineage broke";
      out.printf(
          "scenario %s on %s%s, order %s: %d trace%s (%s)%n",
          scenario.id(),
          implementations.label(),
          env.instrumentation() == dev.tracelab.flow.Instrumentation.AGENT
              ? " under the agent"
              : "",
          orderId,
          traces.size(),
          traces.size() == 1 ? "" : "s",
          verdict);
      out.println(
          "fragments in flow order (the flow's steps each holds): "
              + String.join(" ", traces.stream().map(SpanTree.Fragment::label).toList()));
      for (SpanTree.Fragment f : traces) {
        out.println();
        SpanTree.render(f).forEach(out::println);
      }
      result.report().diagnoses().stream()
          .sorted(Comparator.comparingInt(d -> step(spec, d)))
          .forEach(
              d ->
                  out.printf(
                      "%ndiagnosis: %s boundary at %s '%s'. %s%n",
                      d.boundary(), d.service(), d.span(), d.fix()));
    }
    return 0;
  }

  /**
   * The position in the flow of the span a diagnosis names (after every listed span when the flow
   * lists none such).
   */
  private static int step(FlowSpec spec, ScenarioReport.DiagnosisCount d) {
    for (int i = 0; i < spec.spans().size(); i++) {
      SpanSpec s = spec.spans().get(i);
      if (s.service().equals(d.service()) && s.name().equalsIgnoreCase(d.span())) {
        return i;
      }
    }
    return Integer.MAX_VALUE;
  }
}
