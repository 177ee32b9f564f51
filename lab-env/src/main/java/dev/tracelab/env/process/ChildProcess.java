package dev.tracelab.env.process;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process that cannot outlive this JVM. It runs under a tiny {@code /bin/sh} guard whose
 * stdin is a pipe from this JVM (the lifeline): when the pipe reaches EOF — {@link #stop} closes
 * it, or the JVM dies in any way, even {@code kill -9} — the guard sends SIGTERM to the child and
 * exits once the child has. Output goes to a log file.
 */
public final class ChildProcess {

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

  private final String name;
  private final Process guard;
  private final OutputStream lifeline;
  private final Path log;

  private ChildProcess(String name, Process guard, Path log) {
    this.name = name;
    this.guard = guard;
    this.lifeline = guard.getOutputStream();
    this.log = log;
  }

  public static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log) {
    List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", GUARD, "tracelab-" + name));
    argv.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    try {
      return new ChildProcess(name, pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + ")", e);
    }
  }

  public String name() {
    return name;
  }

  public boolean isAlive() {
    return guard.isAlive();
  }

  /** The child itself (under the guard), if it is running. */
  public long pid() {
    return guard.descendants().findFirst().map(ProcessHandle::pid).orElse(-1L);
  }

  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log at " + log + ")";
    }
  }

  /** SIGTERM through the lifeline, then SIGKILL after {@code grace}. Returns when it is gone. */
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
}
