// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.tier;

import dev.tracelab.env.process.ChildProcess;
import dev.tracelab.env.process.LocalHost;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The telemetry tier of docs/design.md §6 as local processes on loopback (process mode): Zipkin
 * ({@link ZipkinServer}), two tail-sampling collectors ({@link TailCollector}, {@code tail.yaml},
 * instances a and b) and the load-balancing collector ({@link LbCollector}, {@code lb.yaml}) in
 * front of them, which also copies 100% of the spans to the auditor. Every port is a free loopback
 * port.
 *
 * <pre>{@code
 * int auditorPort = LocalHost.freePort();
 * try (CollectorTier tier = CollectorTier.builder()
 *         .auditorOtlpEndpoint("http://127.0.0.1:" + auditorPort).decisionWait(Duration.ofSeconds(3)).start();
 *      LabEnvironment lab = LabEnvironment.builder().ports(0, 0, 0, 0, auditorPort, 0)
 *         .otlpEndpoint(tier.lbOtlpEndpoint()).start()) {
 *   ... // services -> LB -> tail-a | tail-b -> Zipkin; LB -> auditor
 * }
 * }</pre>
 *
 * The programs come from {@link TierArtifacts}; the configs are the ones the compose stack mounts,
 * shipped on the classpath ({@link CollectorConfigs}). Each process is a {@link ChildProcess}, so
 * none outlives this JVM; {@link #close()} stops them all and deletes the run directory (configs,
 * logs, tail files).
 */
public final class CollectorTier implements AutoCloseable {

  static final String HOST = "127.0.0.1";
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /** One tail-sampling instance: where to read its metrics and its two file exporters. */
  public record Tail(
      String name,
      int grpcPort,
      int healthPort,
      URI metricsUrl,
      Path sampledFile,
      Path receivedFile) {}

  private final Builder config;
  private final Path runDir;
  private final Path collectorBin;
  private final Path zipkinJar;
  private final Path tailYaml;
  private final Thread shutdownHook;
  private final List<ChildProcess> children = new ArrayList<>(); // start order
  private final List<TailCollector> tails = new ArrayList<>();
  private ZipkinServer zipkin;
  private LbCollector lb;
  private double samplingPercentage;
  private int generation = 1;
  private Duration collectorsStartup;
  private Duration startup;
  private boolean closed;

  private CollectorTier(Builder b) {
    this.config = b;
    this.samplingPercentage = b.samplingPercentage;
    this.collectorBin = b.collectorBin != null ? b.collectorBin : TierArtifacts.collectorBinary();
    this.zipkinJar = b.zipkinJar != null ? b.zipkinJar : TierArtifacts.zipkinJar();
    this.runDir = LocalHost.tempDir("tracelab-tier-");
    this.shutdownHook = new Thread(this::close, "tracelab-tier-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    long t0 = System.nanoTime();
    try {
      this.tailYaml = CollectorConfigs.write(runDir, CollectorConfigs.TAIL);
      Path lbYaml = CollectorConfigs.write(runDir, CollectorConfigs.LB);
      // Zipkin first (a JVM: the slow part), collectors meanwhile.
      zipkin = ZipkinServer.start(zipkinJar, runDir, b.startTimeout, STOP_GRACE);
      children.add(zipkin.process());
      for (String name : List.of("a", "b")) {
        TailCollector tail =
            TailCollector.start(
                name,
                collectorBin,
                tailYaml,
                runDir,
                policies(),
                zipkin.url(),
                b.startTimeout,
                STOP_GRACE);
        tails.add(tail);
        children.add(tail.process());
      }
      tails.forEach(t -> t.process().awaitReady());
      lb =
          LbCollector.start(
              collectorBin,
              lbYaml,
              runDir,
              tails.stream().map(TailCollector::grpcEndpoint).toList(),
              b.auditorOtlpEndpoint,
              b.startTimeout,
              STOP_GRACE);
      children.add(lb.process());
      lb.process().awaitReady();
      this.collectorsStartup = Duration.ofNanos(System.nanoTime() - t0);
      zipkin.process().awaitReady();
      this.startup = Duration.ofNanos(System.nanoTime() - t0);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Why the tier cannot start here (collector binary or Zipkin jar missing), or empty when it can.
   */
  public static Optional<String> unavailableReason() {
    return TierArtifacts.unavailableReason();
  }

  private TailCollector.Policies policies() {
    return new TailCollector.Policies(
        config.decisionWait,
        config.latencyThresholdMs,
        samplingPercentage,
        Map.copyOf(config.tailEnv));
  }

  /**
   * Restarts both tail collectors (same ports; fresh counters, memory, decision caches and files)
   * with another probabilistic percentage; the LB and Zipkin stay up. The LB's exporter retries
   * what it could not deliver meanwhile.
   */
  public synchronized void restartTails(double samplingPercentage) {
    this.samplingPercentage = samplingPercentage;
    generation++;
    for (int i = 0; i < tails.size(); i++) {
      TailCollector old = tails.get(i);
      children.remove(old.process());
      TailCollector next =
          old.restart(
              generation,
              collectorBin,
              tailYaml,
              runDir,
              policies(),
              zipkin.url(),
              config.startTimeout,
              STOP_GRACE);
      tails.set(i, next);
      children.add(next.process());
    }
    tails.forEach(t -> t.process().awaitReady());
  }

  /** Base URL of the LB collector's OTLP/HTTP receiver (the services' exporter endpoint). */
  public String lbOtlpEndpoint() {
    return lb.otlpHttpEndpoint();
  }

  public String lbOtlpGrpcEndpoint() {
    return lb.otlpGrpcEndpoint();
  }

  public URI lbMetricsUrl() {
    return lb.metricsUrl();
  }

  /** Zipkin's base URL: UI at /zipkin/, API at /api/v2/. */
  public String zipkinUrl() {
    return zipkin.url();
  }

  public synchronized List<Tail> tails() {
    return tails.stream().map(TailCollector::tail).toList();
  }

  public Duration decisionWait() {
    return config.decisionWait;
  }

  public int latencyThresholdMs() {
    return config.latencyThresholdMs;
  }

  public synchronized double samplingPercentage() {
    return samplingPercentage;
  }

  public Path collectorBinary() {
    return collectorBin;
  }

  public Path zipkinJar() {
    return zipkinJar;
  }

  /** Configs, logs and tail files; deleted by {@link #close()}. */
  public Path runDir() {
    return runDir;
  }

  /** From start to every collector healthy. */
  public Duration collectorsStartupTime() {
    return collectorsStartup;
  }

  /** From start to the whole tier (collectors and Zipkin) healthy. */
  public Duration startupTime() {
    return startup;
  }

  /** The last lines of every child's log (for error messages; the logs go with the run dir). */
  public synchronized String logTails(int lines) {
    StringBuilder sb = new StringBuilder();
    for (ChildProcess c : children) {
      sb.append("--- ")
          .append(c.name())
          .append(c.isAlive() ? "" : " (exited)")
          .append('\n')
          .append(c.logTail(lines))
          .append('\n');
    }
    return sb.toString();
  }

  /** Process ids of the running children (guards excluded), by name. */
  public synchronized Map<String, Long> pids() {
    Map<String, Long> pids = new LinkedHashMap<>();
    children.forEach(c -> pids.put(c.name(), c.pid()));
    return pids;
  }

  /**
   * Stops LB first (nothing new reaches the tails), then the tails, Zipkin last; deletes the run
   * dir.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (lb != null) {
      lb.process().stop(STOP_GRACE);
    }
    for (int i = children.size() - 1; i >= 0; i--) {
      children.get(i).stop(STOP_GRACE);
    }
    children.clear();
    LocalHost.deleteTree(runDir);
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to
      }
    }
  }

  public static final class Builder {
    private Path collectorBin;
    private Path zipkinJar;
    private String auditorOtlpEndpoint = "http://127.0.0.1:4318";
    private Duration decisionWait = Duration.ofSeconds(3);
    private int latencyThresholdMs = 1000;
    private double samplingPercentage = 1;
    private Duration startTimeout = Duration.ofSeconds(90);
    private final Map<String, String> tailEnv = new LinkedHashMap<>();

    public Builder collectorBinary(Path bin) {
      this.collectorBin = bin;
      return this;
    }

    public Builder zipkinJar(Path jar) {
      this.zipkinJar = jar;
      return this;
    }

    /** Base URL of the auditor's OTLP/HTTP receiver; the LB copies every span there. */
    public Builder auditorOtlpEndpoint(String endpoint) {
      this.auditorOtlpEndpoint = endpoint;
      return this;
    }

    /** tail_sampling decision_wait (committed default 30 s; lab runs use a few seconds). */
    public Builder decisionWait(Duration decisionWait) {
      if (decisionWait.toMillis() < 1000) {
        throw new IllegalArgumentException(
            "decision_wait must be at least 1 s (the processor ticks every second)");
      }
      this.decisionWait = decisionWait;
      return this;
    }

    /** The latency policy's threshold. */
    public Builder latencyThresholdMs(int ms) {
      this.latencyThresholdMs = ms;
      return this;
    }

    /** The probabilistic policy's percentage (0-100) for the rest. */
    public Builder samplingPercentage(double percentage) {
      if (percentage < 0 || percentage > 100) {
        throw new IllegalArgumentException("sampling percentage must be 0..100");
      }
      this.samplingPercentage = percentage;
      return this;
    }

    /** Any other tail.yaml env knob (e.g. TAIL_NUM_TRACES). */
    public Builder tailEnv(String name, String value) {
      tailEnv.put(name, value);
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    public CollectorTier start() {
      return new CollectorTier(this);
    }
  }
}
