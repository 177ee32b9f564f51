// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/** A progress bar on stderr: redrawn in place on a terminal, every 25% otherwise. */
final class Progress implements IntConsumer {

  private static final int WIDTH = 30;
  private final PrintStream err;
  private final String label;
  private final int total;
  private final boolean terminal = System.console() != null;
  private int lastQuarter = -1;

  Progress(PrintStream err, String label, int total) {
    this.err = err;
    this.label = label;
    this.total = total;
  }

  @Override
  public synchronized void accept(int done) {
    int filled = total == 0 ? WIDTH : done * WIDTH / total;
    String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
    if (terminal) {
      err.print("\r" + String.format("%-14s [%s] %d/%d", label, bar, done, total));
      if (done == total) {
        err.println();
      }
    } else {
      int quarter = total == 0 ? 4 : done * 4 / total;
      if (quarter != lastQuarter) {
        lastQuarter = quarter;
        err.println(String.format("%-14s [%s] %d/%d", label, bar, done, total));
      }
    }
    err.flush();
  }

  /**
   * One long step (a build, a fetch) on stderr: a line when it starts, then its elapsed time (and,
   * for a download, the bytes so far and the percentage): redrawn every second on a terminal, a
   * line every 15 s (or each quarter of a download) otherwise; a line with the time taken at the
   * end.
   */
  static final class Step implements AutoCloseable {
    private static final long QUIET_LINE_SECONDS = 15;
    private final PrintStream err;
    private final String what;
    private final boolean terminal;
    private final long t0 = System.nanoTime();
    private final ScheduledExecutorService ticker;
    private volatile String bytes = ""; // "46/135 MB, 34%" while a download runs
    private int lastQuarter = -1;
    private long lastLine;
    private boolean ended;

    Step(PrintStream err, String what, Path log) {
      this(err, what, log, System.console() != null);
    }

    Step(PrintStream err, String what, Path log, boolean terminal) {
      this.err = err;
      this.what = what;
      this.terminal = terminal;
      err.println("lab: " + what + (log == null ? "" : " (log: " + log + ")") + "...");
      err.flush();
      this.ticker =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "lab-progress");
                t.setDaemon(true);
                return t;
              });
      ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** A download's progress: {@code done} of {@code total} in {@code unit} (kB, MB, GB). */
    synchronized void bytes(double done, double total, String unit) {
      if (total <= 0 || ended) {
        return;
      }
      int percent = (int) Math.min(100, Math.floor(done * 100 / total));
      bytes =
          String.format(
              Locale.ROOT,
              "[%s] %3d%% %s/%s %s",
              bar(percent),
              percent,
              number(done),
              number(total),
              unit);
      if (!terminal && percent / 25 != lastQuarter) {
        lastQuarter = percent / 25;
        line();
      }
    }

    private static String bar(int percent) {
      int filled = percent * 20 / 100;
      return "#".repeat(filled) + ".".repeat(20 - filled);
    }

    private static String number(double v) {
      return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    long seconds() {
      return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    }

    private synchronized void tick() {
      if (ended) {
        return;
      }
      if (terminal) {
        err.print("\r\033[K  " + status());
        err.flush();
      } else if (seconds() - lastLine >= QUIET_LINE_SECONDS) {
        line();
      }
    }

    private String status() {
      return what + (bytes.isEmpty() ? "" : " " + bytes) + ", " + seconds() + " s";
    }

    private void line() {
      lastLine = seconds();
      err.println("  " + status());
      err.flush();
    }

    /** A line about the step (what a script says it does), above the status line. */
    synchronized void note(String text) {
      if (terminal) {
        err.print("\r\033[K");
      }
      err.println("  " + text);
      err.flush();
    }

    /** Ends the step: its time taken, or that it failed. */
    synchronized void end(boolean ok) {
      if (ended) {
        return;
      }
      ended = true;
      ticker.shutdownNow();
      if (terminal) {
        err.print("\r\033[K");
      }
      double took = (System.nanoTime() - t0) / 1e9;
      err.println(
          String.format(
              Locale.ROOT, "lab: %s: %s %.1f s", what, ok ? "done in" : "failed after", took));
      err.flush();
    }

    @Override
    public void close() {
      end(true);
    }
  }

  /**
   * The lab's long steps ({@link dev.tracelab.env.Steps}: builds on first use) as {@link Step}s.
   */
  static final class Steps implements dev.tracelab.env.Steps.Listener {
    private final PrintStream err;
    private final Map<String, Step> running = new ConcurrentHashMap<>();

    Steps(PrintStream err) {
      this.err = err;
    }

    @Override
    public void started(String what, Path log) {
      running.put(what, new Step(err, what, log == null ? null : relative(log)));
    }

    @Override
    public void finished(String what, Duration took, boolean ok) {
      Step step = running.remove(what);
      if (step != null) {
        step.end(ok);
      }
    }

    private static Path relative(Path log) {
      String root = System.getProperty("tracelab.root");
      if (root != null) {
        Path r = Path.of(root).toAbsolutePath().normalize();
        Path abs = log.toAbsolutePath().normalize();
        if (abs.startsWith(r)) {
          return r.relativize(abs);
        }
      }
      return log;
    }
  }
}
