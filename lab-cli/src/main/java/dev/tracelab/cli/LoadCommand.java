// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.experiments.OrderClient;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
      gateway = URI.create(args.string("gateway-url", "http://127.0.0.1:8080"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--gateway-url is not a URL: " + e.getMessage());
    }
    OrderClient client = OrderClient.create(gateway);
    if (!client.isUp()) {
      err.println(
          "lab: no lab answers at " + gateway.resolve("/health") + " (start one with ./lab up)");
      return 1;
    }
    List<String> bodies = new ArrayList<>(requests);
    for (int n = 0; n < requests; n++) {
      bodies.add("{\"sku\":\"LOAD-" + (n % 1000) + "\",\"quantity\":1}");
    }
    Progress progress = new Progress(err, "load", requests);
    AtomicInteger done = new AtomicInteger();
    long t0 = System.nanoTime();
    List<OrderClient.Placed> placed =
        client.placeAll(bodies, concurrency, p -> progress.accept(done.incrementAndGet()));
    double secs = (System.nanoTime() - t0) / 1e9;
    long accepted = placed.stream().filter(p -> p.accepted() != null).count();
    double[] latencies =
        placed.stream().mapToDouble(OrderClient.Placed::latencyMs).sorted().toArray();
    out.printf(
        Locale.ROOT,
        "%d requests, %d accepted (202), %d failed in %.1f s (%.0f req/s); latency p50 %.1f ms, p99 %.1f ms%n",
        requests,
        accepted,
        requests - accepted,
        secs,
        requests / secs,
        latencies[(int) Math.ceil(0.5 * requests) - 1],
        latencies[(int) Math.ceil(0.99 * requests) - 1]);
    return accepted == requests ? 0 : 1;
  }
}
