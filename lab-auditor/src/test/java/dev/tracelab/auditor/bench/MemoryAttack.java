// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.bench;

import com.google.protobuf.ByteString;
import dev.tracelab.auditor.Auditor;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * The memory attack on the auditor (a harness, not a test; lives in the test sources): rounds of N
 * concurrent gzip OTLP requests, each inflating to just under the 32 MiB inflate limit, posted over
 * loopback to an auditor in this JVM. Prints the answers by status, the peak heap used (sampled
 * every 2 ms) and whether the auditor still answers. Mode {@code bounded}: the auditor's defaults
 * (memory budget a quarter of the heap, caps on). Mode {@code unbounded}: admission and
 * spans-per-trace cap switched off, as the auditor was before them.
 *
 * <p>Run: {@code scripts/memory-attack.sh} (each mode in its own JVM, {@code -Xmx1g}).
 */
public final class MemoryAttack {

  private static final int MIB = 1024 * 1024;

  private MemoryAttack() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "bounded";
    int concurrent = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    AtomicLong peak = new AtomicLong();
    AtomicLong peakAfterGc = new AtomicLong();
    List<java.lang.management.MemoryPoolMXBean> heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(
                p ->
                    p.getType() == java.lang.management.MemoryType.HEAP
                        && p.getCollectionUsage() != null)
            .toList();
    // the heap sampled every 2 ms on a daemon scheduler (a harness figure, not a test wait)
    java.util.concurrent.ScheduledExecutorService sampler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "heap-sampler");
              t.setDaemon(true);
              return t;
            });
    Runnable sample =
        () -> {
          peak.accumulateAndGet(mx.getHeapMemoryUsage().getUsed(), Math::max);
          // what the last collection of each pool left: the live heap, garbage excluded
          peakAfterGc.accumulateAndGet(
              heapPools.stream().mapToLong(p -> p.getCollectionUsage().getUsed()).sum(), Math::max);
        };

    Auditor.Builder builder =
        Auditor.builder().setOtlpPort(0).setApiPort(0).setQuietWindow(Duration.ofSeconds(2));
    if (mode.equals("unbounded")) {
      builder.setMaxInFlightBytes(Integer.MAX_VALUE).setMaxSpansPerTrace(Integer.MAX_VALUE);
    }
    byte[][] bodies = new byte[concurrent][];
    long inflated = 0;
    for (int i = 0; i < concurrent; i++) {
      byte[] raw = bomb(i, 32 * MIB - 64 * 1024);
      inflated = raw.length;
      bodies[i] = gzip(raw);
    }
    System.out.printf(
        Locale.ROOT,
        "mode %s: max heap %d MiB; %d concurrent gzip requests x %d rounds, each %.2f MiB gzipped -> %.2f MiB%n",
        mode,
        Runtime.getRuntime().maxMemory() / MIB,
        concurrent,
        rounds,
        bodies[0].length / (double) MIB,
        inflated / (double) MIB);
    System.gc();
    long baseline = mx.getHeapMemoryUsage().getUsed();
    peak.set(baseline);
    sampler.scheduleAtFixedRate(sample, 0, 2, java.util.concurrent.TimeUnit.MILLISECONDS);

    try (Auditor auditor = builder.start()) {
      System.out.printf(
          Locale.ROOT,
          "memory budget for requests in flight: %d MiB%n",
          auditor.maxInFlightBytes() / MIB);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      TreeMap<String, Integer> outcomes = new TreeMap<>();
      for (int round = 1; round <= rounds; round++) {
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (byte[] body : bodies) {
          inFlight.add(
              http.sendAsync(
                  HttpRequest.newBuilder(URI.create(auditor.otlpEndpoint() + "/v1/traces"))
                      .header("Content-Type", "application/x-protobuf")
                      .header("Content-Encoding", "gzip")
                      .timeout(Duration.ofSeconds(120))
                      .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
          String outcome;
          try {
            HttpResponse<String> r = f.get(180, TimeUnit.SECONDS);
            outcome =
                Integer.toString(r.statusCode())
                    + (r.statusCode() == 429
                        ? " Retry-After " + r.headers().firstValue("Retry-After").orElse("-")
                        : "");
          } catch (Exception e) {
            outcome = "no answer (" + e.getCause().getClass().getSimpleName() + ")";
          }
          outcomes.merge(outcome, 1, Integer::sum);
        }
      }
      String health;
      try {
        health =
            Integer.toString(
                http.send(
                        HttpRequest.newBuilder(URI.create(auditor.apiUrl() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode());
      } catch (Exception e) {
        health = "no answer (" + e.getClass().getSimpleName() + ")";
      }
      System.out.printf(Locale.ROOT, "answers: %s%n", outcomes);
      System.out.printf(
          Locale.ROOT,
          "peak heap used: %d MiB (garbage included); peak heap after GC: %d MiB (baseline %d MiB)%n",
          peak.get() / MIB,
          peakAfterGc.get() / MIB,
          baseline / MIB);
      System.out.printf(
          Locale.ROOT,
          "auditor /health after the attack: %s; accepted %d, refused %d, spans dropped at the per-trace cap %d%n",
          health,
          auditor.acceptedRequests(),
          auditor.refusedRequests(),
          auditor.assembler().droppedSpans());
    } catch (OutOfMemoryError e) {
      System.out.printf(
          Locale.ROOT,
          "OUT OF MEMORY: %s; peak heap used %d MiB%n",
          e.getMessage(),
          peak.get() / MIB);
    } finally {
      System.out.flush();
    }
    sampler.shutdownNow();
    System.exit(0);
  }

  /**
   * One trace of spans with distinct ids, each with a 2 KiB compressible attribute, to ~{@code
   * size} bytes.
   */
  private static byte[] bomb(int seed, int size) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    String pad = "x".repeat(2048);
    ByteString traceId = ByteString.fromHex(String.format("%016x%016x", 0xa77acL, seed + 1));
    int bytes = 0;
    for (int i = 1; bytes < size - 4096; i++) {
      Span span =
          Span.newBuilder()
              .setTraceId(traceId)
              .setSpanId(ByteString.fromHex(String.format("%08x%08x", seed + 1, i)))
              .setName("attack")
              .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
              .setStartTimeUnixNano(1_700_000_000_000_000_000L)
              .setEndTimeUnixNano(1_700_000_000_001_000_000L)
              .addAttributes(
                  KeyValue.newBuilder()
                      .setKey("pad")
                      .setValue(AnyValue.newBuilder().setStringValue(pad)))
              .build();
      bytes += span.getSerializedSize() + 4;
      scope.addSpans(span);
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(
                            KeyValue.newBuilder()
                                .setKey("service.name")
                                .setValue(AnyValue.newBuilder().setStringValue("attacker"))))
                .addScopeSpans(scope))
        .build()
        .toByteArray();
  }

  private static byte[] gzip(byte[] raw) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }
}
