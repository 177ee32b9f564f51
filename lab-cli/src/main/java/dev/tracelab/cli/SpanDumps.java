// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.auditor.input.SpanDump;
import dev.tracelab.auditor.trace.ReceivedSpan;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code --dump-spans F}: every span the lab's auditor received, as OTLP JSON Lines, so {@code
 * ./lab audit --spec lab F} judges the same traffic again (docs/audit.md). One file per run: a
 * command of one scenario writes {@code F}; {@code demo} writes one per scenario, its label
 * inserted before the extension ({@code spans-broken-http.jsonl}).
 */
final class SpanDumps implements Consumer<List<ReceivedSpan>>, AutoCloseable {

  private final Path base;
  private final boolean perRun;
  private final List<Path> written = new ArrayList<>();
  private SpanDump current;

  private SpanDumps(Path base, boolean perRun) {
    this.base = base;
    this.perRun = perRun;
  }

  /** Null when {@code path} is null (no dump asked). */
  static SpanDumps of(Path path, boolean perRun) {
    return path == null ? null : new SpanDumps(path, perRun);
  }

  /** From now on spans go to the file of {@code run}. */
  synchronized void startRun(String run) {
    closeCurrent();
    Path file = perRun ? fileOf(run) : base;
    try {
      current = SpanDump.create(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    written.add(file);
  }

  Path fileOf(String run) {
    String name = base.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String label = run.replaceAll("[^A-Za-z0-9._-]+", "-");
    String file =
        dot > 0 ? name.substring(0, dot) + "-" + label + name.substring(dot) : name + "-" + label;
    return base.resolveSibling(file);
  }

  @Override
  public synchronized void accept(List<ReceivedSpan> spans) {
    if (current != null) {
      current.write(spans);
    }
  }

  private void closeCurrent() {
    if (current != null) {
      try {
        current.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      current = null;
    }
  }

  /** Prints which files were written. */
  void report(PrintStream err) {
    for (Path p : written) {
      err.println("spans written to " + p + " (judge them: ./lab audit --spec lab " + p + ")");
    }
  }

  @Override
  public synchronized void close() {
    closeCurrent();
  }
}
