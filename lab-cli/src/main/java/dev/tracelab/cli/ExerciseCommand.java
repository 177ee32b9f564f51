// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.cli.exercise.Checker;
import dev.tracelab.cli.exercise.ExerciseException;
import dev.tracelab.cli.exercise.Task;
import dev.tracelab.cli.exercise.Workspace;
import dev.tracelab.flow.Boundary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code ./lab exercise start [--lang java|go|node|all] | check [BOUNDARY] | solution BOUNDARY
 * [--apply] | reset | status} (docs/design.md §9): the learner fixes each boundary; the lab checks
 * and hints. Whatever overwrites the learner's files saves them first and prints the one command
 * that restores them.
 */
final class ExerciseCommand {

  /** The exercises' ids, {@code |}-separated (the defect catalog's). */
  private static final String BOUNDARIES = String.join("|", dev.tracelab.flow.Defects.exercises());

  static final String USAGE =
      "usage: ./lab exercise start [--lang java|go|node|all] [--boundaries B,...] | check ["
          + BOUNDARIES
          + "] | solution "
          + BOUNDARIES
          + " [--apply] | reset | status";

  private ExerciseCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    return run(argv, root(), out, err);
  }

  /**
   * The checkout the exercise works in: {@code -Dtracelab.root} / {@code TRACELAB_ROOT}, else the
   * working directory.
   */
  private static Path root() {
    String configured = System.getProperty("tracelab.root", System.getenv("TRACELAB_ROOT"));
    return Path.of(configured == null || configured.isBlank() ? "" : configured)
        .toAbsolutePath()
        .normalize();
  }

  static int run(String[] argv, Path root, PrintStream out, PrintStream err) {
    if (argv.length == 0) {
      throw new UsageException(
          "exercise needs a subcommand: " + USAGE.substring("usage: ".length()));
    }
    String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
    Workspace workspace = Workspace.at(root);
    try {
      return switch (argv[0]) {
        case "start" -> start(workspace, rest, out);
        case "check" -> check(workspace, rest, out);
        case "solution" -> solution(workspace, rest, out);
        case "reset" -> reset(workspace, rest, out);
        case "status" -> status(workspace, rest, out);
        default ->
            throw new UsageException(
                "unknown exercise subcommand '"
                    + argv[0]
                    + "' (start, check, solution, reset, status)");
      };
    } catch (ExerciseException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static int start(Workspace workspace, String[] argv, PrintStream out) {
    Args args = Args.parse(argv, Set.of("lang", "boundaries"));
    String lang = args.string("lang", null);
    String boundaries = args.string("boundaries", null);
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

  private static int check(Workspace workspace, String[] argv, PrintStream out) {
    if (argv.length > 1) {
      throw new UsageException("check takes at most one boundary (" + BOUNDARIES + ")");
    }
    if (argv.length == 1 && argv[0].startsWith("--")) {
      throw new UsageException("unknown option '" + argv[0] + "' (check [" + BOUNDARIES + "])");
    }
    List<Checker.Result> results =
        new Checker(workspace, out).check(argv.length == 1 ? argv[0] : null);
    return results.stream().allMatch(Checker.Result::fixed) ? 0 : 1;
  }

  private static int solution(Workspace workspace, String[] argv, PrintStream out) {
    List<String> words = Arrays.stream(argv).filter(a -> !a.equals("--apply")).toList();
    if (words.size() != 1 || words.get(0).startsWith("--") || argv.length > 2) {
      throw new UsageException(
          "solution needs one boundary: ./lab exercise solution " + BOUNDARIES + " [--apply]");
    }
    Boundary boundary = Checker.parseBoundary(words.get(0));
    if (words.size() == argv.length) {
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

  private static int reset(Workspace workspace, String[] argv, PrintStream out) {
    if (argv.length != 0) {
      throw new UsageException("reset takes no arguments");
    }
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

  private static int status(Workspace workspace, String[] argv, PrintStream out) {
    if (argv.length != 0) {
      throw new UsageException("status takes no arguments");
    }
    Workspace.State s = workspace.load();
    out.println(
        "exercise on branch "
            + s.branch
            + " (languages: "
            + String.join(", ", s.languages)
            + "; started from "
            + s.from
            + "; leave it with git checkout "
            + s.from
            + ")");
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
