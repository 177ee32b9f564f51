// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.cli.exercise.ExerciseClone;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ./lab exercise solution BOUNDARY --apply} and {@code reset} print: where the
 * learner's work went and the one command that restores it, which does.
 */
class ExerciseCommandTest {

  private static final String HTTP =
      "gateway-svc/src/main/java/dev/tracelab/gateway/TracingHttpClient.java";
  private static final Pattern BRANCH =
      Pattern.compile("on branch (tracelab/saved/\\d{8}-\\d{6}(-\\d+)?);");

  @TempDir Path tmp;

  private static List<String> run(ExerciseClone clone, String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = exercise(clone, out, err, argv);
    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  /** {@code ./lab exercise argv} in {@code clone}: its exit code. */
  private static int exercise(
      ExerciseClone clone, ByteArrayOutputStream out, ByteArrayOutputStream err, String... argv) {
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    return Lab.configure(
            ExerciseCommand.commandLine(clone.root, o),
            o,
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .execute(argv);
  }

  private static String branch(List<String> lines) {
    Matcher m = BRANCH.matcher(lines.get(0));
    assertThat(m.find()).as(lines.get(0)).isTrue();
    return m.group(1);
  }

  @Test
  void applyAndResetPrintWhereTheLearnersWorkWentAndTheOneCommandThatRestoresIt() {
    ExerciseClone clone = ExerciseClone.of(tmp);
    run(clone, "start", "--lang", "java");
    String attempt = "      traced.header(\"X-Trace-ID\", \"mine\");";
    clone.edit(HTTP, clone.todoLine(HTTP, "http"), attempt);

    List<String> applied = run(clone, "solution", "http", "--apply");
    String saved = branch(applied);
    assertThat(applied)
        .containsExactly(
            "saved your version on branch " + saved + "; to restore it:",
            "  git restore --source=" + saved + " -- " + HTTP,
            "replaced by the reference fix of http: " + HTTP,
            "Next: ./lab exercise check http");
    assertThat(clone.read(HTTP)).doesNotContain(attempt).contains("propagator.inject(");
    clone.runPrinted(applied.get(1).strip());
    assertThat(clone.read(HTTP)).contains(attempt);

    List<String> reset = run(clone, "reset");
    String beforeReset = branch(reset);
    assertThat(reset.get(0))
        .isEqualTo(
            "saved your work (commits and uncommitted changes) on branch "
                + beforeReset
                + "; to restore it:");
    assertThat(reset.get(1)).isEqualTo("  git restore --source=" + beforeReset + " -- .");
    assertThat(reset.get(2))
        .startsWith("exercise reset: branch tracelab-exercise-java is back at its start (");
    assertThat(clone.read(HTTP)).doesNotContain(attempt);
    clone.runPrinted(reset.get(1).strip());
    assertThat(clone.read(HTTP)).contains(attempt);
    assertThat(clone.allHistory()).contains("+" + attempt + "\n");

    run(clone, "solution", "http", "--apply");
    assertThat(run(clone, "solution", "http", "--apply"))
        .containsExactly(
            "the http fix file(s) already hold the reference fix: nothing replaced.",
            "Next: ./lab exercise check http");
    // the plain solution is still the diff from the stub to the fix
    assertThat(run(clone, "solution", "http")).contains("--- a/" + HTTP, "+++ b/" + HTTP);
  }

  @Test
  void solutionTakesOneBoundaryAndAtMostOneApply() {
    ExerciseClone clone = ExerciseClone.of(tmp);
    run(clone, "start");
    String usage =
        "solution needs one boundary: ./lab exercise solution cors|http|propagators|async|kafka [--apply]";
    for (String[] argv :
        List.of(
            new String[] {"solution", "--apply"},
            new String[] {"solution", "http", "--apply", "--apply"},
            new String[] {"solution", "http", "kafka"},
            new String[] {"solution", "http", "--force"})) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertThat(exercise(clone, new ByteArrayOutputStream(), err, argv)).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("lab: " + usage + "\n");
    }
  }
}
