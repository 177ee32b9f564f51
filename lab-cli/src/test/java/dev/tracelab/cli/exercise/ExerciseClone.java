// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.flow.Language;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh exercise workspace for a test: a temporary git clone of this repository's committed HEAD,
 * with the learner's edits applied as plain file edits. Public for the command's tests ({@code
 * dev.tracelab.cli}).
 */
public final class ExerciseClone {

  static final boolean TOOLCHAINS_REQUIRED =
      "required".equals(System.getProperty("tracelab.toolchains"));

  public final Path root;
  public final Workspace workspace;

  private ExerciseClone(Path root) {
    this.root = root;
    this.workspace = Workspace.at(root);
  }

  /** The repository this module belongs to (the test runs in {@code lab-cli/}). */
  static Path repository() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve(".git")) || Files.isRegularFile(d.resolve(".git"))) {
        return d;
      }
    }
    throw new IllegalStateException("no git checkout above " + dir);
  }

  /** A clone for the exercise's git work (start, solution, reset, end): no dependencies copied. */
  public static ExerciseClone of(Path parent) {
    Path root = parent.resolve("repo");
    Git outside = new Git(parent);
    outside.run("clone", "--quiet", "--no-hardlinks", repository().toString(), root.toString());
    return new ExerciseClone(root);
  }

  /**
   * A clone whose checks run the code: the Node.js dependencies of this checkout, if installed,
   * copied in to spare it an npm ci.
   */
  public static ExerciseClone withNodeModules(Path parent) {
    ExerciseClone clone = of(parent);
    Path root = clone.workspace.root();
    for (String dir : List.of("worker-svc/node", "frontend")) {
      Path modules = repository().resolve(dir).resolve("node_modules");
      if (Files.isDirectory(modules)) {
        run(parent, "cp", "-a", modules.toString(), root.resolve(dir).toString());
        root.resolve(dir)
            .resolve("node_modules/.package-lock.json")
            .toFile()
            .setLastModified(System.currentTimeMillis() + 60_000);
      }
    }
    return clone;
  }

  static void assumeToolchain(Language language) {
    String program =
        switch (language) {
          case GO -> "go";
          case NODE -> "node";
          case JAVA, CPP, BROWSER -> null;
        };
    if (program == null) {
      return;
    }
    if (SpanTests.find(program, List.of(Path.of("/usr/local/go/bin"))).isEmpty()) {
      String reason =
          "the " + language.id() + " exercise needs " + program + " (not found on PATH)";
      if (TOOLCHAINS_REQUIRED) {
        throw new AssertionError(reason + " and -Dtracelab.toolchains=required is set");
      }
      Assumptions.abort(reason);
    }
  }

  /**
   * Skips the test without Chromium and Node.js (the page's check needs both), unless {@code
   * -Dtracelab.browser=required}.
   */
  static void assumeBrowser() {
    assumeToolchain(Language.NODE);
    if (dev.tracelab.env.browser.Chromium.find().isEmpty()) {
      String reason = "the cors exercise needs Chromium (apt-get install chromium)";
      if ("required".equals(System.getProperty("tracelab.browser"))) {
        throw new AssertionError(reason + " and -Dtracelab.browser=required is set");
      }
      Assumptions.abort(reason);
    }
  }

  public String read(String path) {
    try {
      return Files.readString(root.resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces {@code from} (which must be there once) by {@code to} in the file. */
  public void edit(String path, String from, String to) {
    String text = read(path);
    assertThat(text).as(path).contains(from);
    assertThat(text.indexOf(from)).as(path + ": one occurrence").isEqualTo(text.lastIndexOf(from));
    try {
      Files.writeString(root.resolve(path), text.replace(from, to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The line of the stub's TODO of {@code boundary} in the file. */
  public String todoLine(String path, String boundary) {
    return read(path)
        .lines()
        .filter(l -> l.contains("TODO(exercise " + boundary + ")"))
        .findFirst()
        .orElseThrow();
  }

  /** The code exercises between the services: what the per-language tests start with. */
  static final List<String> CODE = List.of("http", "async", "kafka");

  /** Runs a check of every boundary; its results and what it printed. */
  Check check() {
    return check(null);
  }

  /** Runs a check of one boundary (null: all); its results and what it printed. */
  Check check(String boundary) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<Checker.Result> results =
        new Checker(workspace, new PrintStream(bytes, true, StandardCharsets.UTF_8))
            .check(boundary);
    return new Check(results, bytes.toString(StandardCharsets.UTF_8));
  }

  /** {@code git args...} in the clone: its output; fails the test on a non-zero exit. */
  public String git(String... args) {
    return new Git(root).run(args);
  }

  /**
   * Runs a command the exercise printed ({@code git restore --source=... -- ...}), split at spaces.
   */
  public void runPrinted(String command) {
    assertThat(command).startsWith("git ");
    git(command.substring("git ".length()).split(" "));
  }

  /**
   * Every commit reachable from any ref, with its patch: where a saved version of the learner's
   * work shows.
   */
  public String allHistory() {
    return git("log", "--all", "-p", "--no-color");
  }

  record Check(List<Checker.Result> results, String output) {
    Checker.Result of(Task task) {
      return results.stream().filter(r -> r.task() == task).findFirst().orElseThrow();
    }
  }

  void applySolutions() {
    for (String b : dev.tracelab.flow.Defects.exercises()) {
      try {
        String diff = workspace.solution(Checker.parseBoundary(b));
        Path patch = root.resolve(".tracelab").resolve(b + ".diff");
        Files.createDirectories(patch.getParent());
        Files.writeString(patch, diff);
        new Git(root).run("apply", patch.toString());
      } catch (ExerciseException e) {
        // no exercise of this boundary in the chosen language
        assertThat(e.getMessage()).startsWith("no " + b + " exercise");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void run(Path dir, String... command) {
    try {
      Process p =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
