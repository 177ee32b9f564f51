// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.orphans.AuditMerge;
import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.env.process.ChildProcess;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.env.tier.ScaleCollector;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code ./lab bench scale --auditors N} (docs/scale.md): the same traffic through the lab's
 * collector ({@code compose/collector/scale.yaml}: the {@code load_balancing} exporter, {@code
 * routing_key: traceID}, a static resolver) to one auditor, then to N auditors; the N reports
 * merged ({@link AuditMerge}, what {@code ./lab audit merge} does) and compared with the single
 * one.
 *
 * <p>The traffic is {@link IngestWorkload#withBrokenEdges()}: complete lab traces plus, in one
 * request in {@value IngestWorkload#BROKEN_EVERY}, a trace broken at the HTTP boundary and one at
 * the Kafka boundary; each broken edge's two ends are two trace ids, so the balancer usually sends
 * them to two auditors. The load generator ({@link OtlpHttpLoad}) posts OTLP/HTTP protobuf to the
 * collector; the collector forwards OTLP/gRPC to the auditors ({@code audit --listen --spec lab},
 * child JVMs), with no queue: a slow auditor slows the sender. The single side runs {@code seconds}
 * (or {@code requests}); the scaled side then sends exactly the same requests. A side's spans/s:
 * its spans over the time from its first request to the last span received by its auditors. Its
 * report is read once every trace is closed ({@code GET /api/report?pending=true}).
 */
public final class ScaleBench {

  /** One side: one auditor, or N behind the balancer. */
  public record Side(
      String name,
      int auditors,
      long requests,
      long spans,
      double seconds,
      double spansPerSec,
      double auditorCpuSeconds,
      double collectorCpuSeconds,
      long errors,
      List<AuditReport> reports,
      List<Long> spansPerAuditor) {}

  /** Both sides, the merged report and how it compares with the single one. */
  public record Result(
      Side single,
      Side scaled,
      AuditReport singleReport,
      AuditReport merged,
      List<String> differences,
      String cpus) {
    public boolean equal() {
      return differences.isEmpty();
    }
  }

  /**
   * At most this many requests per side: 2 broken traces per {@value IngestWorkload#BROKEN_EVERY}
   * requests keeps the ends waiting for a partner on another auditor (10 000 at most) under the
   * auditor's bound on pending ends (20 000 per kind), so nothing is dropped and the merge can be
   * exact.
   */
  public static final long MAX_REQUESTS = 40_000;

  private static final String HOST = "127.0.0.1";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private int auditors = 3;
  private Duration seconds = Duration.ofSeconds(20);
  private long requests = -1;
  private int connections = 4;
  private long quietMs = 1000;
  private List<String> auditorJvm = List.of("-Xms256m", "-Xmx1g", "-XX:+UseParallelGC");
  private Path runDir;
  private PrintStream log = System.err;

  public ScaleBench auditors(int n) {
    if (n < 1 || n > 16) {
      throw new IllegalArgumentException("auditors must be 1..16, was " + n);
    }
    this.auditors = n;
    return this;
  }

  /** How long the single side sends (the scaled side then sends the same requests). */
  public ScaleBench seconds(Duration d) {
    this.seconds = d;
    return this;
  }

  /** A fixed number of requests instead of {@link #seconds} (tests). */
  public ScaleBench requests(long n) {
    if (n < 1 || n > MAX_REQUESTS) {
      throw new IllegalArgumentException("requests must be 1.." + MAX_REQUESTS + ", was " + n);
    }
    this.requests = n;
    return this;
  }

  public ScaleBench connections(int n) {
    this.connections = n;
    return this;
  }

  /** The auditors' quiet window (a broken fragment closes after it). */
  public ScaleBench quietMs(long ms) {
    this.quietMs = ms;
    return this;
  }

  public ScaleBench auditorJvm(List<String> options) {
    this.auditorJvm = List.copyOf(options);
    return this;
  }

  public ScaleBench runDir(Path dir) {
    this.runDir = dir;
    return this;
  }

  public ScaleBench log(PrintStream out) {
    this.log = out;
    return this;
  }

  /** Why the bench cannot run here (no collector binary), or null. */
  public static String unavailableReason() {
    return ScaleCollector.unavailableReason();
  }

  public Result run() {
    Path dir = runDir != null ? runDir : LocalHost.tempDir("tracelab-scale-");
    IngestWorkload workload = IngestWorkload.withBrokenEdges();
    String cpus = cpuPlan() + "; load average " + IngestBench.loadAverage() + " at the start";
    log.printf(
        Locale.ROOT,
        "bench scale: 1 auditor, then %d, behind the collector's load_balancing exporter"
            + " (routing_key traceID); %d spans per request, broken-http and broken-kafka traces"
            + " in 2 of every %d requests; %s; logs in %s%n",
        auditors,
        workload.spansPerRequest(),
        IngestWorkload.BROKEN_EVERY,
        cpus,
        dir);
    long limit = requests > 0 ? requests : MAX_REQUESTS;
    Side single = side("single", 1, workload, limit, requests > 0 ? null : seconds, dir);
    Side scaled = side("scaled", auditors, workload, single.requests(), null, dir);
    AuditReport merged =
        AuditMerge.merge(
            scaled.reports(), LabFlowSpecs.JAVA, Duration.ofMillis(100), Duration.ofMinutes(10));
    AuditReport one = single.reports().get(0);
    List<String> differences = differences(one, merged);
    if (single.errors() > 0 || scaled.errors() > 0) {
      differences = new ArrayList<>(differences);
      differences.add(
          "requests failed (single "
              + single.errors()
              + ", scaled "
              + scaled.errors()
              + "): the two sides did not get the same traffic");
    }
    cpus += ", " + IngestBench.loadAverage() + " at the end";
    return new Result(
        single, scaled, withoutPending(one), withoutPending(merged), differences, cpus);
  }

  /**
   * Where the processes run. With at least N + 2 CPUs and {@code taskset}: pinned (not done: the
   * machines this runs on have 2); otherwise they share the CPUs, which the output says.
   */
  private String cpuPlan() {
    int n = IngestBench.Cpus.allowedCpus().size();
    return String.format(
        Locale.ROOT,
        "the auditors, the collector and the load generator share %d CPU%s (not pinned)",
        n,
        n == 1 ? "" : "s");
  }

  private Side side(
      String name, int n, IngestWorkload workload, long limit, Duration time, Path dir) {
    List<ChildProcess> started = new ArrayList<>();
    List<int[]> ports = new ArrayList<>(); // grpc, api
    try {
      for (int i = 0; i < n; i++) {
        int http = LocalHost.freePort();
        int grpc = LocalHost.freePort();
        int api = LocalHost.freePort();
        ports.add(new int[] {grpc, api});
        started.add(
            ChildProcess.builder(name + "-auditor-" + (i + 1), auditorCommand(http, grpc, api))
                .log(dir.resolve(name + "-auditor-" + (i + 1) + ".log"))
                .healthUrl(URI.create("http://" + HOST + ":" + http + "/health"))
                .startTimeout(Duration.ofSeconds(90))
                .stopGrace(Duration.ofSeconds(5))
                .start());
      }
      for (ChildProcess p : started) {
        p.awaitReady();
      }
      List<String> endpoints = ports.stream().map(p -> HOST + ":" + p[0]).toList();
      try (ScaleCollector collector =
          ScaleCollector.start(dir, endpoints, List.of(), Map.of(), Duration.ofSeconds(60))) {
        log.printf(
            Locale.ROOT,
            "  %s: %d auditor(s) at %s (OTLP/gRPC), collector OTLP/HTTP on %d%n",
            name,
            n,
            endpoints,
            collector.otlpHttpPort());
        double[] cpu0 = cpus(started, collector.process().pid());
        long t0 = System.nanoTime();
        OtlpHttpLoad.Counts counts;
        long sent;
        String firstError;
        try (OtlpHttpLoad load =
            OtlpHttpLoad.start(workload, HOST, collector.otlpHttpPort(), connections, 0, limit)) {
          Duration wait = time != null ? time : Duration.ofMinutes(10);
          if (!load.awaitSent(wait) && time == null) {
            throw new IllegalStateException(
                name + ": the requests were not all answered within " + wait);
          }
          load.close();
          counts = load.counts();
          sent = Math.min(load.nextRequest(), limit);
          firstError = load.firstError();
        }
        long spans = sent * workload.spansPerRequest();
        // the last span in: the auditors' received counters reach what was sent
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long received = 0;
        while (System.nanoTime() < deadline) {
          received = received(ports);
          if (received >= spans) {
            break;
          }
          sleep(20);
        }
        long t1 = System.nanoTime();
        double secs = (t1 - t0) / 1e9;
        double[] cpu1 = cpus(started, collector.process().pid());
        if (counts.errors() > 0) {
          log.println(
              "  " + name + ": " + counts.errors() + " failed request(s), first: " + firstError);
        }
        if (received != spans) {
          log.printf(
              Locale.ROOT,
              "  %s: the auditors received %d spans of %d sent%n",
              name,
              received,
              spans);
        }
        // every trace closed (a broken fragment waits the quiet window), then the reports
        awaitClosed(ports, Duration.ofMillis(quietMs * 4 + 10_000));
        List<AuditReport> reports = new ArrayList<>();
        List<Long> perAuditor = new ArrayList<>();
        for (int[] p : ports) {
          reports.add(report(p[1]));
          perAuditor.add(
              (long) IngestBench.metricSum(metrics(p[1]), "tracelab_spans_received_total"));
        }
        log.printf(
            Locale.ROOT,
            "  %s: %d requests, %d spans in %.1f s: %.0f spans/s; spans per auditor %s%n",
            name,
            sent,
            spans,
            secs,
            spans / secs,
            perAuditor);
        return new Side(
            name,
            n,
            sent,
            spans,
            secs,
            spans / secs,
            cpu1[0] - cpu0[0],
            cpu1[1] - cpu0[1],
            counts.errors(),
            reports,
            perAuditor);
      }
    } finally {
      for (ChildProcess p : started) {
        p.close();
      }
    }
  }

  private List<String> auditorCommand(int http, int grpc, int api) {
    List<String> command = new ArrayList<>();
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
            String.valueOf(quietMs)));
    return command;
  }

  /** CPU seconds so far: the auditors' sum, the collector's. */
  private static double[] cpus(List<ChildProcess> auditors, long collectorPid) {
    double a = 0;
    for (ChildProcess p : auditors) {
      a += Math.max(0, IngestBench.cpuSeconds(p.pid()));
    }
    return new double[] {a, Math.max(0, IngestBench.cpuSeconds(collectorPid))};
  }

  private static long received(List<int[]> ports) {
    long sum = 0;
    for (int[] p : ports) {
      sum += (long) IngestBench.metricSum(metrics(p[1]), "tracelab_spans_received_total");
    }
    return sum;
  }

  private static void awaitClosed(List<int[]> ports, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      double open = 0;
      for (int[] p : ports) {
        open += IngestBench.metricSum(metrics(p[1]), "tracelab_traces_in_flight");
      }
      if (open == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            (long) open + " trace(s) still open after " + timeout.toSeconds() + " s");
      }
      sleep(50);
    }
  }

  private static String metrics(int apiPort) {
    return get("http://" + HOST + ":" + apiPort + "/metrics");
  }

  private static AuditReport report(int apiPort) {
    String body = get("http://" + HOST + ":" + apiPort + "/api/report?pending=true");
    try {
      return JSON.readValue(body, AuditReport.class);
    } catch (IOException e) {
      throw new IllegalStateException("auditor on " + apiPort + ": not a report: " + e, e);
    }
  }

  private static String get(String url) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + url + ": HTTP " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new IllegalStateException("GET " + url + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The report as {@code GET /api/report} answers it: without the pairing's pending ends. */
  public static AuditReport withoutPending(AuditReport r) {
    return new AuditReport(
        r.tool(),
        r.version(),
        r.mode(),
        r.spec(),
        r.traces(),
        r.connectedTraces(),
        r.requests(),
        r.connectedRequests(),
        r.linkedRequests(),
        r.fragmentsPerRequest(),
        r.services(),
        r.brokenEdges(),
        r.diagnoses());
  }

  /**
   * What differs between one auditor's report and the merged one, in the figures a merge keeps
   * (docs/design.md §11.4): traces, connected traces, per-service figures, diagnoses, and each
   * broken edge's ends, boundary, count, side and fix (not its example pair, nor the request
   * figures of the correlation attribute, which a merge does not make). Empty when equal.
   */
  public static List<String> differences(AuditReport single, AuditReport merged) {
    List<String> out = new ArrayList<>();
    if (single.traces() != merged.traces()) {
      out.add("traces: " + single.traces() + " vs " + merged.traces());
    }
    if (single.connectedTraces() != merged.connectedTraces()) {
      out.add("connectedTraces: " + single.connectedTraces() + " vs " + merged.connectedTraces());
    }
    if (!Objects.equals(single.services(), merged.services())) {
      out.add("services: " + single.services() + " vs " + merged.services());
    }
    if (!multiset(single.diagnoses()).equals(multiset(merged.diagnoses()))) {
      out.add("diagnoses: " + single.diagnoses() + " vs " + merged.diagnoses());
    }
    Map<List<Object>, Integer> a = multiset(edges(single.brokenEdges()));
    Map<List<Object>, Integer> b = multiset(edges(merged.brokenEdges()));
    if (!a.equals(b)) {
      out.add("brokenEdges: " + a.keySet() + " vs " + b.keySet());
    }
    if (merged.pending() != null && merged.pending().droppedEnds() > 0) {
      out.add("pending ends dropped at the bound: " + merged.pending().droppedEnds());
    }
    return out;
  }

  private static List<List<Object>> edges(List<BrokenEdge> edges) {
    List<List<Object>> out = new ArrayList<>();
    for (BrokenEdge e : edges) {
      out.add(List.of(e.from(), e.to(), e.boundary(), e.count(), e.likely(), e.side(), e.fix()));
    }
    return out;
  }

  private static <T> Map<T, Integer> multiset(List<T> items) {
    Map<T, Integer> m = new HashMap<>();
    for (T t : items) {
      m.merge(t, 1, Integer::sum);
    }
    return m;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
