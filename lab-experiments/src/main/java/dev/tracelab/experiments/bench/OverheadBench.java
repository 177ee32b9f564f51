// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.bench;

import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.service.ServiceImplementation;
import dev.tracelab.experiments.OrderClient;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Language;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code ./lab bench overhead} (docs/scale.md): what tracing costs the services. Two embedded labs
 * run side by side, the same services as child processes (the Java ones as child JVMs; Go and
 * Node.js as their programs), each with its own Kafka broker, the fixed variant: one with the SDK
 * on (exporting OTLP to its auditor, which runs in this JVM, outside the services' processes), one
 * with {@code OTEL_SDK_DISABLED=true}. After a warm-up of each, a closed-loop load ({@code
 * requests} orders at {@code concurrency} in flight, each client sending its next order when the
 * last is answered) goes to one lab, then the other, {@code pairs} times, in ABBA order (on, off;
 * off, on; ...). The warm-up, on all CPUs, runs both labs the same rounds until both labs'
 * throughput and CPU per order are steady. Between phases the flow drains (every order consumed:
 * the services' processes idle), so one phase's deferred work never runs during the next. Each
 * phase also records its processes' CPU time, by process: where the cost goes.
 *
 * <p>Where {@code taskset} works and there are 2 or more CPUs, after the warm-up the services and
 * the brokers are pinned to the last CPU and this JVM (load generator, auditors) to the others:
 * what is measured is the services' cost, not the auditor's.
 */
public final class OverheadBench {

  /**
   * One measured phase. {@code cpuSeconds}: CPU time (user + system) per process of the lab under
   * load, from the first order to the end of the drain, by {@link #processes what it runs}.
   */
  public record Phase(
      int pair,
      boolean sdk,
      long requests,
      long failed,
      double seconds,
      double p99Ms,
      Map<String, Double> cpuSeconds) {
    public Phase {
      cpuSeconds = Map.copyOf(cpuSeconds);
    }

    public double throughput() {
      return requests / seconds;
    }

    /** The processes' CPU microseconds per order, all together; NaN when not measured. */
    public double cpuMicrosPerOrder() {
      return cpuSeconds.isEmpty()
          ? Double.NaN
          : cpuSeconds.values().stream().mapToDouble(Double::doubleValue).sum() * 1e6 / requests;
    }
  }

  /**
   * The run: every phase, the ratios, and what the labs received with the SDK off (empty when it
   * was off everywhere).
   */
  public record Result(
      Implementations implementations,
      List<Phase> phases,
      int pairs,
      int requests,
      int concurrency,
      String cpus,
      Map<String, Long> spansWithSdkOff) {

    /** Median over pairs of (throughput on / throughput off): 1.0 = tracing costs nothing. */
    public double throughputRatio() {
      return ratio(phases, true);
    }

    /** Median over pairs of (p99 off / p99 on): 1.0 = tracing adds nothing to the p99. */
    public double p99Ratio() {
      return ratio(phases, false);
    }

    /**
     * CPU microseconds per order by process (services' roles, {@code kafka}), with the SDK on or
     * off: the sum over the measured phases of that side, divided by their orders.
     */
    public Map<String, Double> cpuMicrosPerOrder(boolean sdk) {
      return cpuPerOrder(phases, sdk);
    }
  }

  /** See {@link Result#cpuMicrosPerOrder}; warm-up phases (pair < 0) do not count. */
  static Map<String, Double> cpuPerOrder(List<Phase> phases, boolean sdk) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    long orders = 0;
    for (Phase p : phases) {
      if (p.pair() < 0 || p.sdk() != sdk || p.cpuSeconds().isEmpty()) {
        continue;
      }
      orders += p.requests();
      p.cpuSeconds().forEach((k, v) -> seconds.merge(k, v, Double::sum));
    }
    Map<String, Double> perOrder = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : seconds.entrySet()) {
      perOrder.put(e.getKey(), e.getValue() * 1e6 / orders);
    }
    return perOrder;
  }

  private Implementations implementations = Implementations.JAVA;
  private int pairs = 5;
  private int requests = 2000;
  private int concurrency = 16;
  private int warmup = 2000;
  private PrintStream log = System.err;

  /**
   * The Java services' JVM options: the JIT a service runs with in production (C1 then C2), not the
   * lab's quick-start C1-only flags ({@code ChildProcessImplementation.LAB_JVM}).
   */
  public static final List<String> SERVICE_JVM = List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC");

  private List<String> serviceJvm = SERVICE_JVM;

  /** The Java services' JVM options (both labs). */
  public OverheadBench serviceJvm(List<String> options) {
    this.serviceJvm = List.copyOf(options);
    return this;
  }

  public OverheadBench implementations(Implementations i) {
    this.implementations = i.servicesOnly();
    return this;
  }

  public OverheadBench pairs(int n) {
    this.pairs = n;
    return this;
  }

  public OverheadBench requests(int n) {
    this.requests = n;
    return this;
  }

  public OverheadBench concurrency(int n) {
    this.concurrency = n;
    return this;
  }

  public OverheadBench warmup(int n) {
    this.warmup = n;
    return this;
  }

  public OverheadBench log(PrintStream out) {
    this.log = out;
    return this;
  }

  /**
   * Per pair i, {@code on_i / off_i} for throughput, {@code off_i / on_i} for the p99 (so that 1.0
   * means no cost and less means a cost, for both); the median of the pairs (the mean of the middle
   * two for an even count). NaN without a complete pair.
   */
  static double ratio(List<Phase> phases, boolean throughput) {
    Map<Integer, Phase> on = new LinkedHashMap<>();
    Map<Integer, Phase> off = new LinkedHashMap<>();
    for (Phase p : phases) {
      (p.sdk() ? on : off).put(p.pair(), p);
    }
    List<Double> ratios = new ArrayList<>();
    for (Map.Entry<Integer, Phase> e : on.entrySet()) {
      Phase b = off.get(e.getKey());
      if (b == null) {
        continue;
      }
      Phase a = e.getValue();
      ratios.add(throughput ? a.throughput() / b.throughput() : b.p99Ms() / a.p99Ms());
    }
    if (ratios.isEmpty()) {
      return Double.NaN;
    }
    double[] r = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = r.length;
    return n % 2 == 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
  }

  /** The {@code q} quantile (0..1) of {@code sorted} latencies, nearest rank. */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  public Result run() {
    log.printf(
        Locale.ROOT,
        "bench overhead: %s, fixed variant, services as child processes; %d pair(s) of %d orders"
            + " at %d in flight (closed loop, ABBA order), after warm-up rounds of %d orders per lab"
            + " until steady; Java services: %s%n",
        implementations.label(),
        pairs,
        requests,
        concurrency,
        warmup,
        String.join(" ", serviceJvm));
    List<Integer> allowed = IngestBench.Cpus.allowedCpus();
    try (LabEnvironment on = start(true)) {
      Map<Long, String> onProcesses = processes(on, List.of());
      try (LabEnvironment off = start(false)) {
        Map<Long, String> offProcesses = processes(off, List.copyOf(onProcesses.keySet()));
        return measure(on, off, onProcesses, offProcesses, allowed);
      }
    } finally {
      taskset(
          String.join(",", allowed.stream().map(String::valueOf).toList()),
          ProcessHandle.current().pid());
    }
  }

  private Result measure(
      LabEnvironment on,
      LabEnvironment off,
      Map<Long, String> onProcesses,
      Map<Long, String> offProcesses,
      List<Integer> allowed) {
    Side onSide = new Side(OrderClient.create(on.gatewayUrl()), true, onProcesses);
    Side offSide = new Side(OrderClient.create(off.gatewayUrl()), false, offProcesses);
    // the warm-up on every CPU: the JIT's compiler threads finish sooner than on the one CPU the
    // services share when measured; one more round per lab after pinning settles them there
    log.println("bench overhead: warm-up on all CPUs");
    warmUp(onSide, offSide);
    String cpus = pin(allowed) + "; load average " + IngestBench.loadAverage() + " at the start";
    log.println("bench overhead: " + cpus);
    if (warmup > 0) {
      for (Side side : List.of(onSide, offSide)) {
        Phase p = phase(side, warmup, -1);
        log.printf(
            Locale.ROOT,
            "  pinned, SDK %-3s: %.0f orders/s, %.0f us CPU per order%n",
            side.sdk() ? "on" : "off",
            p.throughput(),
            p.cpuMicrosPerOrder());
      }
    }
    List<Phase> phases = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      // ABBA: on first in even pairs, off first in odd ones, so a drift of the machine (JIT,
      // caches, a neighbour) over the run favours neither side
      boolean onFirst = onFirst(i);
      phases.add(phase(onFirst ? onSide : offSide, requests, i));
      phases.add(phase(onFirst ? offSide : onSide, requests, i));
    }
    cpus += ", " + IngestBench.loadAverage() + " at the end";
    Map<String, Long> leaked = new LinkedHashMap<>();
    off.auditor()
        .assembler()
        .spanCountsByService()
        .forEach(
            (svc, c) -> {
              if (c.received() > 0) {
                leaked.put(svc, c.received());
              }
            });
    if (!leaked.isEmpty()) {
      log.println(
          "bench overhead: WARNING: with OTEL_SDK_DISABLED=true these services still exported spans: "
              + leaked);
    }
    return new Result(
        implementations, phases, pairs, requests, concurrency, cpus, Map.copyOf(leaked));
  }

  /** The order within pair {@code i}: SDK on first in even pairs, off first in odd ones. */
  static boolean onFirst(int pair) {
    return pair % 2 == 0;
  }

  /** Warm-up rounds at most, per lab. */
  static final int MAX_WARMUP_ROUNDS = 15;

  /**
   * Warms both labs up, alternately, {@code warmup} orders per round, until both are steady in the
   * same round: each lab's throughput and CPU per order within 5% of its round before (the JIT has
   * compiled the hot paths: its compiler threads' CPU counts in the processes' CPU per order, which
   * keeps falling while they work, even where throughput has paused), or {@link #MAX_WARMUP_ROUNDS}
   * rounds. Both labs always run the same rounds: a lab warmed longer than the other is faster for
   * that alone (seen: the SDK-off lab, steady by chance after 3 rounds, then measured 1.29 times
   * slower than the SDK-on lab warmed for 10). Each round is printed.
   */
  private void warmUp(Side onSide, Side offSide) {
    if (warmup == 0) {
      return;
    }
    warmUp(
        MAX_WARMUP_ROUNDS,
        sdk -> phase(sdk ? onSide : offSide, warmup, -1),
        (round, p, steady) ->
            log.printf(
                Locale.ROOT,
                "  warm-up %d, SDK %-3s: %.0f orders/s, %.0f us CPU per order%s%n",
                round,
                p.sdk() ? "on" : "off",
                p.throughput(),
                p.cpuMicrosPerOrder(),
                steady ? " (steady)" : ""));
  }

  /** What the warm-up reports of each round of each lab. */
  @FunctionalInterface
  interface WarmUpLog {
    void round(int round, Phase phase, boolean steady);
  }

  /**
   * The warm-up loop: runs {@code lab} (true: the SDK-on lab) on, then off, each round, until both
   * were steady in the same round or {@code maxRounds}; returns the rounds run, the same for both.
   */
  static int warmUp(int maxRounds, Function<Boolean, Phase> lab, WarmUpLog log) {
    double[] last = {Double.NaN, Double.NaN};
    double[] lastCpu = {Double.NaN, Double.NaN};
    boolean[] steady = {false, false};
    int round = 0;
    while (round < maxRounds && !(steady[0] && steady[1])) {
      round++;
      for (int side = 0; side < 2; side++) {
        Phase p = lab.apply(side == 0);
        double cpu = p.cpuMicrosPerOrder();
        steady[side] =
            steady(last[side], p.throughput()) && (Double.isNaN(cpu) || steady(lastCpu[side], cpu));
        last[side] = p.throughput();
        lastCpu[side] = cpu;
        log.round(round, p, steady[side]);
      }
    }
    return round;
  }

  /** True when {@code now} is within 5% of {@code before} (a figure that stopped moving). */
  static boolean steady(double before, double now) {
    return !Double.isNaN(before) && Math.abs(now - before) <= 0.05 * before;
  }

  private LabEnvironment start(boolean sdk) {
    long t0 = System.nanoTime();
    LabEnvironment.Builder b = LabEnvironment.builder();
    for (String role : Flow.SERVICES) {
      Language language = implementations.languageOf(role);
      b.implementation(
          role,
          language == Language.JAVA
              ? dev.tracelab.env.service.ChildProcessImplementation.javaMain(serviceJvm)
              : ServiceImplementation.of(language));
    }
    if (!sdk) {
      b.sdkProperty("otel.sdk.disabled", "true");
    }
    LabEnvironment env = b.start();
    log.printf(
        Locale.ROOT,
        "  lab with the SDK %s up in %.1f s (gateway %s)%n",
        sdk ? "on" : "off",
        (System.nanoTime() - t0) / 1e9,
        env.gatewayUrl());
    return env;
  }

  /** One lab of the bench: its client, whether its SDK is on, its processes (pid -> what). */
  private record Side(OrderClient client, boolean sdk, Map<Long, String> processes) {}

  /**
   * The child processes {@code env} started, by what they run: each service's process (and its own
   * children) under its role, the rest (the Kafka broker) as {@code kafka}; {@code others}: the
   * pids of the labs started before it.
   */
  private static Map<Long, String> processes(LabEnvironment env, List<Long> others) {
    Map<Long, String> byPid = new LinkedHashMap<>();
    for (String role : Flow.SERVICES) {
      env.service(role)
          .pid()
          .ifPresent(
              pid -> {
                byPid.put(pid, role);
                ProcessHandle.of(pid)
                    .ifPresent(h -> h.descendants().forEach(d -> byPid.put(d.pid(), role)));
              });
    }
    ProcessHandle.current()
        .descendants()
        .filter(h -> !others.contains(h.pid()) && !byPid.containsKey(h.pid()))
        .forEach(h -> byPid.put(h.pid(), "kafka"));
    return byPid;
  }

  /**
   * The key, in {@link Phase#cpuSeconds}, of the Java processes' JIT compiler threads (C1, C2), all
   * processes together; each process's own figure leaves them out. The JIT compiling during a
   * measured phase is warm-up that did not finish, not the steady cost of tracing.
   */
  public static final String JIT = "JIT compilers";

  /** CPU seconds so far: processes by what they run, and their compiler threads by thread. */
  record Cpu(Map<String, Double> byWhat, Map<CompilerThread, Double> compilerThreads) {}

  /** A JIT compiler thread: its process and its thread id. */
  record CompilerThread(long pid, long tid) {}

  private static Cpu cpu(Map<Long, String> processes) {
    Map<String, Double> sum = new LinkedHashMap<>();
    Map<CompilerThread, Double> jit = new LinkedHashMap<>();
    processes.forEach(
        (pid, what) -> {
          sum.merge(what, Math.max(0, IngestBench.cpuSeconds(pid)), Double::sum);
          compilerThreads(pid).forEach((tid, s) -> jit.put(new CompilerThread(pid, tid), s));
        });
    return new Cpu(sum, jit);
  }

  /** CPU seconds so far of each JIT compiler thread of {@code pid}, by thread id. */
  private static Map<Long, Double> compilerThreads(long pid) {
    Map<Long, Double> out = new LinkedHashMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      tasks.forEach(
          task -> {
            try {
              if (isCompilerThread(Files.readString(task.resolve("comm")).strip())) {
                double s = IngestBench.cpuSeconds(task.resolve("stat"));
                if (s >= 0) {
                  out.put(Long.parseLong(task.getFileName().toString()), s);
                }
              }
            } catch (IOException | RuntimeException gone) {
              // the thread ended between the listing and the read
            }
          });
    } catch (IOException | RuntimeException gone) {
      // no such process (any more), or no /proc
    }
    return out;
  }

  /** HotSpot's compiler threads, by their (15-character) name: "C2 CompilerThre", "C1 ...". */
  static boolean isCompilerThread(String comm) {
    return comm.matches("C[12] CompilerThre.*");
  }

  /**
   * The CPU seconds of a phase: each process's use between {@code before} and {@code after} without
   * its compiler threads' part, which goes under {@link #JIT} (a compiler thread that ended during
   * the phase, as HotSpot's dynamic compiler threads do when idle, stays in its process's figure).
   */
  static Map<String, Double> used(Cpu before, Cpu after, Map<Long, String> processes) {
    Map<String, Double> used = new LinkedHashMap<>(after.byWhat());
    used.replaceAll((what, s) -> s - before.byWhat().getOrDefault(what, 0.0));
    double jit = 0;
    for (Map.Entry<CompilerThread, Double> t : after.compilerThreads().entrySet()) {
      double spent = t.getValue() - before.compilerThreads().getOrDefault(t.getKey(), 0.0);
      used.merge(processes.get(t.getKey().pid()), -spent, Double::sum);
      jit += spent;
    }
    if (!used.isEmpty()) {
      used.put(JIT, jit);
    }
    return used;
  }

  private Phase phase(Side side, int n, int pair) {
    List<String> bodies = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      bodies.add("{\"sku\":\"BENCH-" + (i % 100) + "\",\"quantity\":1}");
    }
    Cpu cpu0 = cpu(side.processes());
    long t0 = System.nanoTime();
    List<OrderClient.Placed> placed = side.client().placeAll(bodies, concurrency, p -> {});
    double secs = (System.nanoTime() - t0) / 1e9;
    drain();
    Map<String, Double> used = used(cpu0, cpu(side.processes()), side.processes());
    long failed = placed.stream().filter(p -> p.accepted() == null).count();
    double[] latencies =
        placed.stream().mapToDouble(OrderClient.Placed::latencyMs).sorted().toArray();
    boolean sdk = side.sdk();
    Phase p = new Phase(pair, sdk, n, failed, secs, quantile(latencies, 0.99), used);
    if (pair >= 0) {
      log.printf(
          Locale.ROOT,
          "  pair %d, SDK %-3s: %.0f orders/s, p99 %.1f ms, services and broker %.0f us CPU per"
              + " order%s%n",
          pair + 1,
          sdk ? "on" : "off",
          p.throughput(),
          p.p99Ms(),
          p.cpuMicrosPerOrder(),
          failed > 0 ? ", " + failed + " failed" : "");
    }
    return p;
  }

  /**
   * Waits until the services' deferred work is done: every child process of this JVM (services,
   * brokers) used under 5% of a CPU over 250 ms, or 60 s passed.
   */
  private static void drain() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    double before = childCpu();
    while (System.nanoTime() < deadline) {
      sleep(250);
      double now = childCpu();
      if (now - before < 0.0125) {
        return;
      }
      before = now;
    }
  }

  private static double childCpu() {
    return ProcessHandle.current()
        .descendants()
        .mapToDouble(p -> Math.max(0, IngestBench.cpuSeconds(p.pid())))
        .sum();
  }

  /** Pins every child process (services, brokers) to the last CPU and this JVM to the others. */
  private static String pin(List<Integer> cpus) {
    if (cpus.size() < 2 || !IngestBench.Cpus.tasksetWorks()) {
      return "not pinned ("
          + (cpus.size() < 2 ? "one CPU" : "no taskset")
          + "): services, brokers, load generator and auditor share the CPUs";
    }
    String last = String.valueOf(cpus.get(cpus.size() - 1));
    String rest =
        String.join(",", cpus.subList(0, cpus.size() - 1).stream().map(String::valueOf).toList());
    List<Long> children = ProcessHandle.current().descendants().map(ProcessHandle::pid).toList();
    for (long pid : children) {
      taskset(last, pid);
    }
    taskset(rest, ProcessHandle.current().pid());
    return "services and Kafka brokers ("
        + children.size()
        + " processes) pinned to CPU "
        + last
        + "; load generator and auditors (this JVM) to CPU "
        + rest;
  }

  private static void taskset(String cpus, long pid) {
    try {
      Process p =
          new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
              .redirectErrorStream(true)
              .start();
      p.getInputStream().readAllBytes();
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      // best effort
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
