// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.auditor.orphans.OrphanGate;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code ./lab gate}: run one scenario and fail (exit 1) when an orphan rate is above the
 * threshold.
 */
final class GateCommand {

  private GateCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args =
        Args.parseWithLanguages(argv, "scenario", "requests", "max-orphan-rate", "dump-spans");
    Implementations implementations = args.implementations();
    Scenario scenario = args.scenario("scenario", Scenario.FIXED);
    int requests = args.integer("requests", 200, 1, 100_000);
    double max = args.decimal("max-orphan-rate", OrphanGate.DEFAULT_MAX_ORPHAN_RATE, 0.0, 1.0);
    OrphanGate.Verdict verdict;
    ScenarioRunner.Result result;
    SpanDumps dumps =
        SpanDumps.of(
            args.string("dump-spans", null) == null
                ? null
                : java.nio.file.Path.of(args.string("dump-spans", null)),
            false);
    LabEnvironment.Builder envBuilder =
        LabEnvironment.builder()
            .implementations(implementations)
            .instrumentation(args.instrumentation())
            .scenario(scenario);
    if (dumps != null) {
      envBuilder.onSpansReceived(dumps);
      dumps.startRun(scenario.id());
    }
    try (dumps;
        LabEnvironment env = envBuilder.start()) {
      result =
          new ScenarioRunner(env, 8)
              .run(scenario, requests, new Progress(err, scenario.id(), requests));
      verdict = OrphanGate.evaluate(result.report(), max);
      result.incompleteWarning().ifPresent(err::println);
    }
    out.printf(
        Locale.ROOT,
        "gate %s: scenario %s on %s, %d requests, max orphan rate %.2f%%%n",
        verdict.passed() ? "PASSED" : "FAILED",
        scenario.id(),
        implementations.label()
            + (args.instrumentation() == dev.tracelab.flow.Instrumentation.AGENT
                ? " under the agent"
                : ""),
        requests,
        max * 100);
    verdict.lines().forEach(l -> out.println("  " + l));
    out.printf(
        Locale.ROOT,
        "  response -> auditor verdict p50 %.0f ms, p99 %.0f ms; scenario run %.1f s%n",
        result.percentile(result.verdictMs(), 50),
        result.percentile(result.verdictMs(), 99),
        result.wallTime().toMillis() / 1000.0);
    if (dumps != null) {
      dumps.report(err);
    }
    return verdict.passed() ? 0 : 1;
  }
}
