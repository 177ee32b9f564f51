// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.experiments.OrderClient;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./lab load}: N orders at C concurrency against a running lab, with a progress bar. */
@Command(
    name = "load",
    sortOptions = false,
    description = "Drives a running lab (./lab up): N orders at C in flight, with a progress bar.")
final class LoadCommand implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "200",
      description = "orders placed (1..1000000, default ${DEFAULT-VALUE})")
  private int requests;

  @Option(
      names = "--concurrency",
      paramLabel = "C",
      defaultValue = "8",
      description = "orders in flight (1..256, default ${DEFAULT-VALUE})")
  private int concurrency;

  @Option(
      names = "--gateway-url",
      paramLabel = "U",
      defaultValue = "http://127.0.0.1:8080",
      description = "the gateway (default ${DEFAULT-VALUE})")
  private String gatewayUrl;

  private final PrintStream out;
  private final PrintStream err;

  LoadCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    int requests = Checks.range("requests", this.requests, 1, 1_000_000);
    int concurrency = Checks.range("concurrency", this.concurrency, 1, 256);
    URI gateway;
    try {
      gateway = URI.create(gatewayUrl);
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
