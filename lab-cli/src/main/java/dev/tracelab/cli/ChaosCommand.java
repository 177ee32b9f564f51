// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.service.ServiceImplementation;
import dev.tracelab.env.service.SourceTree;
import dev.tracelab.experiments.chaos.ChaosExperiment;
import dev.tracelab.experiments.chaos.ChaosExperiment.Fault;
import dev.tracelab.experiments.chaos.ChaosExperiment.FaultResult;
import dev.tracelab.experiments.chaos.ComposeChaosEnvironment;
import dev.tracelab.flow.Flow;
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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./lab chaos}: the embedded lab (worker and consumer as child JVMs, so they can be killed)
 * or, with {@code --compose}, the compose stack (a project of its own, taken down afterwards) under
 * steady load, one fault after the other: broker restart, consumer kill -9, worker kill -9, auditor
 * down. Per fault a table row and, with {@code --report-json}, {@code {"faults": [...]}}
 * (docs/design.md §10).
 */
@Command(
    name = "chaos",
    sortOptions = false,
    description = {
      "Faults under steady load, one after the other: broker restart, consumer kill -9, worker kill"
          + " -9, auditor down; per fault lost orders, duplicates, p99 and recovery."
    })
final class ChaosCommand implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Option(
      names = "--compose",
      description =
          "the compose stack (a project of its own, taken down afterwards), not the embedded lab")
  private boolean compose;

  @Option(
      names = "--project",
      paramLabel = "P",
      defaultValue = "tracelab-chaos",
      description = "--compose: the compose project (default ${DEFAULT-VALUE})")
  private String project;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description = "orders per second (1..200, default 20)")
  private Integer rate;

  @Option(
      names = "--seconds",
      paramLabel = "S",
      description = "seconds per fault (6..600, default 18)")
  private Integer seconds;

  @Option(
      names = "--downtime",
      paramLabel = "D",
      description = "seconds each fault lasts (1..120, default 5)")
  private Integer downtime;

  @Option(
      names = "--report-json",
      paramLabel = "F",
      description = "{\"faults\": [...]}, a row per fault")
  private String reportJson;

  private final PrintStream out;
  private final PrintStream err;

  ChaosCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    ChaosExperiment.Settings defaults = ChaosExperiment.Settings.defaults();
    int rate = Checks.range("rate", this.rate == null ? defaults.rate() : this.rate, 1, 200);
    int seconds =
        Checks.range(
            "seconds",
            this.seconds == null ? (int) defaults.duration().toSeconds() : this.seconds,
            6,
            600);
    int downtime =
        Checks.range(
            "downtime",
            this.downtime == null ? (int) defaults.downtime().toSeconds() : this.downtime,
            1,
            120);
    Path json = DemoCommand.path(reportJson);
    ChaosExperiment.Settings settings =
        new ChaosExperiment.Settings(
            rate,
            Duration.ofSeconds(seconds),
            Duration.ofSeconds(downtime),
            defaults.drainTimeout(),
            defaults.healthyWithin(),
            defaults.orderDelay());

    List<FaultResult> results = new ArrayList<>();
    try {
      if (compose) {
        Path composeFile = SourceTree.root().resolve("compose/docker-compose.yml");
        err.println(
            "starting the compose stack as project "
                + project
                + " ("
                + composeFile
                + "; images from"
                + " compose/build-images.sh, ports from GATEWAY_PORT, CONSUMER_PORT, ...)...");
        try (ComposeChaosEnvironment stack =
            ComposeChaosEnvironment.up(
                composeFile, project, Map.of(), line -> err.println("  " + line))) {
          runFaults(
              ChaosExperiment.create(stack, settings, line -> err.println("  " + line)),
              settings,
              results,
              err);
        }
      } else {
        err.println(
            "starting the embedded lab (Kafka, auditor, gateway; worker and consumer as child JVMs)...");
        try (LabEnvironment lab =
            LabEnvironment.builder()
                .implementation(Flow.WORKER, ServiceImplementation.javaProcess())
                .implementation(Flow.CONSUMER, ServiceImplementation.javaProcess())
                .start()) {
          runFaults(
              ChaosExperiment.create(lab, settings, line -> err.println("  " + line)),
              settings,
              results,
              err);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("lab: interrupted");
      return 1;
    } catch (RuntimeException e) {
      err.println("lab: chaos failed: " + e.getMessage());
      return 1;
    }
    out.print(table(results));
    if (json != null) {
      try {
        Files.writeString(json, json(results));
      } catch (IOException e) {
        err.println("lab: cannot write " + json + ": " + e.getMessage());
        return 1;
      }
    }
    return 0;
  }

  private static void runFaults(
      ChaosExperiment chaos,
      ChaosExperiment.Settings settings,
      List<FaultResult> results,
      PrintStream err)
      throws InterruptedException {
    if (!chaos.hasLedger()) {
      err.println(
          "lab: warning: the consumer serves no GET /ledger; processed, dead-lettered, lost and duplicates are null");
    }
    chaos.warmUp(100);
    long seconds = settings.duration().toSeconds();
    for (Fault fault : Fault.values()) {
      err.println(
          fault.id()
              + ": "
              + settings.rate()
              + " orders/s for "
              + seconds
              + " s, fault at "
              + seconds / 3
              + " s");
      FaultResult r = chaos.run(fault);
      results.add(r);
      if (r.lost() != null && r.lost() > 0) {
        err.println("  lost order ids (first 10): " + r.lostOrderIds().stream().limit(10).toList());
      }
    }
  }

  static String json(List<FaultResult> results) throws IOException {
    List<Map<String, Object>> faults = new ArrayList<>();
    for (FaultResult r : results) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("name", r.name());
      f.put("accepted", r.accepted());
      f.put("processed", r.processed());
      f.put("deadLettered", r.deadLettered());
      f.put("lost", r.lost());
      f.put("duplicates", r.duplicates());
      f.put("p99BeforeMs", r.p99BeforeMs());
      f.put("p99DuringMs", r.p99DuringMs());
      f.put("p99AfterMs", r.p99AfterMs());
      f.put("recoveryS", r.recoveryS());
      faults.add(f);
    }
    return new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(Map.of("faults", faults))
        + "\n";
  }

  /** A Markdown table, as docs/reliability.md holds it. */
  static String table(List<FaultResult> results) {
    StringBuilder b = new StringBuilder();
    b.append(
        "| fault | in flight | accepted | refused | processed | dead-lettered | lost | duplicates | p99 before ms | p99 during ms | p99 after ms | recovery s |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (FaultResult r : results) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
              r.name(),
              r.inFlight(),
              r.accepted(),
              r.refused(),
              v(r.processed()),
              v(r.deadLettered()),
              v(r.lost()),
              v(r.duplicates()),
              v(r.p99BeforeMs()),
              v(r.p99DuringMs()),
              v(r.p99AfterMs()),
              r.recoveryS() == null ? "not recovered" : v(r.recoveryS())));
    }
    return b.toString();
  }

  private static String v(Object value) {
    return value == null ? "n/a" : value.toString();
  }
}
