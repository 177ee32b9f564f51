// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ./lab}'s parsing: generated help (exit 0), bad usage in one line (exit 2). */
class LabTest {

  private record Ran(int exit, String out, String err) {}

  private static Ran lab(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Lab.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Ran(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpListsTheCommandsTheScenariosAndTheDefects() {
    for (String[] args :
        List.of(new String[] {"help"}, new String[] {"--help"}, new String[] {"-h"})) {
      Ran r = lab(args);
      assertThat(r.exit()).isZero();
      assertThat(r.err()).isEmpty();
      assertThat(r.out())
          .startsWith("Usage: ./lab [-h] [--offline] <command>")
          .contains("  demo ", "  gate ", "  audit ", "  exercise ", "  bench ")
          .contains("scenarios: " + dev.tracelab.flow.Scenario.ids().substring(0, 10))
          .contains("defects (docs/orphans.md; switch each on alone):");
      for (dev.tracelab.flow.Defect d : dev.tracelab.flow.Defects.ALL) {
        assertThat(r.out()).contains("  " + d.id() + " ");
      }
    }
  }

  @Test
  void eachCommandHasItsGeneratedHelp() {
    assertThat(lab("demo", "--help").out())
        .startsWith("Usage: ./lab demo ")
        .contains("--requests=N", "--matrix", "--gateway-lang=java|go", "--dump-spans=F");
    assertThat(lab("help", "gate").out()).startsWith("Usage: ./lab gate ");
    assertThat(lab("bench", "scale", "--help").out())
        .startsWith("Usage: ./lab bench scale ")
        .contains("--auditors=N");
    assertThat(lab("exercise", "solution", "-h").out())
        .startsWith("Usage: ./lab exercise solution ");
    assertThat(lab("audit", "--help").out())
        .startsWith("Usage: ./lab audit ")
        .contains("--spec=F|lab", "--listen", "merge");
    for (String[] args :
        List.of(
            new String[] {"up", "--help"},
            new String[] {"load", "--help"},
            new String[] {"trace", "--help"},
            new String[] {"sampling", "--help"},
            new String[] {"chaos", "--help"},
            new String[] {"longrun", "--help"},
            new String[] {"screenshot", "--help"},
            new String[] {"bench", "--help"},
            new String[] {"bench", "ingest", "--help"},
            new String[] {"bench", "overhead", "--help"},
            new String[] {"exercise", "--help"},
            new String[] {"audit", "merge", "--help"})) {
      Ran r = lab(args);
      assertThat(r.exit()).as(String.join(" ", args)).isZero();
      assertThat(r.out()).startsWith("Usage: ./lab " + args[0]);
    }
  }

  @Test
  void badUsageIsOneLineOnStderrAndExit2() {
    assertOneLine(lab("demo", "--bogus"), "lab: unknown option '--bogus' (./lab demo --help)");
    assertOneLine(lab("foo"), "lab: unknown command 'foo' (./lab --help)");
    assertOneLine(lab(), "lab: " + Lab.MISSING_COMMAND);
    assertOneLine(
        lab("gate", "--requests", "0"), "lab: --requests must be between 1 and 100000, was 0");
    assertOneLine(lab("gate", "--scenario", "nope"), null);
    assertOneLine(
        lab("gate", "--requests", "x"),
        "lab: --requests must be an integer, was 'x' (./lab gate --help)");
    assertOneLine(
        lab("gate", "--max-orphan-rate=x"),
        "lab: --max-orphan-rate must be a number, was 'x' (./lab gate --help)");
    assertOneLine(lab("gate", "--requests"), "lab: --requests needs a value (./lab gate --help)");
    assertOneLine(lab("trace", "extra"), "lab: unexpected argument 'extra' (./lab trace --help)");
    assertOneLine(lab("bench"), null);
    assertOneLine(lab("exercise", "frob"), null);
    assertOneLine(lab("audit", "--bogus"), "audit: unknown option '--bogus' (./lab audit --help)");
    assertOneLine(
        lab("audit", "--max-orphan-rate", "2", "--entry", "web:SERVER", "x.json"),
        "audit: --max-orphan-rate must be a number from 0 to 1, was '2'");
  }

  private static void assertOneLine(Ran r, String expected) {
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList()).hasSize(1);
    if (expected == null) {
      assertThat(r.err()).startsWith(r.err().startsWith("audit: ") ? "audit: " : "lab: ");
    } else {
      assertThat(r.err()).isEqualTo(expected + "\n");
    }
  }

  /** The command lines of README.md and docs/*.md (their shortest or an example form) parse. */
  @Test
  void documentedCommandLinesParse() {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    for (String line :
        List.of(
            "audit --entry frontend:SERVER spans.jsonl",
            "audit --listen --entry frontend:SERVER",
            "audit --spec lab s.jsonl",
            "audit --spec shop.yaml --max-orphan-rate 0.001 --junit target/tracelab-audit.xml",
            "audit merge --entry frontend:SERVER --junit audit.xml a1.json a2.json a3.json",
            "audit --spec lab --polyglot --mesh --gateway-lang go s.jsonl",
            "bench ingest --report-json F --seconds 5 --warmup 1 --connections 2 --decision-wait 2s"
                + " --auditor-jvm -Xmx1g --auditor-only",
            "bench overhead --polyglot --pairs 2 --report-json F --requests 100 --concurrency 4"
                + " --warmup 10 --service-jvm -Xmx256m",
            "bench scale --auditors 3 --report-json F --seconds 5 --connections 2 --quiet-ms 500",
            "chaos --compose --project p --rate 5 --seconds 10 --downtime 2 --report-json chaos.json",
            "demo --instrumentation agent --worker-lang node --requests 50",
            "demo --matrix --report-json F --report-md F --report-html F --dump-spans F",
            "demo --mesh --polyglot",
            "demo --requests=20 --offline",
            "exercise check http",
            "exercise reset",
            "exercise solution kafka --apply",
            "exercise start --lang java --boundaries http,kafka",
            "exercise status",
            "gate --instrumentation agent --scenario broken-async --requests 20",
            "gate --mesh --scenario fixed --max-orphan-rate 0.05",
            "gate --scenario broken-http --dump-spans s.jsonl --consumer-lang go",
            "load --requests 10 --concurrency 2 --gateway-url http://127.0.0.1:8080",
            "longrun --consumer-lang go --decision-wait 6 --duration 15 --rate 10"
                + " --sampling-percentage 10 --report-json longrun.json",
            "sampling --requests 500 --threshold-ms 2000 --scenario broken-kafka --report-json s.json",
            "screenshot --out docs/img --requests 5",
            "trace --scenario all-broken --dump-spans F",
            "up --gateway broken --worker fixed --consumer linked --frontend leak --polyglot",
            "--offline sampling",
            "gate --requests 5 --requests 6")) {
      assertThatCode(() -> Lab.commandLine(sink, sink).parseArgs(line.split(" ")))
          .as(line)
          .doesNotThrowAnyException();
    }
  }
}
