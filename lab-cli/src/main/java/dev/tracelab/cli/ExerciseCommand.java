// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.cli.exercise.Checker;
import dev.tracelab.cli.exercise.ExerciseException;
import dev.tracelab.cli.exercise.Task;
import dev.tracelab.cli.exercise.Workspace;
import dev.tracelab.flow.Boundary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./lab exercise start [--lang java|go|node|all] | check [BOUNDARY] | solution BOUNDARY
 * [--apply] | reset | end | status} (docs/design.md §9): the learner fixes each boundary; the lab
 * checks and hints. Whatever overwrites the learner's files saves them first and prints the one
 * command that restores them.
 */
@Command(
    name = "exercise",
    synopsisSubcommandLabel = "(start | check | solution | reset | end | status)",
    description = {
      "Fix each boundary yourself; check builds, tests, runs a scenario and hints"
          + " (docs/workshop.md)."
    })
final class ExerciseCommand implements Callable<Integer> {

  @Mixin private HelpOption help;

  /** The exercises' ids, {@code |}-separated (the defect catalog's). */
  private static final String BOUNDARIES = String.join("|", dev.tracelab.flow.Defects.exercises());

  /** The subcommands in one line, for {@code ./lab exercise} without one. */
  private static final String USAGE =
      "usage: ./lab exercise start [--lang java|go|node|all] [--boundaries B,...] | check ["
          + BOUNDARIES
          + "] | solution "
          + BOUNDARIES
          + " [--apply] | reset | end | status";

  private final Path root;
  private final PrintStream out;

  ExerciseCommand(Path root, PrintStream out) {
    this.root = root;
    this.out = out;
  }

  /**
   * {@code ./lab exercise} in {@code root}, writing to {@code out}: {@code solution http --force}
   * is bad usage of solution, not an unknown option.
   */
  static CommandLine commandLine(Path root, PrintStream out) {
    CommandLine cl = new CommandLine(new ExerciseCommand(root, out));
    cl.getSubcommands().get("solution").setUnmatchedOptionsArePositionalParams(true);
    return cl;
  }

  /**
   * The checkout the exercise works in: {@code -Dtracelab.root} / {@code TRACELAB_ROOT}, else the
   * working directory.
   */
  static Path root() {
    String configured = System.getProperty("tracelab.root", System.getenv("TRACELAB_ROOT"));
    return Path.of(configured == null || configured.isBlank() ? "" : configured)
        .toAbsolutePath()
        .normalize();
  }

  @Override
  public Integer call() {
    throw new UsageException("exercise needs a subcommand: " + USAGE.substring("usage: ".length()));
  }

  private Workspace workspace() {
    return Workspace.at(root);
  }

  @Command(
      name = "start",
      description =
          "Turns the boundary fixes into stubs on a branch of its own; you fix each boundary"
              + " yourself (docs/workshop.md).")
  int start(
      @Mixin HelpOption help,
      @Option(
              names = "--lang",
              paramLabel = "java|go|node|all",
              description = "the services' language(s) to fix (default java)")
          String lang,
      @Option(
              names = "--boundaries",
              paramLabel = "B,...",
              description = "the boundaries to stub (default all)")
          String boundaries) {
    try {
      return start(workspace(), lang, boundaries, out);
    } catch (ExerciseException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Command(
      name = "check",
      description =
          "Builds, runs the span-level tests and one scenario end to end; hints for what is not"
              + " fixed yet.")
  int check(
      @Mixin HelpOption help,
      @Parameters(
              paramLabel = "BOUNDARY",
              arity = "0..*",
              description = "one boundary (default all)")
          List<String> boundary) {
    try {
      return check(workspace(), boundary == null ? List.of() : boundary, out);
    } catch (ExerciseException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Command(
      name = "solution",
      description =
          "The reference fix of BOUNDARY as a diff; with --apply, in place (yours saved).")
  int solution(
      @Mixin HelpOption help,
      @Parameters(paramLabel = "BOUNDARY", arity = "0..*", description = "the boundary")
          List<String> words,
      @Option(names = "--apply", description = "replace the fix file(s) by the reference fix")
          boolean[] apply) {
    List<String> w = words == null ? List.of() : words;
    int applies = apply == null ? 0 : apply.length;
    if (w.size() != 1 || w.get(0).startsWith("--") || applies > 1) {
      throw new UsageException(
          "solution needs one boundary: ./lab exercise solution " + BOUNDARIES + " [--apply]");
    }
    try {
      return solution(workspace(), w.get(0), applies == 1, out);
    } catch (ExerciseException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Command(
      name = "reset",
      description = "Back to the start of the exercise; your work saved on a branch first.")
  int reset(@Mixin HelpOption help) {
    try {
      return reset(workspace(), out);
    } catch (ExerciseException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Command(
      name = "end",
      description =
          "Back to the branch the exercise started from (the fixed lab); your work saved on a"
              + " branch first.")
  int end(@Mixin HelpOption help) {
    try {
      return end(workspace(), out);
    } catch (ExerciseException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Command(name = "status", description = "Each boundary's last check and hints.")
  int status(@Mixin HelpOption help) {
    try {
      return status(workspace(), out);
    } catch (ExerciseException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static int start(Workspace workspace, String lang, String boundaries, PrintStream out) {
    Workspace.State s =
        workspace.start(lang, boundaries == null ? null : List.of(boundaries.split(",", -1)));
    out.println(
        "exercise started on branch "
            + s.branch
            + " (from "
            + s.from
            + "): the boundary fixes are stubs now.");
    out.println(
        "Each stub behaves like the broken variant and starts with a TODO(exercise <boundary>) line:");
    for (Task t : taskList(s)) {
      out.printf("  %-11s %s%n", t.id(), t.fixFile());
    }
    out.println("Your edits are ordinary commits on this branch (git diff shows your work).");
    out.println(
        "Next: ./lab exercise check   (builds, runs the span-level tests and one scenario end to end; hints)");
    return 0;
  }

  private static int check(Workspace workspace, List<String> argv, PrintStream out) {
    if (argv.size() > 1) {
      throw new UsageException("check takes at most one boundary (" + BOUNDARIES + ")");
    }
    List<Checker.Result> results =
        new Checker(workspace, out).check(argv.size() == 1 ? argv.get(0) : null);
    return results.stream().allMatch(Checker.Result::fixed) ? 0 : 1;
  }

  private static int solution(Workspace workspace, String word, boolean apply, PrintStream out) {
    Boundary boundary = Checker.parseBoundary(word);
    if (!apply) {
      out.print(workspace.solution(boundary));
      return 0;
    }
    Workspace.Applied applied = workspace.applySolution(boundary);
    if (applied.files().isEmpty()) {
      out.println(
          "the "
              + boundary.id()
              + " fix file(s) already hold the reference fix: nothing replaced.");
    } else {
      saved(applied.saved(), "your version", out);
      out.println(
          "replaced by the reference fix of "
              + boundary.id()
              + ": "
              + String.join(", ", applied.files()));
    }
    out.println("Next: ./lab exercise check " + boundary.id());
    return 0;
  }

  /** Where the learner's work went, and the one command that brings it back. */
  private static void saved(Workspace.Saved saved, String what, PrintStream out) {
    out.println("saved " + what + " on branch " + saved.branch() + "; to restore it:");
    out.println("  " + saved.restore());
  }

  private static int reset(Workspace workspace, PrintStream out) {
    Workspace.Reset reset = workspace.reset();
    Workspace.State s = reset.state();
    if (reset.saved() != null) {
      saved(reset.saved(), "your work (commits and uncommitted changes)", out);
    }
    out.println(
        "exercise reset: branch "
            + s.branch
            + " is back at its start ("
            + s.start.substring(0, 12)
            + "), hints start over. ./lab exercise check to begin.");
    return 0;
  }

  private static int end(Workspace workspace, PrintStream out) {
    Workspace.Ended ended = workspace.end();
    if (ended.saved() != null) {
      saved(ended.saved(), "your work (commits and uncommitted changes)", out);
    }
    out.println(
        "exercise ended: back on "
            + ended.state().from
            + " (the fixed sources; the next ./lab command rebuilds the lab from them); branch "
            + ended.state().branch
            + " removed.");
    return 0;
  }

  private static int status(Workspace workspace, PrintStream out) {
    Workspace.State s = workspace.load();
    out.println(
        "exercise on branch "
            + s.branch
            + " (languages: "
            + String.join(", ", s.languages)
            + "; started from "
            + s.from
            + "; ./lab exercise end goes back there)");
    int fixed = 0;
    for (Task t : taskList(s)) {
      String result = s.results.getOrDefault(t.id(), "not checked yet");
      if (result.equals("fixed")) {
        fixed++;
      }
      out.printf(
          "  %-11s %-16s hints %d/%d  %s%s%n",
          t.id(),
          result,
          s.hints.getOrDefault(t.id(), 0),
          3,
          t.fixFile(),
          workspace.edited(s, t) ? "  (edited)" : "");
    }
    out.println(fixed + " of " + taskList(s).size() + " fixed at the last check");
    return 0;
  }

  private static List<Task> taskList(Workspace.State s) {
    return s.tasks();
  }
}
