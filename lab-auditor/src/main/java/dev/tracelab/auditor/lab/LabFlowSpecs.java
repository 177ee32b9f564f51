// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.lab;

import dev.tracelab.auditor.orphans.RunSetup;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.Hop;
import dev.tracelab.auditor.spec.SpanSelector;
import dev.tracelab.auditor.spec.SpanSpec;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Implementation;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Instrumentation;
import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab's own flows as instances of the auditor's one model (docs/design.md §11): the only place
 * of the auditor that reads the lab's flow ({@code dev.tracelab.flow}). Each combination of
 * implementations (languages, mesh, browser) becomes a {@link FlowSpec}: its spans from §2/§7 with
 * their step numbers as ids, its entry point (the first span), the correlation attribute {@code
 * app.order_id}, one hop per crossing — carrying the lab's boundary id, the side that breaks it,
 * and the lab's fix file as the hop's fix text — and each participant's {@code OTEL_PROPAGATORS}.
 */
public final class LabFlowSpecs {

  /** The attribute every span of one lab request carries. */
  public static final String CORRELATION = "app.order_id";

  /** The all-Java lab flow. */
  public static final FlowSpec JAVA = of(Implementations.JAVA, Map.of());

  /** The run the auditor assumes before anyone starts one: the all-Java lab flow. */
  public static final RunSetup DEFAULT =
      setup("since-start", Map.of(), Implementations.JAVA, Map.of());

  private LabFlowSpecs() {}

  /** A lab run: its spec, and the labels its report carries. */
  public static RunSetup setup(
      String name,
      Map<String, String> variants,
      Implementations implementations,
      Map<String, String> propagators) {
    return new RunSetup(
        name,
        variants,
        implementations.ids(),
        implementations.mesh(),
        of(implementations, propagators));
  }

  /** A lab run under {@code instrumentation} ({@code --instrumentation}, docs/design.md §14). */
  public static RunSetup setup(
      String name,
      Map<String, String> variants,
      Implementations implementations,
      Map<String, String> propagators,
      Instrumentation instrumentation) {
    return new RunSetup(
        name,
        variants,
        implementations.ids(),
        implementations.mesh(),
        instrumentation.id(),
        of(implementations, propagators, instrumentation));
  }

  /**
   * The flow a run under {@code instrumentation} is judged by: the flow the services' code means
   * (§2, {@link #of(Implementations, Map)}), whatever instruments them. The agent's own spans are
   * extra spans in it; what shape a request takes under the agent is {@link #agentShape}.
   */
  public static FlowSpec of(
      Implementations implementations,
      Map<String, String> propagators,
      Instrumentation instrumentation) {
    return of(implementations, propagators);
  }

  /**
   * The shape one request of {@code scenario} takes under {@code --instrumentation agent}
   * (docs/auto-instrumentation.md): the traces that carry {@code app.order_id}, as measured with
   * the agent version the root pom pins ({@code opentelemetry-javaagent.version}) and the worker's
   * {@code @opentelemetry/auto-instrumentations-node}. Empty for a combination the model does not
   * describe (the agent shapes of the Go services' neighbours were not measured).
   *
   * <p>Why these shapes (java-agent): the agent bridges the services' {@code Context} to its own
   * context storage, which keeps the agent's spans and remote parents but drops a span of the
   * service's own SDK ({@code makeCurrent()} of such a span changes nothing the agent sees). So
   * every span the service's SDK starts gets the last span the agent knows as parent: the gateway's
   * own SERVER and CLIENT spans start traces of their own (no parent the agent knows, and no {@code
   * app.order_id}: {@code Span.current().setAttribute} reaches a non-recording wrapper); the
   * agent's CLIENT span roots the request's trace; in the worker every span hangs under the
   * caller's span id; the agent's executor instrumentation carries that context into the deferred
   * work and its HTTP client and Kafka producer instrumentations inject {@code traceparent}
   * themselves, over the service's own header. node-auto: the auto-instrumentations patch {@code
   * http} and kafkajs after the worker's own instrumentations and replace their patches, so the
   * worker's SERVER and PRODUCER spans come from the auto SDK (same names, parents and trace as
   * under {@code sdk}; the PRODUCER span without {@code app.order_id}, which the worker's own span
   * processor stamps); nothing carries the context through the worker's job queue.
   */
  public static java.util.Optional<RequestShape> agentShape(
      Implementations implementations, dev.tracelab.flow.Scenario scenario) {
    Implementations services = implementations.servicesOnly();
    boolean javaWorker;
    if (services.equals(Implementations.JAVA)) {
      javaWorker = true;
    } else if (services.equals(
        Implementations.JAVA.with(dev.tracelab.flow.Implementation.WORKER_NODE))) {
      javaWorker = false;
    } else {
      return java.util.Optional.empty();
    }
    String id = scenario.id();
    // broken-http changes nothing under the agent: its HTTP client span and header are the same
    boolean asyncBroken = id.equals("broken-async") || id.equals("all-broken");
    boolean consumerOwnTrace =
        id.equals("broken-kafka") || id.equals("all-broken") || id.equals("linked-kafka");
    boolean propagators = id.equals("broken-propagators");
    List<List<SpanSpec>> traces = new ArrayList<>();
    SpanSpec process = span("h", CONSUMER, SpanKind.CONSUMER, "process orders", null);
    if (javaWorker) {
      // the gateway's own spans and the worker's SERVER spans carry no app.order_id: they are not
      // part of a correlated trace unless a correlated span hangs in theirs
      SpanSpec prepare = span("d", WORKER, SpanKind.INTERNAL, "order.prepare", "a");
      SpanSpec publish = span("f", WORKER, SpanKind.PRODUCER, "orders publish", "a");
      SpanSpec agentProcess = span("g", CONSUMER, SpanKind.CONSUMER, "orders process", "f");
      if (propagators) {
        // the worker extracts nothing: every span of its SDK and the agent's publish start traces
        traces.add(List.of(span("d", WORKER, SpanKind.INTERNAL, "order.prepare", null)));
        traces.add(
            List.of(
                span("f", WORKER, SpanKind.PRODUCER, "orders publish", null),
                agentProcess,
                span("h", CONSUMER, SpanKind.CONSUMER, "process orders", "f")));
        return java.util.Optional.of(RequestShape.described(traces));
      }
      List<SpanSpec> main = new ArrayList<>();
      main.add(span("a", GATEWAY, SpanKind.CLIENT, "POST", null));
      main.add(span("b", WORKER, SpanKind.SERVER, "POST /work", "a"));
      main.add(span("c", WORKER, SpanKind.SERVER, "POST /work", "a"));
      main.add(prepare);
      main.add(span("e", WORKER, SpanKind.PRODUCER, "send orders", "a"));
      main.add(publish);
      main.add(agentProcess);
      if (consumerOwnTrace) {
        traces.add(List.of(process));
      } else {
        main.add(span("h", CONSUMER, SpanKind.CONSUMER, "process orders", "f"));
      }
      traces.add(main);
      return java.util.Optional.of(RequestShape.described(traces));
    }
    // java gateway and consumer under the Java agent, the Node.js worker with node-auto
    SpanSpec client = span("a", GATEWAY, SpanKind.CLIENT, "POST", null);
    SpanSpec server = span("b", WORKER, SpanKind.SERVER, "POST /work", propagators ? null : "a");
    List<SpanSpec> front = new ArrayList<>(propagators ? List.of(server) : List.of(client, server));
    List<SpanSpec> back = new ArrayList<>();
    back.add(span("d", WORKER, SpanKind.INTERNAL, "order.prepare", asyncBroken ? null : "b"));
    back.add(span("e", WORKER, SpanKind.PRODUCER, "send orders", "d"));
    back.add(span("g", CONSUMER, SpanKind.CONSUMER, "orders process", "e"));
    if (consumerOwnTrace) {
      traces.add(List.of(process));
    } else {
      back.add(span("h", CONSUMER, SpanKind.CONSUMER, "process orders", "e"));
    }
    if (asyncBroken) {
      traces.add(front);
      traces.add(back);
    } else {
      front.addAll(back);
      traces.add(front);
    }
    return java.util.Optional.of(RequestShape.described(traces));
  }

  private static final String GATEWAY = dev.tracelab.flow.Flow.GATEWAY;
  private static final String WORKER = dev.tracelab.flow.Flow.WORKER;
  private static final String CONSUMER = dev.tracelab.flow.Flow.CONSUMER;

  private static SpanSpec span(
      String id, String service, SpanKind kind, String name, String parent) {
    return new SpanSpec(id, service, kind, name, parent);
  }

  /** The flow of {@code implementations}, with the {@code OTEL_PROPAGATORS} each role runs. */
  public static FlowSpec of(Implementations implementations, Map<String, String> propagators) {
    ExpectedFlow flow = ExpectedFlow.of(implementations);
    List<SpanSpec> spans = new ArrayList<>();
    for (ExpectedSpan e : flow.spans()) {
      spans.add(
          new SpanSpec(
              Integer.toString(e.step()),
              e.service(),
              e.kind(),
              e.name(),
              e.isRoot() ? null : Integer.toString(e.parentStep())));
    }
    List<Hop> hops = new ArrayList<>();
    for (ExpectedSpan e : flow.spans()) {
      if (e.isRoot()) {
        continue;
      }
      ExpectedSpan parent = flow.step(e.parentStep());
      Boundary cut = flow.boundaryOrphaning(e.service(), e.kind(), e.name());
      if (cut == null && parent.service().equals(e.service())) {
        continue; // a span and its parent in one execution: no crossing
      }
      SpanSelector from = new SpanSelector(parent.service(), parent.kind(), parent.name());
      SpanSelector to = new SpanSelector(e.service(), e.kind(), e.name());
      if (cut == null) {
        hops.add(new Hop(null, boundaryOf(parent.kind()), from, to, false, null, null, null));
        continue;
      }
      Implementation host = flow.orphanHost(cut);
      String note = host.role().equals(e.service()) ? host.orphanNote() : null;
      hops.add(
          new Hop(
              cut.id(),
              boundaryOf(cut),
              from,
              to,
              cut == Boundary.KAFKA,
              cut.brokenBy().equals(parent.service()) ? Hop.Side.CALLER : Hop.Side.CALLEE,
              cut.fix() + " Fix: " + flow.fixFile(cut),
              note));
    }
    Map<String, String> byRole = new LinkedHashMap<>();
    for (String role : implementations.roles()) {
      String value =
          propagators.containsKey(role)
              ? propagators.get(role)
              : implementations.of(role).propagators();
      if (value != null) {
        byRole.put(role, value);
      }
    }
    ExpectedSpan first = flow.entryPoint();
    return new FlowSpec(
        "lab " + implementations.label(),
        implementations.roles(),
        List.of(new SpanSelector(first.service(), first.kind(), null)),
        CORRELATION,
        spans,
        0,
        hops,
        byRole);
  }

  private static Hop.Boundary boundaryOf(Boundary b) {
    return switch (b) {
      case CORS, HTTP, PROPAGATORS -> Hop.Boundary.HTTP;
      case ASYNC -> Hop.Boundary.ASYNC;
      case KAFKA -> Hop.Boundary.MESSAGING;
    };
  }

  private static Hop.Boundary boundaryOf(SpanKind callerKind) {
    return callerKind == SpanKind.PRODUCER ? Hop.Boundary.MESSAGING : Hop.Boundary.HTTP;
  }
}
