// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import dev.tracelab.env.process.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What building a non-JVM implementation needs: finding a program (on {@code PATH}, then in its
 * usual install folders), its version, whether sources are newer than an output, and running a
 * build step to completion under {@link ChildProcess} (so a killed lab leaves no build behind).
 */
final class Toolchain {

  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

  private Toolchain() {}

  /** The folders of {@code PATH}, then {@code extraDirs}: where {@link #find} looks. */
  static List<Path> searchPath(List<Path> extraDirs) {
    List<Path> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          dirs.add(Path.of(dir));
        }
      }
    }
    dirs.addAll(extraDirs);
    return dirs;
  }

  /** The executable {@code program} in the first of {@code dirs} that has it. */
  static Optional<Path> find(String program, List<Path> dirs) {
    for (Path dir : dirs) {
      Path candidate = dir.resolve(program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The first line {@code command} prints (a version query), or empty when it fails. */
  static Optional<String> firstLine(List<String> command, Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return out.lines().findFirst();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** {major, minor, patch} of the first {@code N.N[.N]} in {@code text}, or null. */
  static int[] version(String text) {
    Matcher m = VERSION.matcher(text == null ? "" : text);
    if (!m.find()) {
      return null;
    }
    return new int[] {
      Integer.parseInt(m.group(1)),
      Integer.parseInt(m.group(2)),
      m.group(3) == null ? 0 : Integer.parseInt(m.group(3))
    };
  }

  /** True when {@code found} >= {@code required} (major, minor, patch). */
  static boolean atLeast(int[] found, int[] required) {
    for (int i = 0; i < 3; i++) {
      if (found[i] != required[i]) {
        return found[i] > required[i];
      }
    }
    return true;
  }

  /**
   * True when {@code output} is missing or older than any file under {@code inputs} (files or
   * directories, recursively, skipping {@code node_modules} and {@code target}) that {@code
   * sources} accepts.
   */
  static boolean stale(Path output, List<Path> inputs, Predicate<Path> sources) {
    if (!Files.exists(output)) {
      return true;
    }
    try {
      long built = Files.getLastModifiedTime(output).toMillis();
      for (Path input : inputs) {
        if (!Files.exists(input)) {
          continue;
        }
        try (Stream<Path> walk = Files.walk(input)) {
          boolean newer =
              walk.filter(
                      p ->
                          !p.toString().contains("/node_modules/")
                              && !p.toString().contains("/target/"))
                  .filter(Files::isRegularFile)
                  .filter(sources)
                  .anyMatch(p -> modified(p) > built);
          if (newer) {
            return true;
          }
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + output, e);
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Runs a build step to completion, output to {@code log}; a failure or timeout is a one-line
   * {@link IllegalStateException} naming {@code what} and pointing to the log.
   */
  static void build(
      String what,
      List<String> command,
      Path dir,
      Map<String, String> env,
      Path log,
      Duration timeout) {
    try {
      Files.createDirectories(log.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + log.getParent(), e);
    }
    dev.tracelab.env.Steps.run(what, log, () -> runBuild(what, command, dir, env, log, timeout));
  }

  private static void runBuild(
      String what,
      List<String> command,
      Path dir,
      Map<String, String> env,
      Path log,
      Duration timeout) {
    ChildProcess build =
        ChildProcess.builder(what, command).workingDirectory(dir).env(env).log(log).start();
    OptionalInt exit = build.awaitExit(timeout);
    if (exit.isEmpty()) {
      throw new IllegalStateException(
          what + " did not finish within " + timeout.toSeconds() + " s; see " + log);
    }
    if (exit.getAsInt() != 0) {
      throw new IllegalStateException(
          what + " failed (exit code " + exit.getAsInt() + "); see " + log);
    }
  }
}
