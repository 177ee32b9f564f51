package dev.tracelab.cli.exercise;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code git} in one checkout, through {@link ProcessBuilder}: output, or a one-line failure. */
final class Git {

  private final Path root;

  Git(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** Runs {@code git args...}; its standard output, or an {@link ExerciseException} with git's message. */
  String run(String... args) {
    Result r = tryRun(args);
    if (r.exit != 0) {
      String message = r.err.isBlank() ? r.out : r.err;
      throw new ExerciseException("git " + String.join(" ", args) + " failed: " + message.strip().lines().findFirst().orElse(""));
    }
    return r.out;
  }

  record Result(int exit, String out, String err) {}

  Result tryRun(String... args) {
    List<String> command = new ArrayList<>();
    command.add("git");
    command.add("-c");
    command.add("core.quotepath=off");
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
    pb.environment().put("GIT_TERMINAL_PROMPT", "0");
    pb.environment().put("LC_ALL", "C");
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      String out = read(p.getInputStream());
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new ExerciseException("git " + String.join(" ", args) + " did not finish within 120 s");
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
    return run("status", "--porcelain", "--untracked-files=no").lines().filter(l -> !l.isBlank()).toList();
  }

  /** The file at {@code commit}. */
  String show(String commit, String path) {
    return run("show", commit + ":" + path);
  }

  /** A commit by the exercise itself (not by the learner's identity, which may not be configured). */
  void commit(String message) {
    run("-c", "user.name=tracelab exercise", "-c", "user.email=exercise@tracelab.invalid",
        "commit", "--quiet", "--no-verify", "-m", message);
  }
}
