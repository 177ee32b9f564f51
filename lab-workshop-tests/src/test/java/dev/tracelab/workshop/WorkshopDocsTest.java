// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.workshop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.env.service.SourceTree;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How {@link WorkshopRunTest} reads the docs (fast; runs in every {@code ./mvnw verify}): which
 * commands it finds, the form it runs, markers, and the expected exit codes of its learner model.
 */
class WorkshopDocsTest {

  @Test
  void findsCodeSpansTablesAndFencesInWorkshopMarkdown() {
    String md =
        String.join(
            "\n",
            "# title",
            "Learners run `./lab exercise check` later. <!-- workshop-test: skip (a mention) -->",
            "## Agenda",
            "| time | run |",
            "|---|---|",
            "| 0-10 | `./lab trace` then `./lab trace --scenario all-broken` |",
            "| 10-20 | `./lab exercise solution <boundary> --apply` |",
            "| 30-45 | edit the client, `./lab exercise check http` | FIXED |",
            "<!-- workshop-test: exit 1 -->",
            "Then `./lab gate --scenario broken-kafka`.",
            "```bash",
            "./lab exercise start --lang java     # a comment",
            "git status",
            "```",
            "Not a lab command: `git apply`.");
    List<WorkshopDocs.Command> c = WorkshopDocs.parse("w.md", md, false);
    assertThat(c)
        .extracting(WorkshopDocs.Command::text)
        .containsExactly(
            "./lab exercise check",
            "./lab trace",
            "./lab trace --scenario all-broken",
            "./lab exercise solution <boundary> --apply",
            "./lab exercise check http",
            "./lab gate --scenario broken-kafka",
            "./lab exercise start --lang java");
    assertThat(c.get(0).runs()).isFalse();
    assertThat(c.get(0).skipReason()).isEqualTo("a mention");
    assertThat(c.get(0).section()).isEqualTo("(top)");
    assertThat(c.get(1).section()).isEqualTo("Agenda");
    assertThat(c.get(1).line()).isEqualTo(6);
    assertThat(c.get(3).runs()).isFalse();
    assertThat(c.get(3).skipReason()).isEqualTo("a synopsis: placeholder <boundary>");
    assertThat(c.get(4).afterEdit()).isTrue();
    assertThat(c.get(3).afterEdit()).isFalse();
    assertThat(c.get(5).expectedExit()).isEqualTo(1);
    assertThat(c.get(5).runs()).isTrue();
    assertThat(c.get(6).runnable()).isEqualTo("./lab exercise start --lang java");
  }

  @Test
  void readmeCommandTablesGiveTheirSynopsesShortestForm() {
    String md =
        String.join(
            "\n",
            "Prose `./lab demo --polyglot` is not a table.",
            "| command | does |",
            "|---|---|",
            "| `./lab demo [--requests N] [LANG \\| --matrix]` | the table `./lab x` |",
            "| `./lab chaos [--compose [--project P]] [--rate R]` | faults <!-- workshop-test: skip (minutes of load) --> |",
            "| `./lab load --requests N --concurrency C` | drives |",
            "| `./lab exercise start [--lang L] \\| check [B] \\| reset` | exercise |",
            "",
            "| scenario | broken |",
            "|---|---|",
            "| `./lab gate` | not a command table |");
    List<WorkshopDocs.Command> c = WorkshopDocs.parse("README.md", md, true);
    assertThat(c)
        .extracting(WorkshopDocs.Command::runnable)
        .containsExactly("./lab demo", "./lab chaos", null, null);
    assertThat(c.get(1).skipReason()).isEqualTo("minutes of load");
    assertThat(c.get(2).skipReason()).isEqualTo("a synopsis: placeholder N");
    assertThat(c.get(3).skipReason()).isEqualTo("a synopsis of several commands (alternatives)");
  }

  @Test
  void theLearnerModelExpectsCheckToPassOnlyOnAppliedFixes() {
    WorkshopRunTest.Learner l = new WorkshopRunTest.Learner();
    assertThat(l.expectedExit("./lab gate --scenario fixed")).isZero();
    l.ran("./lab exercise start --lang java --boundaries http,async,kafka");
    // the fix files are the learner's stubs now: the fixed scenario runs them
    assertThat(l.expectedExit("./lab gate --scenario fixed")).isEqualTo(1);
    assertThat(l.expectedExit("./lab gate --scenario fixed --polyglot")).isZero();
    assertThat(l.expectedExit("./lab exercise check")).isEqualTo(1);
    assertThat(l.expectedExit("./lab exercise check http")).isEqualTo(1);
    l.ran("./lab exercise solution http --apply");
    l.ran("./lab exercise solution async"); // the diff only
    assertThat(l.expectedExit("./lab exercise check http")).isZero();
    assertThat(l.expectedExit("./lab exercise check async")).isEqualTo(1);
    l.ran("./lab exercise solution async --apply");
    l.ran("./lab exercise solution kafka --apply");
    assertThat(l.expectedExit("./lab exercise check")).isZero();
    assertThat(l.expectedExit("./lab gate --scenario fixed")).isZero();
    l.ran("./lab exercise reset");
    assertThat(l.expectedExit("./lab exercise check")).isEqualTo(1);
    assertThat(l.expectedExit("./lab gate")).isEqualTo(1);
    assertThat(l.expectedExit("./lab gate --scenario broken-http")).isEqualTo(1);
    l.ran("./lab exercise end"); // back on the fixed sources
    assertThat(l.expectedExit("./lab gate")).isZero();
    assertThat(l.expectedExit("./lab gate --scenario broken-http")).isEqualTo(1);
    assertThat(
            l.editFor(
                WorkshopDocs.parse("w.md", "| edit, `./lab exercise check http` |", false).get(0)))
        .isNull();
    WorkshopRunTest.Learner fresh = new WorkshopRunTest.Learner();
    assertThat(fresh.expectedExit("./lab gate")).isZero();
    assertThat(fresh.expectedExit("./lab gate --scenario linked-kafka")).isZero();
    assertThat(fresh.expectedExit("./lab gate --scenario broken-http")).isEqualTo(1);
    assertThat(l.expectedExit("./lab trace --scenario all-broken")).isZero();
  }

  @Test
  void withoutBoundariesTheExerciseHasEveryBoundaryOfTheCatalog() {
    WorkshopRunTest.Learner l = new WorkshopRunTest.Learner();
    l.ran("./lab exercise start --lang java");
    for (String b : List.of("http", "async", "kafka")) {
      l.ran("./lab exercise solution " + b + " --apply");
    }
    // propagators and cors are still stubs: the check fails, the gate (code only) passes
    assertThat(l.expectedExit("./lab exercise check")).isEqualTo(1);
    assertThat(l.expectedExit("./lab gate --scenario fixed")).isZero();
    l.ran("./lab exercise solution propagators --apply");
    l.ran("./lab exercise solution cors --apply");
    assertThat(l.expectedExit("./lab exercise check")).isZero();
  }

  @Test
  void theLearnersEditIsTheReferenceFixDuringAnExercise() {
    WorkshopDocs.Command check =
        WorkshopDocs.parse(
                "w.md", "| 30-45 | edit the client, `./lab exercise check http` |", false)
            .get(0);
    WorkshopRunTest.Learner l = new WorkshopRunTest.Learner();
    assertThat(l.editFor(check)).isNull(); // no exercise started: nothing to edit
    l.ran("./lab exercise start --lang java");
    assertThat(l.editFor(check)).isEqualTo("./lab exercise solution http --apply");
    l.ran(l.editFor(check));
    assertThat(l.expectedExit(check.runnable())).isZero();
    assertThat(l.state()).isEqualTo("[http]");
  }

  @Test
  void stackTracesAreRecognised() {
    assertThat(
            WorkshopRunTest.STACK_TRACE
                .matcher("lab: boom\n\tat dev.tracelab.cli.Lab.run(Lab.java:12)\n")
                .find())
        .isTrue();
    assertThat(
            WorkshopRunTest.STACK_TRACE
                .matcher("lab: trace failed: no Kafka at 127.0.0.1:9092 (is it up?)\n")
                .find())
        .isFalse();
  }

  /**
   * The real docs: every command is run, or not run for a reason (a marker's, or a placeholder);
   * the workshop's path is there (so an empty extraction cannot pass).
   */
  @Test
  void theRealDocsGiveEveryCommandAFormOrAReason() {
    List<WorkshopDocs.Command> all = WorkshopDocs.commands(SourceTree.root());
    assertThat(all)
        .allSatisfy(
            c ->
                assertThat(c.runs() || (c.skipReason() != null && !c.skipReason().isBlank()))
                    .as(c.where() + " " + c.text())
                    .isTrue());
    assertThat(all.stream().filter(WorkshopDocs.Command::runs).map(WorkshopDocs.Command::runnable))
        .contains(
            "./lab trace",
            "./lab trace --scenario all-broken",
            "./lab exercise start --lang java --boundaries http,async,kafka",
            "./lab exercise check",
            "./lab demo");
    // nothing that runs until Ctrl-C or takes many minutes is left to run
    assertThat(all.stream().filter(WorkshopDocs.Command::runs).map(WorkshopDocs.Command::runnable))
        .noneMatch(
            r ->
                r.equals("./lab up")
                    || r.startsWith("./lab chaos")
                    || r.startsWith("./lab longrun")
                    || r.startsWith("./lab sampling")
                    || r.startsWith("./lab bench")
                    || r.startsWith("./lab screenshot")
                    || r.startsWith("./lab audit --listen"));
  }
}
