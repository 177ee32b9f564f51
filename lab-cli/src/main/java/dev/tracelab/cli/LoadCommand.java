package dev.tracelab.cli;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code ./lab load}: N orders at C concurrency against a running lab, with a progress bar. */
final class LoadCommand {

  private LoadCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args = Args.parse(argv, Set.of("requests", "concurrency", "gateway-url"));
    int requests = args.integer("requests", 200, 1, 1_000_000);
    int concurrency = args.integer("concurrency", 8, 1, 256);
    URI gateway;
    try {
      gateway = URI.create(args.string("gateway-url", "http://127.0.0.1:8080")).resolve("/orders");
    } catch (IllegalArgumentException e) {
      throw new UsageException("--gateway-url is not a URL: " + e.getMessage());
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    try {
      http.send(HttpRequest.newBuilder(gateway.resolve("/health")).GET().build(), HttpResponse.BodyHandlers.discarding());
    } catch (Exception e) {
      err.println("lab: no lab answers at " + gateway.resolve("/health") + " (start one with ./lab up)");
      return 1;
    }
    Progress progress = new Progress(err, "load", requests);
    AtomicInteger done = new AtomicInteger();
    AtomicInteger accepted = new AtomicInteger();
    double[] latencies = new double[requests];
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long t0 = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      int n = i;
      pool.execute(() -> {
        long s = System.nanoTime();
        try {
          HttpResponse<Void> r = http.send(
              HttpRequest.newBuilder(gateway).timeout(Duration.ofSeconds(10))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"LOAD-" + (n % 1000) + "\",\"quantity\":1}"))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 202) {
            accepted.incrementAndGet();
          }
        } catch (Exception e) {
          // counted as not accepted
        } finally {
          latencies[n] = (System.nanoTime() - s) / 1e6;
          progress.accept(done.incrementAndGet());
        }
      });
    }
    pool.shutdown();
    try {
      pool.awaitTermination(1, TimeUnit.HOURS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Arrays.sort(latencies);
    out.printf(Locale.ROOT, "%d requests, %d accepted (202), %d failed in %.1f s (%.0f req/s); latency p50 %.1f ms, p99 %.1f ms%n",
        requests, accepted.get(), requests - accepted.get(), secs, requests / secs,
        latencies[(int) Math.ceil(0.5 * requests) - 1], latencies[(int) Math.ceil(0.99 * requests) - 1]);
    return accepted.get() == requests ? 0 : 1;
  }
}
