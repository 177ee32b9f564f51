package dev.tracelab.cli;

import java.io.PrintStream;
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
}
