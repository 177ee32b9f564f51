// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.auditor.TraceLog;
import dev.tracelab.auditor.orphans.OrphanRules;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.auditor.trace.TraceClosed;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.frontend.FrontendVariant;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import dev.tracelab.flow.Variant;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./lab up}: the embedded lab on the default ports until Ctrl-C. */
@Command(
    name = "up",
    sortOptions = false,
    description = {
      "Runs the lab and its page on the default ports until Ctrl-C: a line per closed trace.",
      "Options LANG: see ./lab help."
    })
final class UpCommand implements Callable<Integer> {

  @Mixin private HelpOption help;

  @Option(
      names = "--gateway",
      paramLabel = "V",
      description = "the gateway's variant: fixed (default) or broken")
  private String gateway;

  @Option(
      names = "--worker",
      paramLabel = "V",
      description = "the worker's variant: fixed (default) or broken")
  private String worker;

  @Option(
      names = "--consumer",
      paramLabel = "V",
      description = "the consumer's variant: fixed (default), broken or linked")
  private String consumer;

  @Option(
      names = "--frontend",
      paramLabel = "F",
      description =
          "the page's variant: fixed, leak or missing-entry; given, the run's requests start in the"
              + " browser")
  private String frontend;

  @Mixin private LanguageOptions lang;

  private final PrintStream out;
  private final PrintStream err;

  UpCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    String frontendOption = frontend;
    FrontendVariant frontendVariant;
    try {
      frontendVariant = FrontendVariant.parse(frontendOption == null ? "fixed" : frontendOption);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    Implementations implementations = lang.implementations();
    Map<String, Variant> variants = new LinkedHashMap<>();
    variants.put(Flow.GATEWAY, Checks.variant("gateway", gateway));
    variants.put(Flow.WORKER, Checks.variant("worker", worker));
    variants.put(Flow.CONSUMER, Checks.variant("consumer", consumer));

    err.println("starting the lab (Kafka, the auditor, consumer, worker, gateway, the page)...");
    LabEnvironment env;
    try {
      env =
          LabEnvironment.builder()
              .implementations(implementations)
              .instrumentation(lang.instrumentation())
              .variants(variants)
              .ports(8080, 8081, 8082, 9092, 4318, 8090)
              .sidecarPort(implementations.mesh() ? 8086 : 0)
              .frontend(frontendVariant)
              .frontendPorts(8083, 8084, 8085)
              .onReady(
                  (participant, took) ->
                      err.printf(
                          Locale.ROOT,
                          "  %-14s ready in %5.1f s%n",
                          participant,
                          took.toMillis() / 1000.0))
              .start();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          e.getMessage()
              + " (are ports 8080-8086, 9092, 4318, 8090 free? is another ./lab up running?)",
          e);
    }
    Scenario named =
        Scenario.of(
            variants.get(Flow.GATEWAY), variants.get(Flow.WORKER), variants.get(Flow.CONSUMER));
    String runName = named == null ? "custom" : named.id();
    // --frontend: the run's requests start in the browser (a request without the page, e.g. curl,
    // then shows as a cors orphan); without it the page is served all the same
    env.auditor()
        .startRun(frontendOption != null ? env.browserRunSetup(runName) : env.runSetup(runName));
    // a line per closed trace, each root marked: the entry point, a linked root, or an ORPHAN root
    // with the boundary the auditor's rules name (the same model as its report)
    OrphanRules rules = new OrphanRules();
    env.auditor()
        .assembler()
        .onClose(closed -> out.println(traceLine(closed, rules, env.auditor().runSetup().spec())));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  err.println("stopping the lab...");
                  env.close();
                  stopped.countDown();
                }));
    out.printf(
        "tracelab is up in %.1f s  (gateway %s %s, worker %s %s, consumer %s %s)%n",
        env.startupTime().toMillis() / 1000.0,
        implementations.languageOf(Flow.GATEWAY).id(),
        variants.get(Flow.GATEWAY).id(),
        implementations.languageOf(Flow.WORKER).id(),
        variants.get(Flow.WORKER).id(),
        implementations.languageOf(Flow.CONSUMER).id(),
        variants.get(Flow.CONSUMER).id());
    out.println(
        "  page           "
            + env.frontend().pageUrl()
            + "   <- open it: each order's trace starts in the browser"
            + " (allowlist "
            + frontendVariant.id()
            + ")");
    out.println(
        "  API origin     "
            + env.frontend().apiOrigin()
            + "/orders   third party "
            + env.frontend().analyticsUrl());
    out.println("  gateway        " + env.gatewayUrl() + "/orders");
    out.println("  worker         " + env.workerUrl() + "/work");
    if (env.mesh()) {
      out.println(
          "  envoy-sidecar  "
              + env.service(Flow.SIDECAR).url()
              + "/work  (the gateway's worker URL: Envoy -> worker)");
    }
    out.println("  consumer       " + env.consumerHealthUrl());
    out.println("  kafka          " + env.kafkaBootstrapServers());
    out.println("  auditor OTLP   " + env.auditor().otlpEndpoint() + "/v1/traces");
    out.println(
        "  auditor API    "
            + env.auditor().apiUrl()
            + "/api/report  (/api/traces/{id}, /api/orders/{id}, /metrics)");
    out.println();
    out.println(
        "try:  curl -i -X POST "
            + env.gatewayUrl()
            + "/orders -H 'Content-Type: application/json' -d '{\"sku\":\"ABC-1\",\"quantity\":2}'");
    out.println("a line per closed trace follows; Ctrl-C stops everything.");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * {@code trace <id> closed (<why>): N span(s), root gateway-svc POST /orders, order <id>}; an
   * orphan root reads {@code ORPHAN root worker-svc order.prepare (async)}, a span whose parent is
   * absent {@code ORPHAN span ... (missing-parent)}, a root joined by a span link {@code linked
   * root ...}.
   */
  static String traceLine(TraceClosed closed, OrphanRules rules, FlowSpec spec) {
    AssembledTrace trace = closed.trace();
    Map<ReceivedSpan, OrphanRules.Orphan> orphans = new LinkedHashMap<>();
    for (OrphanRules.Orphan o : rules.orphansOf(closed, spec)) {
      orphans.put(o.span(), o);
    }
    List<String> marks = new ArrayList<>();
    for (ReceivedSpan span : trace.spans()) {
      OrphanRules.Orphan orphan = orphans.get(span);
      String label = span.service() + " " + span.name();
      if (orphan != null && orphan.counts()) {
        marks.add(
            "ORPHAN "
                + (orphan.root() ? "root " : "span ")
                + label
                + " ("
                + orphan.diagnosis().boundary()
                + ")");
      } else if (span.isRoot()) {
        marks.add(
            (OrphanRules.isLinkedRoot(span, closed, spec) ? "linked root " : "root ") + label);
      }
    }
    String line = TraceLog.line(trace);
    // TraceLog's "root: a, b" becomes the marked roots
    int at = line.indexOf(", root: ");
    int order = line.indexOf(", order ", Math.max(at, 0));
    String head = at < 0 ? line : line.substring(0, at);
    String tail = order < 0 ? "" : line.substring(order);
    return head
        + ", "
        + (marks.isEmpty() ? "no root (parent outside)" : String.join(", ", marks))
        + tail;
  }
}
