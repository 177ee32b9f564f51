// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

import dev.tracelab.env.service.NodeImplementation;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Language;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Rebuilds what the learner changed and runs each task's span-level tests: for Java one Maven run
 * over the tasks' modules ({@code -pl <modules> -am test -Dtest=<classes>}; it also leaves the
 * compiled classes the end-to-end run uses), for Go {@code go test -run} in the role's package, for
 * Node.js {@code node --test} on the boundary's test file. Output goes to {@code .tracelab/build/}.
 */
final class SpanTests {

  /**
   * A task's build and span-level tests: passed, or what failed (compiler errors, failing tests).
   *
   * @param compiles the learner's code built and the tests ran
   * @param errors the compiler's errors in the learner's code, first first; empty when it compiled
   *     or did not get that far (no toolchain)
   */
  record Outcome(boolean compiles, boolean passed, String detail, List<String> errors) {

    Outcome {
      errors = List.copyOf(errors);
    }

    static Outcome ok(String detail) {
      return new Outcome(true, true, detail, List.of());
    }

    /** Built, and the tests (or reading their report) failed. */
    static Outcome failed(String detail) {
      return new Outcome(true, false, detail, List.of());
    }

    /**
     * Not built, for a reason other than the learner's code (a missing toolchain, a build that
     * stopped early).
     */
    static Outcome notBuilt(String detail) {
      return new Outcome(false, false, detail, List.of());
    }

    /**
     * The learner's code does not compile: {@code does not compile: <first error>}, then the
     * others.
     */
    static Outcome compileErrors(List<String> errors) {
      List<String> distinct = errors.stream().distinct().limit(8).toList();
      return new Outcome(
          false, false, "does not compile: " + String.join("\n", distinct), distinct);
    }

    /** True when the compiler rejected the learner's code. */
    boolean compileError() {
      return !errors.isEmpty();
    }
  }

  private static final Pattern JAVA_ERROR =
      Pattern.compile("^\\[ERROR\\] (/\\S+\\.java):\\[(\\d+),\\d+\\] (.*)$");
  private static final Pattern GO_ERROR = Pattern.compile("^(\\S+\\.go):(\\d+):\\d+: (.*)$");
  private static final Pattern TESTSUITE =
      Pattern.compile("<testsuite[^>]*\\btests=\"(\\d+)\"[^>]*");
  private static final Pattern FAILED_CASE =
      Pattern.compile("<testcase name=\"([^\"]+)\"[^>]*>\\s*<(failure|error)");

  private final Path root;
  private final Path logs;

  SpanTests(Path root) {
    this.root = root;
    this.logs = root.resolve(".tracelab").resolve("build");
  }

  Map<Task, Outcome> run(List<Task> tasks, java.io.PrintStream progress) {
    Map<Task, Outcome> out = new LinkedHashMap<>();
    List<Task> java = tasks.stream().filter(t -> t.language() == Language.JAVA).toList();
    if (!java.isEmpty()) {
      progress.println(
          "building and testing Java: ./mvnw -pl "
              + modules(java)
              + " -am test (span-level tests) ...");
      out.putAll(maven(java));
    }
    for (Task t : tasks) {
      if (t.language() == Language.GO) {
        progress.println("building and testing Go: go test ./" + t.module() + "/go ...");
        out.put(t, go(t));
      } else if (t.language() == Language.NODE) {
        progress.println(
            "testing Node.js: node --test "
                + t.module()
                + "/node/test/"
                + t.spanTests()
                + ".test.js ...");
        out.put(t, node(t));
      } else if (t.language() == Language.BROWSER) {
        progress.println(
            "testing the page: node --test "
                + t.module()
                + "/test/"
                + t.spanTests()
                + ".test.js (npm ci and the bundle first, when needed) ...");
        out.put(t, page(t));
      } else if (t.language() == null) {
        Map<String, String> p = OtelEnv.read(root); // a bad line: one error naming it
        out.put(
            t,
            Outcome.ok(
                OtelEnv.FILE
                    + " reads: "
                    + String.join(
                        ", ",
                        p.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList())));
      }
    }
    return out;
  }

  /** The page's allowlist: syntax, then its unit tests in {@code frontend/} (bundled first). */
  private Outcome page(Task t) {
    Optional<Path> node = find("node", List.of(Path.of("/usr/local/bin"), Path.of("/usr/bin")));
    if (node.isEmpty()) {
      return Outcome.notBuilt("needs Node.js 20.6+ (node not found on PATH)");
    }
    Path log = logs.resolve("node-" + t.module() + ".log");
    if (exec(List.of(node.get().toString(), "--check", t.fixFile()), root, Map.of(), log, 2) != 0) {
      return Outcome.compileErrors(List.of(syntaxError(lines(log))));
    }
    try {
      dev.tracelab.env.service.FrontendBundle.prepare(root); // npm ci and the bundle, when stale
    } catch (IllegalStateException e) {
      return Outcome.notBuilt(e.getMessage());
    }
    Path dir = root.resolve(t.module());
    int exit =
        exec(
            List.of(node.get().toString(), "--test", "test/" + t.spanTests() + ".test.js"),
            dir,
            Map.of(),
            log,
            5);
    return tapOutcome(t, exit, lines(log), log);
  }

  private static String modules(List<Task> tasks) {
    return String.join(",", tasks.stream().map(Task::module).distinct().toList());
  }

  private Map<Task, Outcome> maven(List<Task> tasks) {
    for (Task t : tasks) {
      deleteTree(root.resolve(t.module()).resolve("target").resolve("surefire-reports"));
    }
    Path log = logs.resolve("maven.log");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                root.resolve("mvnw").toString(),
                "-B",
                "-ntp",
                "-fae",
                "-pl",
                modules(tasks),
                "-am",
                "test",
                "-Dtest=" + String.join(",", tasks.stream().map(Task::spanTests).toList()),
                "-Dsurefire.failIfNoSpecifiedTests=false"));
    exec(cmd, root, Map.of(), log, 20);
    List<String> lines = lines(log);
    Map<Task, Outcome> out = new LinkedHashMap<>();
    for (Task t : tasks) {
      String fixDir = root.resolve(t.module()).toString() + File.separator;
      List<String> errors = new ArrayList<>();
      for (String line : lines) {
        Matcher m = JAVA_ERROR.matcher(line);
        if (m.matches() && m.group(1).startsWith(fixDir)) {
          errors.add(root.relativize(Path.of(m.group(1))) + ":" + m.group(2) + ": " + m.group(3));
        }
      }
      if (!errors.isEmpty()) {
        out.put(t, Outcome.compileErrors(errors));
        continue;
      }
      Path report =
          findReport(
              root.resolve(t.module()).resolve("target").resolve("surefire-reports"),
              t.spanTests());
      if (report == null) {
        out.put(
            t,
            Outcome.notBuilt(
                "the Maven build did not reach the tests; see " + root.relativize(log)));
        continue;
      }
      out.put(t, junitOutcome(t.spanTests(), report));
    }
    return out;
  }

  private static Path findReport(Path dir, String testClass) {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(
              p ->
                  p.getFileName().toString().startsWith("TEST-")
                      && p.getFileName().toString().endsWith("." + testClass + ".xml"))
          .findFirst()
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static Outcome junitOutcome(String testClass, Path report) {
    String xml;
    try {
      xml = Files.readString(report);
    } catch (IOException e) {
      return Outcome.failed("cannot read " + report);
    }
    Matcher suite = TESTSUITE.matcher(xml);
    int tests = suite.find() ? Integer.parseInt(suite.group(1)) : 0;
    List<String> failed = new ArrayList<>();
    Matcher m = FAILED_CASE.matcher(xml);
    while (m.find()) {
      failed.add(m.group(1));
    }
    if (failed.isEmpty()) {
      return Outcome.ok(testClass + ": " + tests + " of " + tests + " passed");
    }
    return Outcome.failed(
        testClass
            + ": "
            + failed.size()
            + " of "
            + tests
            + " failed: "
            + String.join(", ", failed));
  }

  private Outcome go(Task t) {
    Optional<Path> go = find("go", List.of(Path.of("/usr/local/go/bin")));
    if (go.isEmpty()) {
      return Outcome.notBuilt("needs Go (go not found on PATH or in /usr/local/go/bin)");
    }
    Path log = logs.resolve("go-" + t.module() + ".log");
    int exit =
        exec(
            List.of(
                go.get().toString(),
                "test",
                "-count=1",
                "-run",
                "^(" + t.spanTests() + ")$",
                "./" + t.module() + "/go"),
            root,
            Map.of("GOTOOLCHAIN", "local"),
            log,
            10);
    List<String> lines = lines(log);
    List<String> errors = new ArrayList<>();
    for (String line : lines) {
      Matcher m = GO_ERROR.matcher(line.strip());
      if (m.matches() && !line.contains("_test.go")) {
        errors.add(m.group(1) + ":" + m.group(2) + ": " + m.group(3));
      }
    }
    if (exit == 0) {
      return Outcome.ok("go test -run '" + t.spanTests() + "': ok");
    }
    if (errors.isEmpty()) {
      lines.stream()
          .filter(l -> l.contains("[build failed]") || l.contains("[setup failed]"))
          .findFirst()
          .ifPresent(l -> errors.add(l.strip()));
    }
    if (!errors.isEmpty()) {
      return Outcome.compileErrors(errors);
    }
    List<String> failed =
        lines.stream()
            .map(String::strip)
            .filter(l -> l.startsWith("--- FAIL:"))
            .map(l -> l.substring("--- FAIL:".length()).strip().split(" ")[0])
            .filter(n -> !n.contains("/"))
            .distinct()
            .toList();
    return Outcome.failed(
        "go test: "
            + (failed.isEmpty() ? "failed" : "failed: " + String.join(", ", failed))
            + " ("
            + root.relativize(log)
            + ")");
  }

  private Outcome node(Task t) {
    Path dir = root.resolve(t.module()).resolve("node");
    try {
      NodeImplementation.create(root).prepare(Flow.WORKER); // Node.js 20.6+ and npm ci when needed
    } catch (IllegalStateException e) {
      return Outcome.notBuilt(e.getMessage());
    }
    Path node = find("node", List.of(Path.of("/usr/local/bin"), Path.of("/usr/bin"))).orElseThrow();
    Path log = logs.resolve("node-" + t.module() + ".log");
    int check =
        exec(
            List.of(
                node.toString(), "--check", root.relativize(root.resolve(t.fixFile())).toString()),
            root,
            Map.of(),
            log,
            2);
    if (check != 0) {
      return Outcome.compileErrors(List.of(syntaxError(lines(log))));
    }
    int exit =
        exec(
            List.of(
                node.toString(),
                "--test",
                "--import",
                "./test/instrument.js",
                "test/" + t.spanTests() + ".test.js"),
            dir,
            Map.of(),
            log,
            5);
    return tapOutcome(t, exit, lines(log), log);
  }

  /** A {@code node --test} run's outcome from its TAP output. */
  private Outcome tapOutcome(Task t, int exit, List<String> lines, Path log) {
    if (exit == 0) {
      String pass =
          lines.stream()
              .filter(l -> l.startsWith("# pass"))
              .findFirst()
              .orElse("# pass")
              .substring(2);
      return Outcome.ok(t.spanTests() + ".test.js: " + pass);
    }
    List<String> failed =
        lines.stream()
            .filter(l -> l.stripLeading().startsWith("not ok"))
            .map(l -> l.strip().replaceFirst("^not ok \\d+ - ", ""))
            .toList();
    return Outcome.failed(
        t.spanTests()
            + ".test.js failed: "
            + String.join(", ", failed)
            + " ("
            + root.relativize(log)
            + ")");
  }

  /**
   * {@code node --check}'s report as one line: {@code <file>:<line>: SyntaxError: ...} (it prints
   * the location, the source line, a caret, then the error).
   */
  private String syntaxError(List<String> lines) {
    String location = lines.isEmpty() ? "" : lines.get(0).strip();
    if (location.startsWith(root.toString() + File.separator)) {
      location = location.substring(root.toString().length() + 1);
    }
    String error =
        lines.stream()
            .map(String::strip)
            .filter(l -> l.matches("^[A-Za-z]*Error\\b.*"))
            .findFirst()
            .orElse("");
    return error.isEmpty() ? location : location.isEmpty() ? error : location + ": " + error;
  }

  // ---- processes ----

  static Optional<Path> find(String program, List<Path> extra) {
    List<Path> dirs = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty()) {
        dirs.add(Path.of(d));
      }
    }
    dirs.addAll(extra);
    return dirs.stream().map(d -> d.resolve(program)).filter(Files::isExecutable).findFirst();
  }

  /**
   * Runs a command to completion, output to {@code log}; its exit code (124 after {@code minutes}).
   */
  private static int exec(
      List<String> command, Path dir, Map<String, String> env, Path log, int minutes) {
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        return 124;
      }
      return p.exitValue();
    } catch (IOException e) {
      throw new ExerciseException("cannot run " + command.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExerciseException("interrupted");
    }
  }

  private static List<String> lines(Path log) {
    try {
      return Files.readAllLines(log);
    } catch (IOException e) {
      return List.of();
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // stale reports are matched by class name; a leftover only repeats the last verdict
    }
  }
}
