// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.longrun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Samples the resident memory of named processes every second: {@code VmRSS} of {@code
 * /proc/<pid>/status} (Linux). The pids are asked for at each sample, so a restarted process is
 * followed under its name.
 */
final class RssSampler implements AutoCloseable {

  /** One sample: seconds since the sampler started, resident MiB. */
  record Sample(double seconds, double mib) {}

  private final Supplier<Map<String, Long>> pids;
  private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
  private final ScheduledExecutorService ticker;
  private final long t0 = System.nanoTime();

  private RssSampler(Supplier<Map<String, Long>> pids) {
    this.pids = pids;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "rss-sampler");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts sampling now (first sample at once), then every second. */
  static RssSampler start(Supplier<Map<String, Long>> pids) {
    RssSampler sampler = new RssSampler(pids);
    sampler.ticker.scheduleAtFixedRate(sampler::sample, 0, 1, TimeUnit.SECONDS);
    return sampler;
  }

  private void sample() {
    double t = (System.nanoTime() - t0) / 1e9;
    pids.get()
        .forEach(
            (name, pid) -> {
              double mib = rssMiB(pid);
              if (!Double.isNaN(mib)) {
                synchronized (samples) {
                  samples.computeIfAbsent(name, n -> new ArrayList<>()).add(new Sample(t, mib));
                }
              }
            });
  }

  /** Seconds since the sampler started. */
  double elapsedSeconds() {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** A copy of every series so far, by process name. */
  Map<String, List<Sample>> series() {
    synchronized (samples) {
      Map<String, List<Sample>> copy = new LinkedHashMap<>();
      samples.forEach((name, list) -> copy.put(name, List.copyOf(list)));
      return copy;
    }
  }

  /** {@code VmRSS} of {@code pid} in MiB, NaN when the process is gone or there is no /proc. */
  static double rssMiB(long pid) {
    if (pid <= 0) {
      return Double.NaN;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) / 1024.0; // kB
        }
      }
    } catch (IOException | RuntimeException gone) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  /**
   * Least-squares slope of the samples with {@code from <= seconds <= to}, MiB per minute; NaN
   * under 3 samples.
   */
  static double slopeMiBPerMin(List<Sample> series, double from, double to) {
    List<Sample> in =
        series.stream().filter(s -> s.seconds() >= from && s.seconds() <= to).toList();
    int n = in.size();
    if (n < 3) {
      return Double.NaN;
    }
    double mx = in.stream().mapToDouble(Sample::seconds).average().orElse(0);
    double my = in.stream().mapToDouble(Sample::mib).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    for (Sample s : in) {
      sxy += (s.seconds() - mx) * (s.mib() - my);
      sxx += (s.seconds() - mx) * (s.seconds() - mx);
    }
    return sxx == 0 ? Double.NaN : sxy / sxx * 60;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
