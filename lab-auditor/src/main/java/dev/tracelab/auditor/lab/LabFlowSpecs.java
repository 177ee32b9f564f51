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

  /** The flow of {@code implementations} under {@code instrumentation}. */
  public static FlowSpec of(
      Implementations implementations,
      Map<String, String> propagators,
      Instrumentation instrumentation) {
    return of(implementations, propagators);
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
