// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.bench;

import com.google.protobuf.ByteString;
import dev.tracelab.auditor.orphans.OrphanRules;
import dev.tracelab.auditor.orphans.RunStats;
import dev.tracelab.auditor.otlp.OtlpDecoder;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.auditor.trace.TraceAssembler;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest benchmark (not a test, and not shipped: it lives in the test sources): OTLP protobuf
 * decode + trace assembly + orphan analysis on one thread. Two phases: {@code complete} (the
 * auditor as it runs: each request's trace closes as soon as its six spans are in) and {@code
 * quiet} (closing by the quiet window only, so traces pile up to the in-flight cap). Prints spans/s
 * per round (wall clock, and per CPU-second of the process, which other load on a shared core does
 * not skew) and the heap after GC, which must stay flat once the cap is reached.
 *
 * <p>Run: {@code scripts/bench-ingest.sh} (pins the JVM to one core). Args: {@code [seconds per
 * phase] [maxTraces] [complete|quiet|both]}.
 */
public final class IngestBenchmark {

  private static final int TRACES_PER_REQUEST = 20; // 120 spans per export request
  private static final int POOL = 2_000; // distinct pre-encoded requests

  private IngestBenchmark() {}

  public static void main(String[] args) {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int maxTraces = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    String modes = args.length > 2 ? args[2] : "both";
    System.out.printf(
        Locale.ROOT, "encoding %d requests of %d spans...%n", POOL, TRACES_PER_REQUEST * 6);
    List<byte[]> requests = encode();
    if (!modes.equals("quiet")) {
      run("complete", dev.tracelab.auditor.lab.LabFlowSpecs.JAVA, requests, seconds, maxTraces);
    }
    if (!modes.equals("complete")) {
      run("quiet", quietOnly(), requests, seconds, maxTraces);
    }
  }

  /** The lab's correlation without a listed shape: traces close by the quiet window only. */
  private static dev.tracelab.auditor.spec.FlowSpec quietOnly() {
    dev.tracelab.auditor.spec.FlowSpec lab = dev.tracelab.auditor.lab.LabFlowSpecs.JAVA;
    return new dev.tracelab.auditor.spec.FlowSpec(
        "quiet",
        lab.services(),
        lab.entryPoints(),
        lab.correlation(),
        List.of(),
        0,
        lab.hops(),
        lab.propagators());
  }

  private static void run(
      String mode,
      dev.tracelab.auditor.spec.FlowSpec expected,
      List<byte[]> requests,
      int seconds,
      int maxTraces) {
    System.out.printf(
        Locale.ROOT,
        "%nphase %s: %s%n",
        mode,
        !expected.hasShape()
            ? "traces close by the quiet window only (in-flight cap reached)"
            : "a trace closes when its request is complete");
    // the clock advances 1 ms per request: a trace goes quiet ~2000 requests after its last span,
    // so (phase quiet) thousands of traces are in flight and the cap is hit
    AtomicLong clock = new AtomicLong();
    TraceAssembler assembler =
        TraceAssembler.builder()
            .setQuietWindow(Duration.ofSeconds(2))
            .setMaxTraces(maxTraces)
            .setMaxClosedTraces(maxTraces * 2)
            .setSpec(expected)
            .setClock(clock::get)
            .build();
    RunStats stats =
        new RunStats(
            new OrphanRules(Set.of("gateway-svc:SERVER")),
            dev.tracelab.auditor.lab.LabFlowSpecs.DEFAULT);
    assembler.onClose(stats::add);

    long spans = 0;
    long t0 = System.nanoTime();
    long roundStart = t0;
    long roundCpu = cpuNanos();
    long cpuSpans = 0;
    long cpuTotal = 0;
    long roundSpans = 0;
    int round = 0;
    int i = 0;
    System.out.printf(
        Locale.ROOT,
        "%6s %14s %14s %12s %14s %10s%n",
        "round",
        "spans/s",
        "spans/cpu-s",
        "in flight",
        "heap after GC",
        "evicted");
    while (System.nanoTime() - t0 < seconds * 1_000_000_000L) {
      byte[] body = requests.get(i++ % POOL);
      List<ReceivedSpan> decoded = OtlpDecoder.decodeProtobuf(body);
      assembler.accept(decoded);
      clock.addAndGet(1_000_000);
      if ((i & 63) == 0) {
        assembler.sweep();
      }
      spans += decoded.size();
      roundSpans += decoded.size();
      long now = System.nanoTime();
      if (now - roundStart >= 2_000_000_000L) {
        double rate = roundSpans / ((now - roundStart) / 1e9);
        long cpu =
            cpuNanos()
                - roundCpu; // the process's CPU (GC and JIT included): what other load on the core
        // does not skew
        double cpuRate = roundSpans / (cpu / 1e9);
        if (round >= 1) { // the first round warms up
          cpuSpans += roundSpans;
          cpuTotal += cpu;
        }
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(
            Locale.ROOT,
            "%6d %14.0f %14.0f %12d %11.1f MiB %10d%n",
            ++round,
            rate,
            cpuRate,
            assembler.tracesInFlight(),
            heap / 1048576.0,
            assembler.evictedTraces());
        roundStart = System.nanoTime();
        roundCpu = cpuNanos();
        roundSpans = 0;
      }
    }
    double total = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%s total: %d spans in %.1f s = %.0f spans/s (incl. GC pauses of the heap probes); traces analysed %d, duplicate deliveries %d%n",
        mode,
        spans,
        total,
        spans / total,
        stats.tracesAnalysed(),
        assembler.duplicateSpans());
    if (cpuTotal > 0) {
      System.out.printf(
          Locale.ROOT,
          "%s after warm-up: %.0f spans per CPU-second (the process's CPU time, GC included)%n",
          mode,
          cpuSpans / (cpuTotal / 1e9));
    }
  }

  /** CPU time of the whole process (all its threads, GC and JIT included). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Realistic export requests: complete 6-span traces, each span with its attributes. */
  private static List<byte[]> encode() {
    SplittableRandom random = new SplittableRandom(42);
    List<byte[]> out = new ArrayList<>(POOL);
    for (int r = 0; r < POOL; r++) {
      ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
      for (String service : Flow.SERVICES) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int t = 0; t < TRACES_PER_REQUEST; t++) {
          long traceSeed = (long) r * TRACES_PER_REQUEST + t;
          ByteString traceId = id(traceSeed * 7919 + 1, 16);
          for (ExpectedSpan e : Flow.SPANS) {
            if (!e.service().equals(service)) {
              continue;
            }
            Span.Builder span =
                Span.newBuilder()
                    .setTraceId(traceId)
                    .setSpanId(id(traceSeed * 16 + e.step(), 8))
                    .setName(e.name())
                    .setKind(Span.SpanKind.forNumber(e.kind().ordinal() + 1))
                    .setStartTimeUnixNano(1_700_000_000_000_000_000L + random.nextInt(1_000_000))
                    .setEndTimeUnixNano(1_700_000_000_010_000_000L)
                    .addAttributes(kv("app.order_id", "order-" + traceSeed))
                    .addAttributes(kv("http.request.method", "POST"))
                    .addAttributes(kv("url.path", "/orders"))
                    .addAttributes(kv("server.address", "127.0.0.1"))
                    .addAttributes(kv("messaging.system", "kafka"));
            if (!e.isRoot()) {
              span.setParentSpanId(id(traceSeed * 16 + e.parentStep(), 8));
            }
            scope.addSpans(span);
          }
        }
        request.addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", service)))
                .addScopeSpans(scope));
      }
      out.add(request.build().toByteArray());
    }
    return out;
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static ByteString id(long seed, int bytes) {
    byte[] b = new byte[bytes];
    long v = seed * 0x9E3779B97F4A7C15L + 1;
    for (int i = 0; i < bytes; i++) {
      b[i] = (byte) (v >>> ((i % 8) * 8));
      if (i == 7) {
        v = Long.rotateLeft(v, 17) ^ seed;
      }
    }
    return ByteString.copyFrom(b);
  }
}
