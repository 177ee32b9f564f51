// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.auditor.orphans.OrphanGate;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./lab gate}: run one scenario and fail (exit 1) when an orphan rate is above the
 * threshold.
 */
@Command(
    name = "gate",
    sortOptions = false,
    description = {
      "Runs one scenario; exit 1 when a service's orphan rate is above R (a CI gate).",
      "Options LANG: see ./lab help."
    })
final class GateCommand implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Option(
      names = "--scenario",
      paramLabel = "S",
      description = "the scenario (default fixed; ./lab help lists them)")
  private String scenario;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "200",
      description = "orders placed (1..100000, default ${DEFAULT-VALUE})")
  private int requests;

  @Option(
      names = "--max-orphan-rate",
      paramLabel = "R",
      description = "the highest orphan rate that passes, 0..1 (default 0.01)")
  private Double maxOrphanRate;

  @Mixin private DumpSpansOption dumpSpans;

  @Mixin private LanguageOptions lang;

  private final PrintStream out;
  private final PrintStream err;

  GateCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    Implementations implementations = lang.implementations();
    Scenario scenario = Checks.scenario("scenario", this.scenario, Scenario.FIXED);
    int requests = Checks.range("requests", this.requests, 1, 100_000);
    double max =
        Checks.range(
            "max-orphan-rate",
            maxOrphanRate == null ? OrphanGate.DEFAULT_MAX_ORPHAN_RATE : maxOrphanRate,
            0.0,
            1.0);
    OrphanGate.Verdict verdict;
    ScenarioRunner.Result result;
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
            + (lang.instrumentation() == dev.tracelab.flow.Instrumentation.AGENT
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
