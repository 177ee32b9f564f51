package dev.tracelab.env;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The telemetry tier of docs/design.md §6 as local processes on loopback (process mode): Zipkin (its exec
 * jar), two tail-sampling collectors ({@code compose/collector/tail.yaml}, instances a and b) and
 * the load-balancing collector ({@code lb.yaml}) in front of them, which also copies 100% of the
 * spans to the auditor. Every port is a free loopback port.
 *
 * <pre>{@code
 * int auditorPort = CollectorTier.freePort();
 * try (CollectorTier tier = CollectorTier.builder()
 *         .auditorOtlpEndpoint("http://127.0.0.1:" + auditorPort).decisionWait(Duration.ofSeconds(3)).start();
 *      LabEnvironment lab = LabEnvironment.builder().ports(0, 0, 0, 0, auditorPort, 0)
 *         .otlpEndpoint(tier.lbOtlpEndpoint()).start()) {
 *   ... // services -> LB -> tail-a | tail-b -> Zipkin; LB -> auditor
 * }
 * }</pre>
 *
 * The collector binary comes from {@code TRACELAB_OTELCOL_BIN}, else from the cache path that
 * {@code compose/collector/build-collector.sh} builds into; Zipkin from {@code
 * TRACELAB_ZIPKIN_JAR}, else the cache that {@code compose/collector/fetch-zipkin.sh} fills. Each
 * child runs under a guard that stops it when this JVM goes away, and {@link #close()} stops them
 * all and deletes the run directory (logs, tail files).
 */
public final class CollectorTier implements AutoCloseable {

  public static final String ZIPKIN_VERSION = Versions.ZIPKIN;
  private static final String HOST = "127.0.0.1";
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /** One tail-sampling instance: where to read its metrics and its two file exporters. */
  public record Tail(String name, int grpcPort, int healthPort, URI metricsUrl, Path sampledFile, Path receivedFile) {}

  private final Builder config;
  private final Path root;
  private final Path runDir;
  private final Path collectorBin;
  private final Path zipkinJar;
  private final List<ChildProcess> children = new ArrayList<>(); // start order
  private final Thread shutdownHook;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
  private final int zipkinPort;
  private final int lbGrpcPort;
  private final int lbHttpPort;
  private final int lbHealthPort;
  private final int lbMetricsPort;
  private final List<Tail> tails = new ArrayList<>();
  private ChildProcess zipkin;
  private ChildProcess lb;
  private final List<ChildProcess> tailProcesses = new ArrayList<>();
  private double samplingPercentage;
  private int generation;
  private Duration collectorsStartup;
  private Duration startup;
  private boolean closed;

  private CollectorTier(Builder b) {
    this.config = b;
    this.samplingPercentage = b.samplingPercentage;
    this.root = b.repoRoot != null ? b.repoRoot : locateRepoRoot();
    this.collectorBin = b.collectorBin != null ? b.collectorBin : locateCollector(root);
    this.zipkinJar = b.zipkinJar != null ? b.zipkinJar : locateZipkin();
    for (String f : List.of("lb.yaml", "tail.yaml")) {
      if (!Files.isRegularFile(configDir(root).resolve(f))) {
        throw new IllegalStateException("missing " + configDir(root).resolve(f));
      }
    }
    this.zipkinPort = LocalHost.freePort();
    this.lbGrpcPort = LocalHost.freePort();
    this.lbHttpPort = LocalHost.freePort();
    this.lbHealthPort = LocalHost.freePort();
    this.lbMetricsPort = LocalHost.freePort();
    this.runDir = LocalHost.tempDir("tracelab-tier-");
    this.shutdownHook = new Thread(this::close, "tracelab-tier-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    long t0 = System.nanoTime();
    try {
      // Zipkin first (a JVM: the slow part), collectors meanwhile.
      zipkin = spawn("zipkin", List.of(
          LocalHost.javaBin(), "-Xms64m", "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
          "-jar", zipkinJar.toString(),
          "--armeria.ports[0].port=" + zipkinPort, "--armeria.ports[0].ip=" + HOST,
          "--armeria.ports[0].protocols=http"), Map.of());
      Path tailYaml = configDir(root).resolve("tail.yaml");
      for (String name : List.of("a", "b")) {
        tails.add(new Tail(name, LocalHost.freePort(), LocalHost.freePort(),
            URI.create("http://" + HOST + ":" + LocalHost.freePort() + "/metrics"), null, null));
      }
      startTails(tailYaml);
      long deadline = System.nanoTime() + b.startTimeout.toNanos();
      for (Tail t : tails) {
        awaitHealthy(tailProcesses.get(tails.indexOf(t)), URI.create("http://" + HOST + ":" + t.healthPort() + "/"), deadline);
      }
      Map<String, String> lbEnv = new LinkedHashMap<>();
      lbEnv.put("BIND_HOST", HOST);
      lbEnv.put("LB_OTLP_GRPC_PORT", String.valueOf(lbGrpcPort));
      lbEnv.put("LB_OTLP_HTTP_PORT", String.valueOf(lbHttpPort));
      lbEnv.put("LB_HEALTH_PORT", String.valueOf(lbHealthPort));
      lbEnv.put("LB_METRICS_PORT", String.valueOf(lbMetricsPort));
      lbEnv.put("TAIL_A_ENDPOINT", HOST + ":" + tails.get(0).grpcPort());
      lbEnv.put("TAIL_B_ENDPOINT", HOST + ":" + tails.get(1).grpcPort());
      lbEnv.put("AUDITOR_OTLP_ENDPOINT", b.auditorOtlpEndpoint);
      lb = spawn("lb", List.of(collectorBin.toString(), "--config=" + configDir(root).resolve("lb.yaml")), lbEnv);
      awaitHealthy(lb, URI.create("http://" + HOST + ":" + lbHealthPort + "/"), deadline);
      this.collectorsStartup = Duration.ofNanos(System.nanoTime() - t0);
      awaitHealthy(zipkin, URI.create(zipkinUrl() + "/health"), deadline);
      this.startup = Duration.ofNanos(System.nanoTime() - t0);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  private void startTails(Path tailYaml) {
    generation++;
    List<Tail> updated = new ArrayList<>();
    for (Tail t : tails) {
      Path sampled = runDir.resolve("tail-" + t.name() + "-" + generation + ".sampled.json");
      Path received = runDir.resolve("tail-" + t.name() + "-" + generation + ".received.json");
      // A second pipeline on the same receiver: every span this instance RECEIVED, before any
      // sampling (the committed tail.yaml only files what it kept). The routing proof needs both.
      Path overlay = runDir.resolve("tail-" + t.name() + "-" + generation + ".received.yaml");
      write(overlay, String.join("\n",
          "exporters:",
          "  file/received:",
          "    path: " + received,
          "    format: json",
          "    flush_interval: 1s",
          "service:",
          "  pipelines:",
          "    traces/received:",
          "      receivers: [otlp]",
          "      exporters: [file/received]",
          ""));
      Map<String, String> env = new LinkedHashMap<>();
      env.put("BIND_HOST", HOST);
      env.put("TAIL_NAME", t.name());
      env.put("TAIL_OTLP_GRPC_PORT", String.valueOf(t.grpcPort()));
      env.put("TAIL_HEALTH_PORT", String.valueOf(t.healthPort()));
      env.put("TAIL_METRICS_PORT", String.valueOf(t.metricsUrl().getPort()));
      env.put("TAIL_FILE", sampled.toString());
      env.put("TAIL_DECISION_WAIT", config.decisionWait.toMillis() + "ms");
      env.put("TAIL_LATENCY_THRESHOLD_MS", String.valueOf(config.latencyThresholdMs));
      env.put("TAIL_SAMPLING_PERCENTAGE", format(samplingPercentage));
      env.put("ZIPKIN_ENDPOINT", zipkinUrl() + "/api/v2/spans");
      env.putAll(config.tailEnv);
      tailProcesses.add(spawn("tail-" + t.name(),
          List.of(collectorBin.toString(), "--config=" + tailYaml, "--config=" + overlay), env));
      updated.add(new Tail(t.name(), t.grpcPort(), t.healthPort(), t.metricsUrl(), sampled, received));
    }
    tails.clear();
    tails.addAll(updated);
  }

  /**
   * Restarts both tail collectors (same ports; fresh counters, memory, decision caches and
   * files) with another probabilistic percentage; the LB and Zipkin stay up. The LB's exporter
   * retries what it could not deliver meanwhile.
   */
  public synchronized void restartTails(double samplingPercentage) {
    for (ChildProcess p : tailProcesses) {
      p.stop(STOP_GRACE);
      children.remove(p);
    }
    tailProcesses.clear();
    this.samplingPercentage = samplingPercentage;
    startTails(configDir(root).resolve("tail.yaml"));
    long deadline = System.nanoTime() + config.startTimeout.toNanos();
    for (int i = 0; i < tails.size(); i++) {
      awaitHealthy(tailProcesses.get(i), URI.create("http://" + HOST + ":" + tails.get(i).healthPort() + "/"), deadline);
    }
  }

  /** Base URL of the LB collector's OTLP/HTTP receiver (the services' exporter endpoint). */
  public String lbOtlpEndpoint() {
    return "http://" + HOST + ":" + lbHttpPort;
  }

  public String lbOtlpGrpcEndpoint() {
    return HOST + ":" + lbGrpcPort;
  }

  public URI lbMetricsUrl() {
    return URI.create("http://" + HOST + ":" + lbMetricsPort + "/metrics");
  }

  /** Zipkin's base URL: UI at /zipkin/, API at /api/v2/. */
  public String zipkinUrl() {
    return "http://" + HOST + ":" + zipkinPort;
  }

  public synchronized List<Tail> tails() {
    return List.copyOf(tails);
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

  /** Logs and tail files; deleted by {@link #close()}. */
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
      sb.append("--- ").append(c.name()).append(c.isAlive() ? "" : " (exited)").append('\n').append(c.logTail(lines)).append('\n');
    }
    return sb.toString();
  }

  /** Process ids of the running children (guards excluded), by name. */
  public synchronized Map<String, Long> pids() {
    Map<String, Long> pids = new LinkedHashMap<>();
    children.forEach(c -> pids.put(c.name(), c.pid()));
    return pids;
  }

  /** Stops LB first (nothing new reaches the tails), then the tails, Zipkin last; deletes the run dir. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (lb != null) {
      lb.stop(STOP_GRACE);
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

  private ChildProcess spawn(String name, List<String> command, Map<String, String> env) {
    ChildProcess p = ChildProcess.start(name, command, env, runDir.resolve(name + "-" + generation + ".log"));
    children.add(p);
    return p;
  }

  private void awaitHealthy(ChildProcess process, URI url, long deadlineNanos) {
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(process.name() + " exited during start-up:\n" + process.logTail(25));
      }
      try {
        HttpResponse<Void> r = http.send(
            HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting " + process.name(), e);
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException(process.name() + " not healthy at " + url + " within " + config.startTimeout
            + ":\n" + process.logTail(25));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting " + process.name(), e);
      }
    }
  }

  // ------------------------------------------------------------------ locating things

  /** A free loopback port (for the auditor's OTLP port, which the LB must know before it starts). */
  public static int freePort() {
    return LocalHost.freePort();
  }

  /**
   * The repository root: system property {@code tracelab.root}, else the first directory holding
   * {@code compose/collector/tail.yaml} walking up from the working directory, else from where
   * this class was loaded (e.g. {@code lab-cli/target/lib/}).
   */
  public static Path locateRepoRoot() {
    String prop = System.getProperty("tracelab.root");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop).toAbsolutePath();
    }
    List<Path> starts = new ArrayList<>();
    starts.add(Path.of(System.getProperty("user.dir")).toAbsolutePath());
    try {
      starts.add(Path.of(CollectorTier.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    } catch (URISyntaxException | RuntimeException ignored) {
      // no code source
    }
    for (Path start : starts) {
      for (Path p = start; p != null; p = p.getParent()) {
        if (Files.isRegularFile(configDir(p).resolve("tail.yaml"))) {
          return p;
        }
      }
    }
    throw new IllegalStateException(
        "cannot find compose/collector/tail.yaml above " + starts.get(0) + " (run from the tracelab checkout or set -Dtracelab.root=...)");
  }

  static Path configDir(Path root) {
    return root.resolve("compose").resolve("collector");
  }

  static Path cacheRoot() {
    String cache = System.getenv("TRACELAB_CACHE");
    return cache != null && !cache.isBlank()
        ? Path.of(cache)
        : Path.of(System.getProperty("user.home"), ".cache", "tracelab");
  }

  /**
   * The collector binary: {@code TRACELAB_OTELCOL_BIN}, else {@code <cache>/otelcol/<sha256 of
   * the resolved builder-config.yaml>/otelcol-lab} exactly as build-collector.sh computes it.
   */
  public static Path locateCollector(Path repoRoot) {
    String env = System.getenv("TRACELAB_OTELCOL_BIN");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException("TRACELAB_OTELCOL_BIN=" + env + " is not an executable file");
      }
      return p;
    }
    Path manifest = configDir(repoRoot).resolve("builder-config.yaml");
    Path bin = cacheRoot().resolve("otelcol").resolve(Versions.collectorCacheKey(manifest)).resolve("otelcol-lab");
    if (!Files.isExecutable(bin)) {
      throw new IllegalStateException("no collector binary at " + bin
          + ": run compose/collector/build-collector.sh (or set TRACELAB_OTELCOL_BIN)");
    }
    return bin;
  }

  /**
   * The Zipkin exec jar: {@code TRACELAB_ZIPKIN_JAR}, else {@code <cache>/zipkin/}, else the local
   * Maven repository.
   */
  public static Path locateZipkin() {
    String env = System.getenv("TRACELAB_ZIPKIN_JAR");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException("TRACELAB_ZIPKIN_JAR=" + env + " is not a file");
      }
      return p;
    }
    String file = "zipkin-server-" + ZIPKIN_VERSION + "-exec.jar";
    Path cached = cacheRoot().resolve("zipkin").resolve(file);
    if (Files.isRegularFile(cached)) {
      return cached;
    }
    Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository", "io", "zipkin", "zipkin-server", ZIPKIN_VERSION, file);
    if (Files.isRegularFile(m2)) {
      return m2;
    }
    throw new IllegalStateException("no Zipkin exec jar at " + cached
        + ": run compose/collector/fetch-zipkin.sh (or set TRACELAB_ZIPKIN_JAR)");
  }

  /** Why the tier cannot start here (binary or jar missing), or empty when it can. */
  public static Optional<String> unavailableReason() {
    try {
      locateCollector(locateRepoRoot());
      locateZipkin();
      return Optional.empty();
    } catch (IllegalStateException e) {
      return Optional.of(e.getMessage());
    }
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String format(double percentage) {
    return percentage == Math.rint(percentage)
        ? String.valueOf((long) percentage)
        : String.format(Locale.ROOT, "%s", percentage);
  }

  public static final class Builder {
    private Path repoRoot;
    private Path collectorBin;
    private Path zipkinJar;
    private String auditorOtlpEndpoint = "http://127.0.0.1:4318";
    private Duration decisionWait = Duration.ofSeconds(3);
    private int latencyThresholdMs = 1000;
    private double samplingPercentage = 1;
    private Duration startTimeout = Duration.ofSeconds(90);
    private final Map<String, String> tailEnv = new LinkedHashMap<>();

    /** Where compose/collector/ lives; default {@link #locateRepoRoot()}. */
    public Builder repoRoot(Path repoRoot) {
      this.repoRoot = repoRoot;
      return this;
    }

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
        throw new IllegalArgumentException("decision_wait must be at least 1 s (the processor ticks every second)");
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
