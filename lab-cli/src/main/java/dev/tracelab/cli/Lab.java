// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code ./lab <command> [options]}: demo, up, load, gate, trace. Exit codes: 0 ok, 1 gate failed
 * or runtime failure, 2 bad usage (one-line message).
 */
public final class Lab {

  static final String USAGE =
      String.join(
          "\n",
          "usage: ./lab <command> [options]",
          "  demo     [--requests N] [--report-json F] [--report-md F] [--report-html F] [LANG | --matrix]  every scenario, before/after table",
          "  up       [--gateway V] [--worker V] [--consumer V] [--frontend F] [LANG]  run the lab and its page until Ctrl-C"
              + " (V = fixed|broken; F = fixed|leak|missing-entry: the run's requests start in the browser)",
          "  load     [--requests N] [--concurrency C] [--gateway-url U]       drive a running lab",
          "  gate     [--scenario S] [--requests N] [--max-orphan-rate R] [LANG]  exit 1 when a service's orphan rate > R",
          "  trace    [--scenario S] [LANG]                                  one request's span tree",
          "  sampling [--requests M] [--report-json F] [--threshold-ms T] [--scenario S]  tail sampling via the collector tier",
          "  chaos    [--compose [--project P]] [--rate R] [--seconds S] [--downtime D] [--report-json F]  faults under load: lost, duplicates, p99, recovery",
          "  exercise start [--lang java|go|node|all] [--boundaries B,...] | check [BOUNDARY] | solution BOUNDARY [--apply]",
          "           | reset | status  (BOUNDARY: "
              + String.join(", ", dev.tracelab.flow.Defects.exercises())
              + ")",
          "           fix each boundary yourself; check builds, tests, runs a scenario and hints (docs/workshop.md)",
          "  longrun  [--decision-wait S] [--duration S] [--rate N] [--sampling-percentage P] [--report-json F] [LANG]",
          "           the long-running trace before/after its fix on the collector tier: late spans, trace size, collector RSS",
          "  screenshot [--out DIR] [--requests N]                         PNGs of the HTML report, the page, Zipkin (Chromium)",
          "  bench    ingest [--report-json F] [--seconds S]              auditor vs the lab collector (tail sampling), one core each,",
          "           the same OTLP requests from one load generator: spans/s, ratio, heap (docs/scale.md)",
          "  bench    scale --auditors N [--report-json F] [--seconds S]   1 vs N auditors behind the collector's trace-id",
          "           load balancer, the same traffic; merged report == single one? exit 1 when not",
          "  bench    overhead [LANG] [--pairs P] [--report-json F]         the flow with the SDK on vs off (OTEL_SDK_DISABLED),",
          "           interleaved pairs: throughput and p99 ratios",
          "  audit    [--spec F | --spec lab | --entry SVC[:KIND],...] [--max-orphan-rate R] [--report-json F] [--report-md F]",
          "           [--report-html F] [--junit F] FILE...  judge anyone's spans (OTLP JSON/JSONL, Jaeger, Zipkin; docs/audit.md)",
          "           audit --listen [...]: a long-running auditor (OTLP/HTTP 4318, OTLP/gRPC 4317, API 8090) until Ctrl-C",
          "--dump-spans F (demo, gate, trace): every span the auditor received, as OTLP JSON Lines (demo: one file per scenario)",
          "--offline (any command): never fetch an optional part (Zipkin jar, collector build, Envoy); also TRACELAB_OFFLINE=1",
          "LANG (each service's implementation; default java): [--gateway-lang java|go] [--worker-lang java|node]",
          "     [--consumer-lang java|go] [--polyglot]  (--polyglot = go/node/go; Go 1.26+ and Node.js 20.6+, built on first use)",
          "--matrix (demo): every scenario on java/java/java, go/java/java, java/node/java, java/java/go and go/node/go",
          "     [--mesh]  the gateway -> worker hop through a real Envoy sidecar (envoy-sidecar spans; demo: adds mesh rows",
          "               and the latency Envoy adds; needs compose/mesh/install-envoy.sh or TRACELAB_ENVOY_BIN)",
          "scenarios: " + dev.tracelab.flow.Scenario.ids(),
          "defects (docs/orphans.md; switch each on alone):",
          defects());

  /** One line per defect of the catalog: its id and its switch. */
  private static String defects() {
    StringBuilder sb = new StringBuilder();
    for (dev.tracelab.flow.Defect d : dev.tracelab.flow.Defects.ALL) {
      if (!sb.isEmpty()) {
        sb.append('\n');
      }
      sb.append(String.format("  %-15s %s", d.id(), d.switchText()));
      if (d.scenario() != null) {
        sb.append("; scenario ").append(d.scenario());
      }
      if (d.exercise() != null) {
        sb.append("; exercise ").append(d.exercise());
      }
    }
    return sb.toString();
  }

  private Lab() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println(
          "lab: missing command (demo, up, load, gate, trace, audit, sampling, chaos, longrun, exercise, screenshot, bench; ./lab help)");
      return 2;
    }
    if (args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      out.println(USAGE);
      return 0;
    }
    // --offline (any command): optional parts are not fetched (also TRACELAB_OFFLINE=1)
    boolean offlineFlag = Arrays.asList(args).contains("--offline");
    String[] rest =
        Arrays.stream(args, 1, args.length)
            .filter(a -> !a.equals("--offline"))
            .toArray(String[]::new);
    dev.tracelab.env.Steps.listen(new Progress.Steps(err)); // builds on first use, with their time
    try {
      OptionalParts.ensure(
          args[0], OptionalParts.needed(args[0], rest), OptionalParts.offline(offlineFlag), err);
      return switch (args[0]) {
        case "demo" -> DemoCommand.run(rest, out, err);
        case "up" -> UpCommand.run(rest, out, err);
        case "load" -> LoadCommand.run(rest, out, err);
        case "gate" -> GateCommand.run(rest, out, err);
        case "trace" -> TraceCommand.run(rest, out, err);
        case "sampling" -> SamplingCommand.run(rest, out, err);
        case "chaos" -> ChaosCommand.run(rest, out, err);
        case "exercise" -> ExerciseCommand.run(rest, out, err);
        case "longrun" -> LongrunCommand.run(rest, out, err);
        case "screenshot" -> ScreenshotCommand.run(rest, out, err);
        case "bench" -> BenchCommand.run(rest, out, err);
        case "audit" ->
            rest.length == 1 && (rest[0].equals("--help") || rest[0].equals("-h"))
                ? help(dev.tracelab.auditor.cli.AuditCommand.usage(), out)
                : dev.tracelab.auditor.cli.AuditCommand.run(rest, out, err);
        default -> throw new UsageException("unknown command '" + args[0] + "' (try ./lab help)");
      };
    } catch (UsageException e) {
      err.println("lab: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err.println("lab: " + args[0] + " failed: " + e.getMessage());
      return 1;
    }
  }

  private static int help(String usage, PrintStream out) {
    out.println(usage);
    return 0;
  }

  static String version() {
    String v = Lab.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
