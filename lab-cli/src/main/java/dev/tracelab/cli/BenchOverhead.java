// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelab.experiments.bench.OverheadBench;
import dev.tracelab.flow.Flow;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./lab bench overhead [LANG] [--report-json F] [--pairs P]} (docs/scale.md): the flow with
 * the SDK on and off ({@code OTEL_SDK_DISABLED=true}) in interleaved pairs; throughput and p99 per
 * side and their ratios.
 */
@Command(
    name = "overhead",
    sortOptions = false,
    description = {
      "Two embedded labs (fixed variant, services as child processes, the auditor outside them),"
          + " one with the SDK on, one with OTEL_SDK_DISABLED=true; N orders at C in flight (closed"
          + " loop) to one then the other, P times: throughput and p99 ratios (median over pairs of"
          + " on/off throughput and off/on p99; 1.0 = no cost).",
      "JSON {pairs, throughputRatio, p99Ratio, implementations}. Options LANG (but --mesh): see"
          + " ./lab help."
    })
final class BenchOverhead implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Option(names = "--report-json", paramLabel = "F", description = "the result as JSON")
  private String reportJson;

  @Option(
      names = "--pairs",
      paramLabel = "P",
      defaultValue = "5",
      description = "on/off pairs (1..50, default ${DEFAULT-VALUE})")
  private int pairs;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "2000",
      description = "orders per side (50..1000000, default ${DEFAULT-VALUE})")
  private int requests;

  @Option(
      names = "--concurrency",
      paramLabel = "C",
      defaultValue = "16",
      description = "orders in flight (1..256, default ${DEFAULT-VALUE})")
  private int concurrency;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "2000",
      description = "warm-up orders per side (0..1000000, default ${DEFAULT-VALUE})")
  private int warmup;

  @Option(
      names = "--service-jvm",
      paramLabel = "\"OPTS\"",
      description = "the Java services' JVM (default -Xms64m -Xmx256m -XX:+UseSerialGC)")
  private String serviceJvm;

  @Mixin private LanguageOptions lang;

  private final PrintStream out;
  private final PrintStream err;

  BenchOverhead(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    if (lang.mesh()) {
      throw new UsageException("bench overhead takes no --mesh");
    }
    int pairs = Checks.range("pairs", this.pairs, 1, 50);
    int requests = Checks.range("requests", this.requests, 50, 1_000_000);
    int concurrency = Checks.range("concurrency", this.concurrency, 1, 256);
    int warmup = Checks.range("warmup", this.warmup, 0, 1_000_000);
    Path json = DemoCommand.path(reportJson);
    String jvm = serviceJvm;
    OverheadBench bench = new OverheadBench();
    if (jvm != null) {
      if (jvm.isBlank() || jvm.length() > 1000) {
        throw new UsageException(
            "--service-jvm takes JVM options, e.g. \"-Xmx256m -XX:+UseSerialGC\"");
      }
      bench.serviceJvm(java.util.List.of(jvm.trim().split("\\s+")));
    }
    OverheadBench.Result r =
        bench
            .implementations(lang.implementations())
            .pairs(pairs)
            .requests(requests)
            .concurrency(concurrency)
            .warmup(warmup)
            .log(err)
            .run();
    out.print(table(r));
    if (json != null) {
      try {
        Files.writeString(json, json(r));
      } catch (IOException e) {
        err.println("lab: cannot write " + json + ": " + e.getMessage());
        return 1;
      }
    }
    return 0;
  }

  static String table(OverheadBench.Result r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Overhead of tracing, %s: %d orders per phase at %d in flight; %s%n",
            r.implementations().label(),
            r.requests(),
            r.concurrency(),
            r.cpus()));
    b.append(
        "| pair | SDK on: orders/s | SDK off: orders/s | on/off | SDK on: p99 ms | SDK off: p99 ms | off/on |\n");
    b.append("|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < r.pairs(); i++) {
      OverheadBench.Phase on = null;
      OverheadBench.Phase off = null;
      for (OverheadBench.Phase p : r.phases()) {
        if (p.pair() == i) {
          if (p.sdk()) {
            on = p;
          } else {
            off = p;
          }
        }
      }
      if (on == null || off == null) {
        continue;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "| %d | %.0f | %.0f | %.3f | %.1f | %.1f | %.3f |%n",
              i + 1,
              on.throughput(),
              off.throughput(),
              on.throughput() / off.throughput(),
              on.p99Ms(),
              off.p99Ms(),
              off.p99Ms() / on.p99Ms()));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "throughput ratio (median on/off): %.3f; p99 ratio (median off/on): %.3f; goal >= 0.95%n",
            r.throughputRatio(),
            r.p99Ratio()));
    b.append(cpuTable(r));
    long failed = r.phases().stream().mapToLong(OverheadBench.Phase::failed).sum();
    if (failed > 0) {
      b.append("failed orders: ").append(failed).append('\n');
    }
    if (!r.spansWithSdkOff().isEmpty()) {
      b.append(
          "WARNING: with OTEL_SDK_DISABLED=true these services still exported spans (their SDK does not"
              + " honour it): "
              + r.spansWithSdkOff()
              + "\n");
    }
    return b.toString();
  }

  /**
   * Where the cost goes: CPU microseconds per order by process, SDK on and off, over the measured
   * phases (each from its first order to the end of its drain), the JIT compiler threads in a row
   * of their own (warm-up still under way, not tracing's steady cost). Empty when nothing was
   * measured.
   */
  static String cpuTable(OverheadBench.Result r) {
    Map<String, Double> on = r.cpuMicrosPerOrder(true);
    Map<String, Double> off = r.cpuMicrosPerOrder(false);
    if (on.isEmpty() || off.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    b.append(
        "CPU per order (us; services and broker, phase and drain, all pairs; '"
            + OverheadBench.JIT
            + "': the Java processes' JIT compiler threads, out of each process's row):\n");
    b.append("| process | SDK on | SDK off | on - off | on/off |\n|---|---:|---:|---:|---:|\n");
    double sumOn = 0;
    double sumOff = 0;
    for (String name : rows(on.keySet(), off.keySet())) {
      double a = on.getOrDefault(name, 0.0);
      double o = off.getOrDefault(name, 0.0);
      sumOn += a;
      sumOff += o;
      b.append(cpuRow(name, a, o));
    }
    b.append(cpuRow("total", sumOn, sumOff));
    return b.toString();
  }

  /**
   * The table's rows, the same in every run: the services in flow order, the Kafka broker, the JIT
   * compilers, then anything else as measured.
   */
  static List<String> rows(Set<String> on, Set<String> off) {
    List<String> order = new ArrayList<>(Flow.SERVICES);
    order.add("kafka");
    order.add(OverheadBench.JIT);
    Set<String> measured = new LinkedHashSet<>(on);
    measured.addAll(off);
    List<String> rows = new ArrayList<>(order);
    rows.retainAll(measured);
    measured.removeAll(order);
    rows.addAll(measured);
    return rows;
  }

  /** One row of {@link #cpuTable}; on/off is "-" where nothing ran with the SDK off. */
  static String cpuRow(String name, double on, double off) {
    return String.format(
        Locale.ROOT,
        "| %s | %.0f | %.0f | %+.0f | %s |%n",
        name,
        on,
        off,
        on - off,
        off > 0 ? String.format(Locale.ROOT, "%.3f", on / off) : "-");
  }

  static String json(OverheadBench.Result r) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pairs", r.pairs());
    m.put("throughputRatio", Math.round(r.throughputRatio() * 1000) / 1000.0);
    m.put("p99Ratio", Math.round(r.p99Ratio() * 1000) / 1000.0);
    Map<String, String> impl = new LinkedHashMap<>();
    for (String role : Flow.SERVICES) {
      impl.put(role, r.implementations().languageOf(role).id());
    }
    m.put("implementations", impl);
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m)
        + "\n";
  }
}
