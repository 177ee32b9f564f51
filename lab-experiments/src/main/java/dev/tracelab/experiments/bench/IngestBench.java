// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.bench;

import dev.tracelab.env.process.ChildProcess;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.env.tier.BenchCollector;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./lab bench ingest} (docs/scale.md): how many spans per second the auditor ingests on one
 * core, next to the lab's OpenTelemetry Collector doing its trace-buffering work (tail sampling
 * with a decision wait) on one core, both fed the same OTLP/HTTP protobuf requests over loopback by
 * one load generator ({@link OtlpHttpLoad}, on the other cores).
 *
 * <p>Each side runs in turn, alone: its server starts pinned to the server CPU ({@code taskset
 * -c}), gets {@code warmup} of load (not counted: JIT, heap and buffers settle), then {@code
 * seconds} of load whose 2xx answers are counted, then stops. The auditor is {@code lab-auditor}'s
 * {@code audit --listen --spec lab} in a child JVM (OTLP/HTTP, every span judged: assembly, orphan
 * rules, edge pairing); the collector is {@code compose/collector/bench.yaml}.
 */
public final class IngestBench {

  /** What one side did in the measured window. */
  public record Side(
      String name,
      double spansPerSec,
      double spansPerCpuSecond,
      double requestsPerSec,
      long refused,
      long errors,
      long serverSpans,
      double heapAfterGcMiB,
      double peakRssMiB,
      String note) {}

  /**
   * Both sides; {@code collector} null when it could not run ({@code collectorMissing} says why).
   */
  public record Result(
      Side auditor,
      Side collector,
      String collectorMissing,
      int spansPerTrace,
      int cores,
      int connections,
      double seconds) {

    /** Auditor spans/s over collector spans/s; null without a collector figure. */
    public Double ratio() {
      return collector == null || collector.spansPerSec() <= 0
          ? null
          : auditor.spansPerSec() / collector.spansPerSec();
    }
  }

  private static final String HOST = "127.0.0.1";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Duration warmup = Duration.ofSeconds(5);
  private Duration seconds = Duration.ofSeconds(20);
  private int connections = 4;

  /**
   * The auditor's JVM: a 2 GiB heap (the collector's memory limit in bench.yaml), the throughput
   * collector.
   */
  public static final List<String> AUDITOR_JVM = List.of("-Xms2g", "-Xmx2g", "-XX:+UseParallelGC");

  private List<String> auditorJvm = AUDITOR_JVM;
  private String decisionWait = "2s";
  private boolean collector = true;
  private Path runDir;
  private PrintStream log = System.err;

  public IngestBench warmup(Duration d) {
    this.warmup = d;
    return this;
  }

  public IngestBench seconds(Duration d) {
    this.seconds = d;
    return this;
  }

  public IngestBench connections(int n) {
    this.connections = n;
    return this;
  }

  /** The auditor JVM's options (heap, GC). */
  public IngestBench auditorJvm(List<String> options) {
    this.auditorJvm = List.copyOf(options);
    return this;
  }

  /** The collector's {@code decision_wait} (the auditor's quiet window is the same). */
  public IngestBench decisionWait(String wait) {
    this.decisionWait = wait;
    return this;
  }

  /** Measures the collector too (default), or the auditor alone. */
  public IngestBench collector(boolean run) {
    this.collector = run;
    return this;
  }

  public IngestBench runDir(Path dir) {
    this.runDir = dir;
    return this;
  }

  public IngestBench log(PrintStream out) {
    this.log = out;
    return this;
  }

  public Result run() {
    Path dir = runDir != null ? runDir : LocalHost.tempDir("tracelab-bench-");
    Cpus cpus = Cpus.plan(log);
    IngestWorkload workload = new IngestWorkload();
    log.printf(
        Locale.ROOT,
        "bench ingest: %d spans per request (%d traces of %d spans), %d connection(s); "
            + "servers on CPU %s, load generator on CPU %s; %d s warm-up + %d s measured per side; logs in %s%n",
        workload.spansPerRequest(),
        IngestWorkload.TRACES_PER_REQUEST,
        IngestWorkload.SPANS_PER_TRACE,
        connections,
        cpus.server == null ? "(not pinned)" : cpus.server,
        cpus.client == null ? "(not pinned)" : cpus.client,
        warmup.toSeconds(),
        seconds.toSeconds(),
        dir);
    cpus.pinSelf();
    try {
      Side auditor = runAuditor(workload, cpus, dir);
      Side other = null;
      String missing = null;
      if (!collector) {
        missing = "not asked for (--auditor-only)";
      } else {
        missing = BenchCollector.unavailableReason();
        if (missing == null) {
          other = runCollector(workload, cpus, dir);
        }
      }
      return new Result(
          auditor,
          other,
          missing,
          IngestWorkload.SPANS_PER_TRACE,
          1,
          connections,
          seconds.toMillis() / 1000.0);
    } finally {
      cpus.unpinSelf();
    }
  }

  private Side runAuditor(IngestWorkload workload, Cpus cpus, Path dir) {
    int http = LocalHost.freePort();
    int grpc = LocalHost.freePort();
    int api = LocalHost.freePort();
    List<String> command = new ArrayList<>(cpus.pinServer());
    command.add(LocalHost.javaBin());
    command.addAll(auditorJvm);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.tracelab.auditor.AuditorMain",
            "audit",
            "--listen",
            "--spec",
            "lab",
            "--bind",
            HOST,
            "--otlp-http-port",
            String.valueOf(http),
            "--otlp-grpc-port",
            String.valueOf(grpc),
            "--api-port",
            String.valueOf(api),
            "--quiet-ms",
            String.valueOf(parseMillis(decisionWait))));
    log.println(
        "auditor: "
            + String.join(" ", command)
                .replace(System.getProperty("java.class.path"), "<the lab's classpath>"));
    try (ChildProcess p =
        ChildProcess.builder("bench-auditor", command)
            .log(dir.resolve("bench-auditor.log"))
            .healthUrl(URI.create("http://" + HOST + ":" + http + "/health"))
            .startTimeout(Duration.ofSeconds(60))
            .stopGrace(Duration.ofSeconds(5))
            .start()
            .awaitReady()) {
      String apiUrl = "http://" + HOST + ":" + api;
      Window w =
          measure(
              "auditor",
              workload,
              http,
              p.pid(),
              () ->
                  (long) workload.spansPerRequest()
                      * jsonLong(get(apiUrl + "/api/stats"), "acceptedRequests"));
      // the live heap after the run: what the auditor keeps (closed traces for queries, the run's
      // figures)
      double heap = heapAfterGcMiB(p.pid());
      String report = get(apiUrl + "/api/report");
      String note =
          String.format(
              Locale.ROOT,
              "report: %d traces judged, %d connected, %d broken edge(s)",
              jsonLong(report, "traces"),
              jsonLong(report, "connectedTraces"),
              countOf(report, "\"boundary\""));
      return w.side("auditor", heap, note);
    }
  }

  private Side runCollector(IngestWorkload workload, Cpus cpus, Path dir) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("BENCH_DECISION_WAIT", decisionWait);
    if (cpus.server != null) {
      env.put("GOMAXPROCS", "1");
    }
    log.println(
        "collector: "
            + "compose/collector/bench.yaml (tail_sampling, decision_wait "
            + decisionWait
            + ")");
    try (BenchCollector c =
        BenchCollector.start(dir, cpus.pinServer(), env, Duration.ofSeconds(60))) {
      String metrics = c.metricsUrl().toString();
      Window w =
          measure(
              "collector",
              workload,
              c.otlpHttpPort(),
              c.process().pid(),
              () -> (long) metricSum(get(metrics), "otelcol_receiver_accepted_spans"));
      String m = get(metrics);
      double heap = metricSum(m, "otelcol_process_runtime_heap_alloc_bytes") / 1048576.0;
      String note =
          String.format(
              Locale.ROOT,
              "traces sampled %.0f, dropped undecided %.0f, spans exported %.0f (Go heap at the end %.0f MiB)",
              metricSum(m, "otelcol_processor_tail_sampling_global_count_traces_sampled"),
              metricSum(m, "otelcol_processor_tail_sampling_sampling_trace_dropped_too_early"),
              metricSum(m, "otelcol_exporter_sent_spans"),
              heap);
      return w.side("collector", Double.NaN, note);
    }
  }

  /** The measured window of one side. */
  private record Window(
      OtlpHttpLoad.Counts counts,
      double seconds,
      double cpuSeconds,
      long serverSpans,
      double peakRssMiB) {
    Side side(String name, double heapAfterGcMiB, String note) {
      return new Side(
          name,
          counts.spans() / seconds,
          cpuSeconds > 0 ? counts.spans() / cpuSeconds : Double.NaN,
          counts.requests() / seconds,
          counts.refused(),
          counts.errors(),
          serverSpans,
          heapAfterGcMiB,
          peakRssMiB,
          note);
    }
  }

  private Window measure(
      String name,
      IngestWorkload workload,
      int port,
      long pid,
      java.util.function.LongSupplier serverSpans) {
    try (OtlpHttpLoad load = OtlpHttpLoad.start(workload, HOST, port, connections, 0)) {
      sleep(warmup);
      OtlpHttpLoad.Counts before = load.counts();
      long serverBefore = safe(serverSpans);
      double cpuBefore = cpuSeconds(pid);
      long t0 = System.nanoTime();
      double peak = 0;
      long end = t0 + seconds.toNanos();
      long nextReport = t0 + 5_000_000_000L;
      OtlpHttpLoad.Counts last = before;
      long lastAt = t0;
      while (System.nanoTime() < end) {
        sleep(
            Duration.ofMillis(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000))));
        peak = Math.max(peak, rssMiB(pid));
        long now = System.nanoTime();
        if (now >= nextReport) {
          OtlpHttpLoad.Counts c = load.counts();
          log.printf(
              Locale.ROOT,
              "  %s: %.0f spans/s%n",
              name,
              (c.spans() - last.spans()) / ((now - lastAt) / 1e9));
          last = c;
          lastAt = now;
          nextReport += 5_000_000_000L;
        }
      }
      OtlpHttpLoad.Counts during = load.counts().minus(before);
      double secs = (System.nanoTime() - t0) / 1e9;
      double cpu = cpuSeconds(pid) - cpuBefore;
      long server = safe(serverSpans) - serverBefore;
      if (during.errors() > 0) {
        log.println(
            "  " + name + ": " + during.errors() + " error(s), first: " + load.firstError());
      }
      return new Window(during, secs, cpuBefore < 0 ? -1 : cpu, server, peak);
    }
  }

  private static long safe(java.util.function.LongSupplier s) {
    try {
      return s.getAsLong();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** {@code jcmd GC.run} then the heap in use, in MiB; NaN when jcmd cannot tell. */
  private static double heapAfterGcMiB(long pid) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (pid <= 0 || !Files.isExecutable(jcmd)) {
      return Double.NaN;
    }
    try {
      run(List.of(jcmd.toString(), Long.toString(pid), "GC.run"));
      String info = run(List.of(jcmd.toString(), Long.toString(pid), "GC.heap_info"));
      // Serial "def new generation / tenured generation   total 943744K, used 12345K", Parallel
      // "PSYoungGen / ParOldGen   total ..., used ...", G1 "garbage-first heap   total ..., used
      // ..."
      Matcher m = Pattern.compile("total\\s+\\d+K,\\s+used\\s+(\\d+)K").matcher(info);
      long kib = 0;
      boolean any = false;
      while (m.find()) {
        kib += Long.parseLong(m.group(1));
        any = true;
      }
      if (!any) {
        return Double.NaN;
      }
      return kib / 1024.0;
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  private static String run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * CPU time the process used so far (user + system, all its threads: {@code /proc/<pid>/stat}), in
   * seconds; -1 when unknown. Spans per CPU-second do not depend on what else runs on the core.
   */
  static double cpuSeconds(long pid) {
    return cpuSeconds(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /** User + system CPU seconds in a {@code /proc} stat file (a process's or a thread's); -1. */
  static double cpuSeconds(Path statFile) {
    try {
      String stat = Files.readString(statFile);
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based over the whole line)
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static final long CLOCK_TICKS = clockTicks();

  private static long clockTicks() {
    try {
      String out = run(List.of("getconf", "CLK_TCK")).trim();
      return Long.parseLong(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    }
  }

  /**
   * The 1-minute load average ({@code /proc/loadavg}), e.g. {@code "1.52"}; {@code "n/a"} when
   * unknown. Printed with the figures: on a shared machine it says how much else was running.
   */
  public static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** {@code VmRSS} of a process in MiB (Linux), 0 when unknown. */
  static double rssMiB(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc, or the process is gone
    }
    return 0;
  }

  private static String get(String url) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.body();
    } catch (IOException e) {
      throw new IllegalStateException("GET " + url + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The first {@code "name": number} in a JSON text; -1 when absent. */
  static long jsonLong(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(-?\\d+)").matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static int countOf(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  /** The sum of every sample of a Prometheus metric family (any labels); 0 when absent. */
  static double metricSum(String text, String name) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name)
          && (line.length() > name.length())
          && (line.charAt(name.length()) == '{'
              || line.charAt(name.length()) == ' '
              || line.startsWith(name + "_total"))) {
        String[] parts = line.trim().split("\\s+");
        try {
          sum += Double.parseDouble(parts[parts.length - 1]);
        } catch (NumberFormatException e) {
          // not a sample line
        }
      }
    }
    return sum;
  }

  static long parseMillis(String duration) {
    String d = duration.trim();
    if (d.endsWith("ms")) {
      return Long.parseLong(d.substring(0, d.length() - 2));
    }
    if (d.endsWith("s")) {
      return (long) (Double.parseDouble(d.substring(0, d.length() - 1)) * 1000);
    }
    return Long.parseLong(d);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Which CPUs the servers and the load generator use: the last CPU this process may run on for the
   * server, the others for the load generator (this JVM, all its threads, for the length of the
   * run). Without {@code taskset} or with a single CPU, nothing is pinned.
   */
  static final class Cpus {
    final String server;
    final String client;
    final String all;

    private Cpus(String server, String client, String all) {
      this.server = server;
      this.client = client;
      this.all = all;
    }

    static Cpus plan(PrintStream log) {
      List<Integer> allowed = allowedCpus();
      if (allowed.size() < 2 || !tasksetWorks()) {
        log.println(
            "bench ingest: "
                + (allowed.size() < 2 ? "one CPU" : "no taskset")
                + ": servers and load generator not pinned");
        return new Cpus(null, null, null);
      }
      StringBuilder client = new StringBuilder();
      for (int i = 0; i < allowed.size() - 1; i++) {
        client.append(i == 0 ? "" : ",").append(allowed.get(i));
      }
      StringBuilder all =
          new StringBuilder(client).append(',').append(allowed.get(allowed.size() - 1));
      return new Cpus(
          String.valueOf(allowed.get(allowed.size() - 1)), client.toString(), all.toString());
    }

    List<String> pinServer() {
      return server == null ? List.of() : List.of("taskset", "-c", server);
    }

    void pinSelf() {
      if (client != null) {
        taskset(client);
      }
    }

    void unpinSelf() {
      if (all != null) {
        taskset(all);
      }
    }

    private static void taskset(String cpus) {
      try {
        run(
            List.of(
                "taskset", "-a", "-p", "-c", cpus, Long.toString(ProcessHandle.current().pid())));
      } catch (IOException e) {
        // best effort: unpinned
      }
    }

    static boolean tasksetWorks() {
      try {
        Process p =
            new ProcessBuilder("taskset", "-p", Long.toString(ProcessHandle.current().pid()))
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    /** {@code Cpus_allowed_list} of /proc/self/status, e.g. {@code 0-3,6}; else 0..n-1. */
    static List<Integer> allowedCpus() {
      List<Integer> cpus = new ArrayList<>();
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("Cpus_allowed_list:")) {
            for (String part : line.substring(18).trim().split(",")) {
              String[] range = part.trim().split("-");
              int from = Integer.parseInt(range[0]);
              int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
              for (int c = from; c <= to; c++) {
                cpus.add(c);
              }
            }
            return cpus;
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux
      }
      for (int c = 0; c < Runtime.getRuntime().availableProcessors(); c++) {
        cpus.add(c);
      }
      return cpus;
    }
  }
}
