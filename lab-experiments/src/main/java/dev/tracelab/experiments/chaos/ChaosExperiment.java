// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.experiments.OrderClient;
import dev.tracelab.order.OrderJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One fault under steady load on a running lab (docs/design.md §10): orders at a fixed rate for a
 * fixed time, the fault injected at a fixed point (a third of the way in) and repaired by the lab,
 * then a bounded wait for the accepted orders to drain. Where the lab runs (embedded, or the
 * compose stack) and how a fault is injected there is the {@link ChaosEnvironment}'s business; the
 * load, the measurements and the figures are the same for every environment. Each order waits
 * {@link Settings#orderDelay()} in the worker's deferred work, so a fault always finds orders in
 * flight. The consumer's ledger ({@code GET /ledger}) is the ground truth for what was processed;
 * it is polled during the run, so each order's end-to-end time (202 sent to ledger entry) is known
 * to the poll period.
 *
 * <p>Figures per fault: accepted (202 answers), processed and dead-lettered (those orders in the
 * ledger), lost (accepted, neither processed nor dead-lettered after the drain), duplicates
 * (redeliveries the ledger skipped, plus any order it lists twice), p99 of {@code POST /orders}
 * before the fault / from injection to recovery / after recovery, and recovery: from injection to
 * the first order from which on every order is accepted and processed within {@link
 * Settings#healthyWithin()} again; repaired: from injection until the lab had repaired the fault (a
 * stopped component running again, a killed one restarted).
 */
public final class ChaosExperiment {

  /** The faults, in the order {@code ./lab chaos} injects them. */
  public enum Fault {
    BROKER_RESTART("broker-restart"),
    CONSUMER_KILL("consumer-kill"),
    WORKER_KILL("worker-kill"),
    AUDITOR_DOWN("auditor-down");

    private final String id;

    Fault(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /**
   * @param rate orders per second
   * @param duration how long orders are sent per fault (at least until the fault is repaired plus a
   *     third of this, so there is an "after")
   * @param downtime how long a stopped component stays down (broker, consumer, auditor)
   * @param drainTimeout the longest wait after the load for accepted orders to reach the ledger
   * @param healthyWithin an order is healthy when accepted and in the ledger within this
   * @param orderDelay each order's {@code delayMs}: how long it stays in the worker before it is
   *     produced (and answered)
   */
  public record Settings(
      int rate,
      Duration duration,
      Duration downtime,
      Duration drainTimeout,
      Duration healthyWithin,
      Duration orderDelay) {
    public static Settings defaults() {
      return new Settings(
          20,
          Duration.ofSeconds(18),
          Duration.ofSeconds(5),
          Duration.ofSeconds(60),
          Duration.ofSeconds(2),
          Duration.ofMillis(200));
    }
  }

  /**
   * One fault's figures; {@code processed}, {@code deadLettered}, {@code lost}, {@code duplicates}
   * are null when the consumer has no ledger; {@code recoveryS} is null when the flow did not
   * recover within the run; a p99 is null for an empty window; {@code repairedS}: when the fault
   * was repaired, in seconds after injection; {@code inFlight}: requests sent before the injection
   * and answered after it (in flight when the fault hit).
   */
  public record FaultResult(
      String name,
      long accepted,
      Long processed,
      Long deadLettered,
      Long lost,
      Long duplicates,
      Double p99BeforeMs,
      Double p99DuringMs,
      Double p99AfterMs,
      Double recoveryS,
      long refused,
      Set<String> lostOrderIds,
      double repairedS,
      long inFlight) {}

  private static final Duration LEDGER_POLL = Duration.ofMillis(250);

  private final ChaosEnvironment lab;
  private final String order;
  private final Settings settings;
  private final Consumer<String> progress;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();

  private ChaosExperiment(ChaosEnvironment lab, Settings settings, Consumer<String> progress) {
    this.lab = lab;
    this.settings = settings;
    this.progress = progress;
    this.order =
        "{\"sku\":\"CHAOS-1\",\"quantity\":1,\"delayMs\":" + settings.orderDelay().toMillis() + "}";
  }

  /**
   * @param lab an embedded lab whose worker and consumer run as child processes ({@code
   *     ServiceImplementation.javaProcess()}), so they can be killed
   */
  public static ChaosExperiment create(
      LabEnvironment lab, Settings settings, Consumer<String> progress) {
    return create(ChaosEnvironment.embedded(lab), settings, progress);
  }

  public static ChaosExperiment create(
      ChaosEnvironment lab, Settings settings, Consumer<String> progress) {
    return new ChaosExperiment(lab, settings, progress);
  }

  /** A snapshot of the consumer's ledger, or null when it has none (404 or unreachable). */
  record Ledger(List<String> processed, Set<String> deadLettered, long duplicatesSkipped) {}

  /** Runs {@code fault} under load and measures it. */
  public FaultResult run(Fault fault) throws InterruptedException {
    Ledger start = ledger();
    long duplicatesBefore = start == null ? 0 : start.duplicatesSkipped();
    OrderClient client = OrderClient.create(lab.gatewayUrl());
    List<OrderClient.Placed> placed = Collections.synchronizedList(new ArrayList<>());
    Map<String, Long> processedAt = new ConcurrentHashMap<>();
    // unbounded: while a fault lasts, requests take up to the worker's bound, and a fixed pool
    // would lower the rate just then
    ExecutorService senders = Executors.newCachedThreadPool(daemon("chaos-sender"));
    ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, daemon("chaos-tick"));
    long t0 = System.nanoTime();
    long[] injectedAt = {0};
    long[] repairedAt = {0};
    Throwable[] faultError = {null};
    int[] index = {0};
    Set<String> seenBefore = start == null ? Set.of() : new HashSet<>(start.processed());
    try {
      long periodMicros = 1_000_000L / settings.rate();
      ticker.scheduleAtFixedRate(
          () -> {
            int i = index[0]++;
            senders.execute(
                () -> {
                  long sent = System.nanoTime();
                  OrderClient.Accepted accepted = client.place(order);
                  placed.add(new OrderClient.Placed(i, accepted, sent, System.nanoTime()));
                });
          },
          0,
          periodMicros,
          TimeUnit.MICROSECONDS);
      ticker.scheduleWithFixedDelay(
          () -> {
            Ledger now = ledger();
            if (now != null) {
              record(now, seenBefore, processedAt);
            }
          },
          0,
          LEDGER_POLL.toMillis(),
          TimeUnit.MILLISECONDS);

      Thread.sleep(settings.duration().toMillis() / 3);
      progress.accept(fault.id() + ": injecting");
      injectedAt[0] = System.nanoTime();
      try {
        inject(fault);
      } catch (RuntimeException e) {
        faultError[0] = e;
      }
      repairedAt[0] = System.nanoTime();
      progress.accept(
          fault.id() + ": repaired after " + seconds(repairedAt[0] - injectedAt[0]) + " s");
      long end =
          Math.max(
              t0 + settings.duration().toNanos(),
              repairedAt[0] + settings.duration().toNanos() / 3);
      TimeUnit.NANOSECONDS.sleep(Math.max(0, end - System.nanoTime()));
    } finally {
      ticker.shutdownNow();
      senders.shutdown();
      senders.awaitTermination(30, TimeUnit.SECONDS);
    }
    if (faultError[0] != null) {
      throw new IllegalStateException(
          fault.id() + ": the fault or its repair failed: " + faultError[0].getMessage(),
          faultError[0]);
    }

    List<OrderClient.Placed> all = new ArrayList<>(placed);
    all.sort((a, b) -> Long.compare(a.sentNanos(), b.sentNanos()));
    Set<String> acceptedIds = new HashSet<>();
    for (OrderClient.Placed p : all) {
      if (p.accepted() != null) {
        acceptedIds.add(p.accepted().orderId());
      }
    }
    Ledger end = drain(acceptedIds, start != null, now -> record(now, seenBefore, processedAt));

    Double recovery = recovery(all, processedAt, injectedAt[0], end != null);
    double repaired = Math.round((repairedAt[0] - injectedAt[0]) / 1e8) / 10.0;
    // "during": from injection until the fault is repaired and the flow recovered, whichever is
    // later
    long recoveredAt =
        recovery == null
            ? repairedAt[0]
            : Math.max(repairedAt[0], injectedAt[0] + (long) (recovery * 1e9));
    List<Double> before = new ArrayList<>();
    List<Double> during = new ArrayList<>();
    List<Double> after = new ArrayList<>();
    for (OrderClient.Placed p : all) {
      (p.sentNanos() < injectedAt[0] ? before : p.sentNanos() < recoveredAt ? during : after)
          .add(p.latencyMs());
    }
    long refused = all.stream().filter(p -> p.accepted() == null).count();
    long inFlight =
        all.stream()
            .filter(p -> p.sentNanos() < injectedAt[0] && p.doneNanos() > injectedAt[0])
            .count();
    if (end == null) {
      return new FaultResult(
          fault.id(),
          acceptedIds.size(),
          null,
          null,
          null,
          null,
          p99(before),
          p99(during),
          p99(after),
          recovery,
          refused,
          Set.of(),
          repaired,
          inFlight);
    }
    long processed = 0;
    long deadLettered = 0;
    Set<String> lost = new HashSet<>();
    Set<String> processedSet = new HashSet<>(end.processed());
    for (String id : acceptedIds) {
      if (processedSet.contains(id)) {
        processed++;
      } else if (end.deadLettered().contains(id)) {
        deadLettered++;
      } else {
        lost.add(id);
      }
    }
    Map<String, Integer> times = new HashMap<>();
    end.processed().forEach(id -> times.merge(id, 1, Integer::sum));
    long listedTwice = acceptedIds.stream().filter(id -> times.getOrDefault(id, 0) > 1).count();
    long duplicates = end.duplicatesSkipped() - duplicatesBefore + listedTwice;
    return new FaultResult(
        fault.id(),
        acceptedIds.size(),
        processed,
        deadLettered,
        (long) lost.size(),
        duplicates,
        p99(before),
        p99(during),
        p99(after),
        recovery,
        refused,
        lost,
        repaired,
        inFlight);
  }

  /** Notes when each order first showed up in the ledger (processed or dead-lettered). */
  private static void record(Ledger now, Set<String> seenBefore, Map<String, Long> processedAt) {
    long t = System.nanoTime();
    for (String id : now.processed()) {
      if (!seenBefore.contains(id)) {
        processedAt.putIfAbsent(id, t);
      }
    }
    for (String id : now.deadLettered()) {
      processedAt.putIfAbsent(id, t);
    }
  }

  private void inject(Fault fault) throws InterruptedException {
    switch (fault) {
      case BROKER_RESTART -> {
        lab.stopBroker();
        Thread.sleep(settings.downtime().toMillis());
        lab.startBroker();
      }
      case CONSUMER_KILL -> {
        lab.killConsumer();
        Thread.sleep(settings.downtime().toMillis());
        lab.restartConsumer();
      }
      case WORKER_KILL -> {
        lab.killWorker();
        lab.restartWorker(); // at once, as a supervisor (compose restart policy) does
      }
      case AUDITOR_DOWN -> {
        lab.stopAuditor();
        Thread.sleep(settings.downtime().toMillis());
        lab.startAuditor();
      }
    }
  }

  /**
   * From injection to the send time of the first order from which on every order was accepted and
   * reached the ledger within {@link Settings#healthyWithin()}; 0 when no order after injection was
   * hurt, null when the last order was still hurt. Without a ledger only acceptance counts.
   */
  private Double recovery(
      List<OrderClient.Placed> all,
      Map<String, Long> processedAt,
      long injectedAt,
      boolean ledger) {
    long healthyNanos = settings.healthyWithin().toNanos();
    OrderClient.Placed lastHurt = null;
    OrderClient.Placed firstAfterHurt = null;
    for (OrderClient.Placed p : all) {
      if (p.sentNanos() < injectedAt) {
        continue;
      }
      boolean healthy = p.accepted() != null;
      if (healthy && ledger) {
        Long at = processedAt.get(p.accepted().orderId());
        healthy = at != null && at - p.sentNanos() <= healthyNanos + LEDGER_POLL.toNanos();
      }
      if (!healthy) {
        lastHurt = p;
        firstAfterHurt = null;
      } else if (lastHurt != null && firstAfterHurt == null) {
        firstAfterHurt = p;
      }
    }
    if (lastHurt == null) {
      return 0.0;
    }
    if (firstAfterHurt == null) {
      return null;
    }
    return Math.round((firstAfterHurt.sentNanos() - injectedAt) / 1e8) / 10.0;
  }

  /** Waits (bounded) until every accepted order is in the ledger, processed or dead-lettered. */
  private Ledger drain(Set<String> acceptedIds, boolean hasLedger, Consumer<Ledger> onPoll)
      throws InterruptedException {
    long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
    while (true) {
      Ledger now = ledger();
      if (now == null) {
        if (!hasLedger || System.nanoTime() > deadline) {
          return null;
        }
        Thread.sleep(LEDGER_POLL.toMillis()); // a restarted consumer not answering yet
        continue;
      }
      onPoll.accept(now);
      Set<String> done = new HashSet<>(now.processed());
      done.addAll(now.deadLettered());
      if (done.containsAll(acceptedIds) || System.nanoTime() > deadline) {
        return now;
      }
      Thread.sleep(LEDGER_POLL.toMillis());
    }
  }

  /** The consumer's ledger now; null when the consumer has none (404) or cannot be reached. */
  Ledger ledger() {
    URI url = lab.consumerUrl().resolve("/ledger");
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return null;
      }
      JsonNode json = OrderJson.mapper().readTree(response.body());
      List<String> processed = new ArrayList<>();
      json.path("processed").forEach(n -> processed.add(n.asText()));
      Set<String> dead = new HashSet<>();
      json.path("deadLettered").forEach(n -> dead.add(n.asText()));
      return new Ledger(processed, dead, json.path("duplicatesSkipped").asLong());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Places {@code n} orders, not measured: the first requests of a fresh lab pay for class loading
   * and JIT.
   */
  public void warmUp(int n) {
    OrderClient client = OrderClient.create(lab.gatewayUrl());
    for (int i = 0; i < n; i++) {
      client.place(order);
    }
  }

  /** True when the consumer serves {@code GET /ledger}. */
  public boolean hasLedger() {
    return ledger() != null;
  }

  static Double p99(List<Double> latencies) {
    if (latencies.isEmpty()) {
      return null;
    }
    List<Double> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(0.99 * sorted.size()) - 1; // nearest rank
    return Math.round(sorted.get(Math.max(0, rank)) * 10) / 10.0;
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e9);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
