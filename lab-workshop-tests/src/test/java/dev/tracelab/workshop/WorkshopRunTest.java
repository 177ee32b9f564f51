// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.workshop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tracelab.env.service.SourceTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The workshop is a test: every {@code ./lab ...} command of docs/workshop.md and of README.md's
 * command tables ({@link WorkshopDocs}), run as a learner would, in a fresh {@code git clone} of
 * this checkout (HEAD plus the uncommitted changes to tracked files): first {@code ./lab help},
 * which builds the lab (its progress and total time checked), then each section of a doc (a {@code
 * ##} heading) in order, in its own copy of that built clone, each distinct command once. Each must
 * exit as the docs say and none may print a stack trace.
 *
 * <p>Where the docs have the learner edit a fix file before {@code ./lab exercise check B} (an
 * "edit ..." before it in its table cell), the test runs {@code ./lab exercise solution B --apply}
 * first, standing in for the learner's edit, so the walk-through ends all green. A command repeated
 * in the same state runs once per section.
 *
 * <p>Expected exit codes: 0, except {@code ./lab exercise check [B]} (0 only when every checked
 * boundary holds its fix: after {@code ./lab exercise solution B --apply}, until a {@code start} or
 * {@code reset}; else 1), {@code ./lab gate} of a broken scenario, or during an exercise whose
 * stubs are not all fixed (1), and a marker's {@code exit N}. Commands that run until Ctrl-C or
 * take minutes carry a skip marker with the reason.
 *
 * <p>Slow (the first build, then about a minute per {@code exercise check}): it runs with {@code
 * -Dtracelab.workshop=required} (CI, .ci/run) and is skipped with the reason otherwise.
 */
@Tag("workshop")
class WorkshopRunTest {

  static final boolean REQUIRED = "required".equals(System.getProperty("tracelab.workshop"));
  private static final long COMMAND_TIMEOUT_MINUTES = 15;
  static final Pattern STACK_TRACE =
      Pattern.compile("(?m)^\\s+at [\\w$.<>/]+\\(.*\\)\\s*$|Exception in thread \"");
  private static final Pattern BUILT = Pattern.compile("lab: built (\\d+) modules in (\\d+) s");

  @Test
  void everyDocumentedCommandRunsAsTheDocsSay() throws Exception {
    Assumptions.assumeTrue(
        REQUIRED,
        "the workshop walk-through takes minutes (a fresh clone's build, then each command):"
            + " run it with -Dtracelab.workshop=required (CI does)");
    Path root = SourceTree.root();
    Path work = root.resolve("lab-workshop-tests/target/workshop");
    delete(work);
    Files.createDirectories(work);
    Path clone = work.resolve("clone");
    run(
        work,
        List.of("git", "clone", "-q", root.toString(), clone.toString()),
        work.resolve("clone.log"));
    String diff = capture(root, List.of("git", "diff", "--binary", "HEAD"));
    if (!diff.isBlank()) { // the checkout's uncommitted changes, as the commit a learner would pull
      Files.writeString(work.resolve("uncommitted.diff"), diff);
      run(
          clone,
          List.of("git", "apply", "--binary", work.resolve("uncommitted.diff").toString()),
          work.resolve("apply.log"));
      run(
          clone,
          List.of(
              "git",
              "-c",
              "user.name=workshop-test",
              "-c",
              "user.email=workshop-test@localhost",
              "commit",
              "-q",
              "-am",
              "uncommitted changes of the checkout under test"),
          work.resolve("commit.log"));
    }

    List<String> report = new ArrayList<>();
    long t0 = System.nanoTime();
    Result build = lab(clone, "./lab help", work.resolve("00-build.log"));
    assertThat(build.exit).as("./lab help (the first build) exit code; log " + build.log).isZero();
    assertNoStackTrace("./lab help", build);
    Matcher built = BUILT.matcher(build.output);
    assertThat(built.find())
        .as("the first build reports its modules and total time: " + build.log)
        .isTrue();
    assertThat(build.output)
        .as("the first build shows the module being built")
        .contains("lab: building [");
    report.add(line("./lab help (first use: the build)", 0, build));

    List<WorkshopDocs.Command> commands = WorkshopDocs.commands(clone);
    Map<String, List<WorkshopDocs.Command>> sections = new LinkedHashMap<>();
    for (WorkshopDocs.Command c : commands) {
      if (!c.runs()) {
        report.add(
            String.format(
                Locale.ROOT, "  not run  %-60s %s (%s)", c.text(), c.where(), c.skipReason()));
        continue;
      }
      sections.computeIfAbsent(c.file() + " § " + c.section(), k -> new ArrayList<>()).add(c);
    }
    int n = 0;
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, List<WorkshopDocs.Command>> section : sections.entrySet()) {
      Path dir = work.resolve("section-" + (++n));
      run(work, List.of("cp", "-a", clone.toString(), dir.toString()), work.resolve("cp.log"));
      report.add(section.getKey() + "  (" + dir.getFileName() + ")");
      Learner learner = new Learner();
      Set<String> done = new HashSet<>();
      int i = 0;
      for (WorkshopDocs.Command c : section.getValue()) {
        List<String> steps = new ArrayList<>();
        String edit = learner.editFor(c);
        if (edit != null) {
          steps.add(edit); // the learner's edit: the reference fix stands in for it
        }
        steps.add(c.runnable());
        for (int k = 0; k < steps.size(); k++) {
          String step = steps.get(k);
          boolean stood = edit != null && k == 0;
          // the same command in the same state again: once per section
          if (!done.add(step + " " + learner.state())) {
            continue;
          }
          int expected =
              !stood && c.expectedExit() != null ? c.expectedExit() : learner.expectedExit(step);
          Result r =
              lab(dir, step, work.resolve(String.format(Locale.ROOT, "%02d-%02d.log", n, ++i)));
          learner.ran(step);
          String what = stood ? "(the learner's edit before the next) " + step : step;
          report.add(line(what + "   " + c.where(), expected, r));
          if (r.exit != expected) {
            failures.add(
                what
                    + " ("
                    + c.where()
                    + ") exited "
                    + r.exit
                    + ", the docs say "
                    + expected
                    + "; log "
                    + r.log
                    + "\n"
                    + tail(r.output));
          }
          if (STACK_TRACE.matcher(r.output).find()) {
            failures.add(
                what
                    + " ("
                    + c.where()
                    + ") printed a stack trace; log "
                    + r.log
                    + "\n"
                    + tail(r.output));
          }
        }
      }
      delete(dir);
    }
    String summary =
        String.join("\n", report)
            + String.format(
                Locale.ROOT, "%nworkshop walk-through: %.0f s", (System.nanoTime() - t0) / 1e9);
    System.out.println(summary);
    Files.writeString(work.resolve("summary.txt"), summary + "\n");
    if (failures.isEmpty()) {
      delete(clone); // the logs and summary.txt stay in target/workshop
    } else {
      fail(
          failures.size()
              + " documented command(s) did not behave as the docs say:\n"
              + String.join("\n\n", failures)
              + "\n\n"
              + summary);
    }
  }

  /**
   * What the exercise has been told so far, for the exit code the docs promise. During an exercise
   * the fix files of its languages are the learner's: a gate runs them, so it passes only once
   * every boundary holds its fix (here: {@code solution B --apply}; the test does not write fixes).
   */
  static final class Learner {
    // the boundaries whose fix files a gate runs (propagators is configuration, cors the page)
    private static final List<String> CODE = List.of("http", "async", "kafka");
    private final Set<String> fixed = new HashSet<>();
    private List<String> chosen = List.of(); // start --boundaries, else every exercise
    private final Set<String> exerciseLanguages = new HashSet<>(); // empty: no exercise

    int expectedExit(String command) {
      List<String> w = List.of(command.split("\\s+"));
      if (w.size() >= 3 && w.get(1).equals("exercise") && w.get(2).equals("check")) {
        List<String> checked = w.size() > 3 ? List.of(w.get(3)) : chosen;
        return fixed.containsAll(checked) ? 0 : 1;
      }
      if (w.size() >= 2 && w.get(1).equals("gate")) {
        int at = w.indexOf("--scenario");
        String scenario = at >= 0 && at + 1 < w.size() ? w.get(at + 1) : "fixed";
        boolean fixedVariants = scenario.equals("fixed") || scenario.equals("linked-kafka");
        List<String> stubs = chosen.stream().filter(CODE::contains).toList();
        boolean stubsRun = !fixed.containsAll(stubs) && runsExerciseLanguage(w);
        return fixedVariants && !stubsRun ? 0 : 1;
      }
      return 0;
    }

    /** True when the command runs a language whose fix files the exercise turned into stubs. */
    private boolean runsExerciseLanguage(List<String> w) {
      if (exerciseLanguages.contains("all")) {
        return true;
      }
      Set<String> languages = new HashSet<>();
      if (w.contains("--polyglot")) {
        languages.addAll(List.of("go", "node"));
      } else {
        languages.add("java");
        for (int i = 0; i + 1 < w.size(); i++) {
          if (w.get(i).endsWith("-lang")) {
            languages.add(w.get(i + 1));
          }
        }
      }
      languages.retainAll(exerciseLanguages);
      return !languages.isEmpty();
    }

    /** The boundaries fixed so far (what makes a repeated command a new step). */
    String state() {
      return new java.util.TreeSet<>(fixed).toString();
    }

    /**
     * For "edit ..., {@code ./lab exercise check B}": the command that stands in for the learner's
     * edit ({@code ./lab exercise solution B --apply}), or null.
     */
    String editFor(WorkshopDocs.Command c) {
      List<String> w = List.of(c.runnable().split("\\s+"));
      if (!c.afterEdit()
          || exerciseLanguages.isEmpty()
          || w.size() != 4
          || !w.get(1).equals("exercise")
          || !w.get(2).equals("check")) {
        return null;
      }
      return "./lab exercise solution " + w.get(3) + " --apply";
    }

    void ran(String command) {
      List<String> w = List.of(command.split("\\s+"));
      if (w.size() >= 3 && w.get(1).equals("exercise")) {
        switch (w.get(2)) {
          case "start" -> {
            fixed.clear();
            int b = w.indexOf("--boundaries");
            chosen =
                b >= 0 && b + 1 < w.size()
                    ? List.of(w.get(b + 1).split(","))
                    : dev.tracelab.flow.Defects.exercises();
            int at = w.indexOf("--lang");
            exerciseLanguages.add(at >= 0 && at + 1 < w.size() ? w.get(at + 1) : "java");
          }
          case "reset" -> fixed.clear();
          case "end" -> {
            fixed.clear();
            chosen = List.of();
            exerciseLanguages.clear();
          }
          case "solution" -> {
            if (w.contains("--apply") && w.size() > 3) {
              fixed.add(w.get(3));
            }
          }
          default -> {}
        }
      }
    }
  }

  record Result(int exit, String output, Path log, double seconds) {}

  private static String line(String what, int expected, Result r) {
    return String.format(
        Locale.ROOT, "  exit %d (docs: %d) %6.1f s  %s", r.exit, expected, r.seconds, what);
  }

  private static void assertNoStackTrace(String what, Result r) {
    assertThat(STACK_TRACE.matcher(r.output).find())
        .as(what + " printed a stack trace: " + r.log)
        .isFalse();
  }

  private static String tail(String output) {
    List<String> lines = output.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
  }

  /** Runs a documented command line with bash in {@code dir}, stdout and stderr to {@code log}. */
  private static Result lab(Path dir, String command, Path log)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().remove("TRACELAB_ROOT");
    Process p = pb.start();
    if (!p.waitFor(COMMAND_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor();
      return new Result(
          -1,
          Files.readString(log, StandardCharsets.UTF_8)
              + "\n(timed out after "
              + COMMAND_TIMEOUT_MINUTES
              + " min)",
          log,
          (System.nanoTime() - t0) / 1e9);
    }
    return new Result(
        p.exitValue(),
        Files.readString(log, StandardCharsets.UTF_8),
        log,
        (System.nanoTime() - t0) / 1e9);
  }

  private static void run(Path dir, List<String> command, Path log)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " failed: " + Files.readString(log));
    }
  }

  private static String capture(Path dir, List<String> command)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      fail(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  private static void delete(Path dir) throws IOException, InterruptedException {
    if (Files.exists(dir)) {
      Process p = new ProcessBuilder("rm", "-rf", dir.toString()).start();
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new UncheckedIOException(new IOException("cannot remove " + dir));
      }
    }
  }
}
