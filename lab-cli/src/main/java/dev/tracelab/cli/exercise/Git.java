// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** {@code git} in one checkout, through {@link ProcessBuilder}: output, or a one-line failure. */
final class Git {

  /** The identity of the exercise's own commits. */
  private static final String NAME = "tracelab exercise";

  private static final String EMAIL = "exercise@tracelab.invalid";

  private final Path root;

  Git(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /**
   * Runs {@code git args...}; its standard output, or an {@link ExerciseException} with git's
   * message.
   */
  String run(String... args) {
    return run(Map.of(), args);
  }

  record Result(int exit, String out, String err) {}

  Result tryRun(String... args) {
    return tryRun(Map.of(), args);
  }

  /** {@link #run} with extra environment variables (e.g. {@code GIT_INDEX_FILE}). */
  String run(Map<String, String> env, String... args) {
    Result r = tryRun(env, args);
    if (r.exit != 0) {
      String message = r.err.isBlank() ? r.out : r.err;
      throw new ExerciseException(
          "git "
              + String.join(" ", args)
              + " failed: "
              + message.strip().lines().findFirst().orElse(""));
    }
    return r.out;
  }

  Result tryRun(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add("git");
    command.add("-c");
    command.add("core.quotepath=off");
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
    pb.environment().put("GIT_TERMINAL_PROMPT", "0");
    pb.environment().put("LC_ALL", "C");
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      String out = read(p.getInputStream());
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new ExerciseException(
            "git " + String.join(" ", args) + " did not finish within 120 s");
      }
      return new Result(p.exitValue(), out, err.join());
    } catch (IOException e) {
      throw new ExerciseException("cannot run git (is it installed?): " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExerciseException("interrupted while running git");
    }
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The current branch, or null when HEAD is detached. */
  String branch() {
    Result r = tryRun("symbolic-ref", "--quiet", "--short", "HEAD");
    return r.exit == 0 ? r.out.strip() : null;
  }

  String head() {
    return run("rev-parse", "HEAD").strip();
  }

  boolean branchExists(String name) {
    return tryRun("rev-parse", "--verify", "--quiet", "refs/heads/" + name).exit == 0;
  }

  /** Tracked files with changes (staged or not), as {@code git status --porcelain} lines. */
  List<String> changes() {
    return run("status", "--porcelain", "--untracked-files=no")
        .lines()
        .filter(l -> !l.isBlank())
        .toList();
  }

  /** True when a tracked file has changes (staged or not). */
  boolean dirty() {
    return !changes().isEmpty();
  }

  /**
   * A commit of the working tree as it is — tracked and untracked files, not the ignored ones — on
   * top of HEAD, made through a temporary index: HEAD, the index and the files stay as they are.
   * Returns its id.
   */
  String snapshot(String message) {
    Path dir;
    try {
      dir = Files.createTempDirectory("tracelab-index");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary index", e);
    }
    Map<String, String> index = Map.of("GIT_INDEX_FILE", dir.resolve("index").toString());
    try {
      run(index, "read-tree", "HEAD");
      run(index, "add", "--all");
      String tree = run(index, "write-tree").strip();
      return run(
              "-c",
              "user.name=" + NAME,
              "-c",
              "user.email=" + EMAIL,
              "commit-tree",
              "--no-gpg-sign",
              tree,
              "-p",
              "HEAD",
              "-m",
              message)
          .strip();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a leftover temporary index is harmless
      }
    }
  }

  /** The file at {@code commit}. */
  String show(String commit, String path) {
    return run("show", commit + ":" + path);
  }

  /**
   * A commit by the exercise itself (not by the learner's identity, which may not be configured).
   */
  void commit(String message) {
    run(
        "-c",
        "user.name=" + NAME,
        "-c",
        "user.email=" + EMAIL,
        "commit",
        "--quiet",
        "--no-verify",
        "-m",
        message);
  }
}
