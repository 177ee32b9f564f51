// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The lab's long steps (a build on first use, an install, a fetch) announce themselves here, so
 * that a command line can show what is being built and for how long ({@code ./lab} does, on
 * stderr). Nothing listens by default: a library user sees nothing.
 */
public final class Steps {

  /** Told when a step starts and ends. Called on the step's thread; must return quickly. */
  public interface Listener {
    /**
     * @param what what the step does, e.g. {@code go build of gateway-svc}
     * @param log where its output goes (may be null)
     */
    void started(String what, Path log);

    void finished(String what, Duration took, boolean ok);
  }

  private static volatile Listener listener;

  private Steps() {}

  /** Replaces the listener (null: none). */
  public static void listen(Listener l) {
    listener = l;
  }

  /** Runs {@code step}, telling the listener when it starts and ends. */
  public static <T> T run(String what, Path log, Supplier<T> step) {
    Listener l = listener;
    if (l == null) {
      return step.get();
    }
    long t0 = System.nanoTime();
    l.started(what, log);
    boolean ok = false;
    try {
      T result = step.get();
      ok = true;
      return result;
    } finally {
      l.finished(what, Duration.ofNanos(System.nanoTime() - t0), ok);
    }
  }

  /** {@link #run(String, Path, Supplier)} for a step without a result. */
  public static void run(String what, Path log, Runnable step) {
    run(
        what,
        log,
        () -> {
          step.run();
          return null;
        });
  }
}
