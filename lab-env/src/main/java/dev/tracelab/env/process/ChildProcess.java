// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.process;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One supervised child process of the lab — any program: a JVM, a Go binary, a Node.js program, a
 * collector. Given a command, environment, working directory and log file, it starts the program,
 * tells when it is ready, and stops it with a grace period.
 *
 * <pre>{@code
 * try (ChildProcess worker = ChildProcess.builder("worker-svc", List.of("node", "worker.js"))
 *         .env(Map.of("PORT", "18081", "OTEL_SERVICE_NAME", "worker-svc"))
 *         .workingDirectory(Path.of("worker-node"))
 *         .log(runDir.resolve("worker-svc.log"))
 *         .healthUrl(URI.create("http://127.0.0.1:18081/health"))
 *         .startTimeout(Duration.ofSeconds(30))
 *         .start()
 *         .awaitReady()) {
 *   ...
 * } // SIGTERM, SIGKILL after the stop grace period
 * }</pre>
 *
 * <p><b>No child outlives this JVM.</b> The program runs under a tiny {@code /bin/sh} guard whose
 * stdin is a pipe from this JVM (the lifeline): when the pipe reaches EOF — {@link #stop} closes
 * it, or this JVM dies in any way, even {@code kill -9} — the guard sends SIGTERM to the program
 * and exits once it has. The program itself gets {@code /dev/null} as stdin; stdout and stderr go
 * to the log file (overwritten), whose last lines are in every start-up error.
 *
 * <p>The environment is this JVM's, plus {@link Builder#env}; a program configured only by
 * environment variables (the lab's services are) needs nothing else.
 */
public final class ChildProcess implements AutoCloseable {

  /**
   * $@ = the command. The child gets /dev/null as stdin and no copy of the lifeline; a watcher
   * blocks on the lifeline (fd 3) and terminates the child at EOF.
   */
  private static final String GUARD =
      String.join(
          "\n",
          "exec 3<&0 0</dev/null",
          "\"$@\" 3<&- &",
          "c=$!",
          "{ cat <&3 >/dev/null 2>&1; kill -TERM \"$c\" 2>/dev/null; } &",
          "exec 3<&-",
          "trap 'kill -TERM \"$c\" 2>/dev/null' TERM INT HUP",
          "while :; do wait \"$c\"; rc=$?; kill -0 \"$c\" 2>/dev/null || break; done",
          "exit $rc");

  private static final int ERROR_LOG_LINES = 25;
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();

  private final Builder config;
  private final Process guard;
  private final OutputStream lifeline;
  private final long startedNanos;

  private ChildProcess(Builder config, Process guard, long startedNanos) {
    this.config = config;
    this.guard = guard;
    this.lifeline = guard.getOutputStream();
    this.startedNanos = startedNanos;
  }

  /**
   * A child named {@code name} (in logs and errors) running {@code command} (program and
   * arguments).
   */
  public static Builder builder(String name, List<String> command) {
    return new Builder(name, command);
  }

  public String name() {
    return config.name;
  }

  public List<String> command() {
    return config.command;
  }

  /** Where the program's stdout and stderr go. */
  public Path log() {
    return config.log;
  }

  public boolean isAlive() {
    return guard.isAlive();
  }

  /**
   * The program's process id while it runs, else -1. The guard forks the program first and its
   * lifeline watcher second, so the program is the guard's child with the lower pid.
   */
  public long pid() {
    return guard.children().mapToLong(ProcessHandle::pid).min().orElse(-1L);
  }

  /** The program's exit code once it has exited (143 after SIGTERM for most programs). */
  public OptionalInt exitCode() {
    return guard.isAlive() ? OptionalInt.empty() : OptionalInt.of(guard.exitValue());
  }

  /**
   * Waits for a program that runs to completion (a build step) to exit, at most {@code timeout};
   * then stops it. Returns its exit code, or empty when it was stopped at the timeout.
   */
  public OptionalInt awaitExit(Duration timeout) {
    try {
      if (guard.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return OptionalInt.of(guard.exitValue());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stop(config.stopGrace);
    return OptionalInt.empty();
  }

  /** The last {@code lines} lines of the log. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(config.log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log at " + config.log + ")";
    }
  }

  /**
   * Waits until the readiness check passes (none configured: returns at once), at most the start
   * timeout counted from {@link Builder#start()}. When the program exits first or the timeout
   * passes, stops it and throws an {@link IllegalStateException} with the last lines of its log.
   *
   * @return this, for {@code builder(...).start().awaitReady()}
   */
  public ChildProcess awaitReady() {
    if (config.readiness == null) {
      return this;
    }
    long deadline = startedNanos + config.startTimeout.toNanos();
    while (true) {
      if (!isAlive()) {
        throw startFailure(
            config.name + " exited during start-up (exit code " + guard.exitValue() + ")");
      }
      if (config.readiness.getAsBoolean()) {
        return this;
      }
      if (System.nanoTime() > deadline) {
        throw startFailure(
            config.name
                + " not ready ("
                + config.readinessDescription
                + ") within "
                + format(config.startTimeout));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop(config.stopGrace);
        throw new IllegalStateException("interrupted while starting " + config.name, e);
      }
    }
  }

  private static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private IllegalStateException startFailure(String message) {
    String tail = logTail(ERROR_LOG_LINES); // as it was when the start failed
    stop(config.stopGrace);
    return new IllegalStateException(
        message + "; command " + config.command + ", log " + config.log + ", last lines:\n" + tail);
  }

  /**
   * SIGTERM through the lifeline, then SIGKILL to whatever is left after {@code grace}. Returns
   * when the program and everything it started are gone. Stopping twice is harmless.
   */
  public void stop(Duration grace) {
    List<ProcessHandle> tree = new ArrayList<>(guard.descendants().toList());
    try {
      lifeline.close();
    } catch (IOException ignored) {
      // already closed
    }
    try {
      if (!guard.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        tree.addAll(guard.descendants().toList());
        tree.forEach(ProcessHandle::destroyForcibly);
        guard.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle p : tree) {
        p.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      tree.forEach(ProcessHandle::destroyForcibly);
      guard.destroyForcibly();
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      tree.forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** {@link #stop(Duration)} with the configured grace period. */
  @Override
  public void close() {
    stop(config.stopGrace);
  }

  /** True when {@code GET url} answers 200 now. */
  static boolean answers200(URI url) {
    try {
      return HTTP.send(
                  HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(1)).GET().build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException notYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** True when something accepts TCP connections at {@code address} now. */
  static boolean accepts(InetSocketAddress address) {
    try (Socket s = new Socket()) {
      s.connect(address, 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  public static final class Builder {
    private final String name;
    private final List<String> command;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path workingDirectory;
    private Path log;
    private BooleanSupplier readiness;
    private String readinessDescription;
    private Duration startTimeout = Duration.ofSeconds(60);
    private Duration stopGrace = Duration.ofSeconds(10);

    private Builder(String name, List<String> command) {
      if (command.isEmpty()) {
        throw new IllegalArgumentException("empty command for " + name);
      }
      this.name = Objects.requireNonNull(name);
      this.command = List.copyOf(command);
    }

    /** Environment variables on top of this JVM's. */
    public Builder env(Map<String, String> variables) {
      env.putAll(variables);
      return this;
    }

    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** Default: this JVM's working directory. */
    public Builder workingDirectory(Path dir) {
      this.workingDirectory = dir;
      return this;
    }

    /** Required: the file that receives stdout and stderr (created or overwritten). */
    public Builder log(Path file) {
      this.log = file;
      return this;
    }

    /** Ready when {@code GET url} answers 200 (a {@code /health} endpoint). */
    public Builder healthUrl(URI url) {
      return readiness("GET " + url + " -> 200", () -> answers200(url));
    }

    /** Ready when the program accepts TCP connections at {@code host:port}. */
    public Builder listening(String host, int port) {
      InetSocketAddress address = new InetSocketAddress(host, port);
      return readiness("listening on " + host + ":" + port, () -> accepts(address));
    }

    /** Any other readiness check, polled every 50 ms by {@link ChildProcess#awaitReady()}. */
    public Builder readiness(String description, BooleanSupplier check) {
      this.readinessDescription = description;
      this.readiness = check;
      return this;
    }

    /** How long {@link ChildProcess#awaitReady()} waits, from start (default 60 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** How long {@link ChildProcess#close()} waits after SIGTERM before SIGKILL (default 10 s). */
    public Builder stopGrace(Duration grace) {
      this.stopGrace = grace;
      return this;
    }

    /**
     * Launches the program under the guard; see {@link ChildProcess#awaitReady()} to wait for it.
     */
    public ChildProcess start() {
      if (log == null) {
        throw new IllegalStateException("no log file for " + name);
      }
      List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", GUARD, "tracelab-" + name));
      argv.addAll(command);
      ProcessBuilder pb =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
      if (workingDirectory != null) {
        pb.directory(workingDirectory.toFile());
      }
      pb.environment().putAll(env);
      try {
        long t0 = System.nanoTime();
        return new ChildProcess(this, pb.start(), t0);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + ")", e);
      }
    }
  }
}
