package dev.tracelab.cli;

import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import java.io.PrintStream;
import java.util.List;

/** {@code ./lab trace}: one request; every fragment of it, each under its own trace id. */
final class TraceCommand {

  private TraceCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args = Args.parseWithLanguages(argv, "scenario", "dump-spans");
    Implementations implementations = args.implementations();
    Scenario scenario = args.scenario("scenario", Scenario.FIXED);
    SpanDumps dumps = SpanDumps.of(args.string("dump-spans", null) == null ? null : java.nio.file.Path.of(args.string("dump-spans", null)), false);
    LabEnvironment.Builder envBuilder = LabEnvironment.builder().implementations(implementations).scenario(scenario);
    if (dumps != null) {
      envBuilder.onSpansReceived(dumps);
      dumps.startRun(scenario.id());
    }
    try (dumps; LabEnvironment env = envBuilder.start()) {
      ScenarioRunner.Result result = new ScenarioRunner(env, 1).run(scenario, 1, n -> { });
      if (result.orderIds().isEmpty()) {
        err.println("lab: the gateway did not accept the request");
        return 1;
      }
      String orderId = result.orderIds().get(0);
      List<AssembledTrace> traces = env.auditor().tracesOfOrder(orderId);
      String verdict = result.report().connectedRequests() == 1 ? "connected"
          : result.report().linkedRequests() == 1 ? "linked: span links join the traces along the flow"
          : "fragments: lineage broke";
      out.printf("scenario %s on %s, order %s: %d trace%s (%s)%n", scenario.id(), implementations.label(), orderId,
          traces.size(), traces.size() == 1 ? "" : "s", verdict);
      for (AssembledTrace t : traces) {
        out.println();
        SpanTree.render(t.traceId(), t.spans()).forEach(out::println);
      }
      result.report().diagnoses().forEach(d ->
          out.printf("%ndiagnosis: %s boundary at %s '%s'. %s%n", d.boundary(), d.service(), d.span(), d.fix()));
    }
    return 0;
  }
}
