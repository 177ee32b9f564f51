// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The defect catalog: every deliberate defect of the lab, once — its boundary, role, language, the
 * file that holds it, the file that holds its fix, the switch that runs it, its scenario and its
 * exercise. {@link Boundary}, {@link Scenario}, {@link Implementation#fixFile()}, the exercises,
 * the workshop room's columns, {@code ./lab help} and the defect tables of README.md and
 * docs/orphans.md read it from here ({@code DefectCatalogTest} keeps the docs and every path in it,
 * and in each {@code broken-variants/} file's header, true).
 */
public final class Defects {

  private static final String JAVA_BROKEN = "broken-variants/src/main/java/dev/tracelab/broken/";

  /** The catalog, in flow order of boundaries. */
  public static final List<Defect> ALL =
      List.of(
          new Defect(
              "cors/browser",
              Boundary.CORS,
              Flow.FRONTEND,
              Language.BROWSER,
              "broken-variants/frontend/missing-api-entry.js",
              "frontend/src/propagation.js",
              "missing-entry",
              Map.of(),
              null,
              "cors",
              "the page's allowlist lacks the cross-origin API",
              "the gateway's `POST /orders` starts a new trace (cors orphan)",
              "list the API origin, exactly, in `propagateTraceHeaderCorsUrls`"),
          new Defect(
              "leak/browser",
              Boundary.CORS,
              Flow.FRONTEND,
              Language.BROWSER,
              "broken-variants/frontend/catch-all-allowlist.js",
              "frontend/src/propagation.js",
              "leak",
              Map.of(),
              null,
              null,
              "the page's allowlist is a catch-all",
              "the third party receives `traceparent` (traces stay connected)",
              "an exact-origin allowlist, never a catch-all (docs/browser.md)"),
          new Defect(
              "http/java",
              Boundary.HTTP,
              Flow.GATEWAY,
              Language.JAVA,
              JAVA_BROKEN + "XTraceIdHttpClient.java",
              "gateway-svc/src/main/java/dev/tracelab/gateway/TracingHttpClient.java",
              "broken",
              Map.of(),
              "broken-http",
              "http",
              "a home-made `X-Trace-ID` header, no `traceparent`",
              "`POST /work` starts a new trace",
              "inject in the HTTP client wrapper"),
          new Defect(
              "http/go",
              Boundary.HTTP,
              Flow.GATEWAY,
              Language.GO,
              "broken-variants/go/xtraceid.go",
              "gateway-svc/go/worker.go",
              "broken",
              Map.of(),
              "broken-http",
              "http",
              "a plain `http.RoundTripper` sends a UUID as `X-Trace-ID`, no `traceparent`",
              "`POST /work` starts a new trace",
              "inject in the HTTP client wrapper (`otelhttp` with the configured propagator)"),
          new Defect(
              "propagators",
              Boundary.PROPAGATORS,
              Flow.GATEWAY,
              null,
              null,
              "config/otel.env",
              null,
              Map.of(Flow.GATEWAY, "b3multi", Flow.WORKER, "tracecontext"),
              "broken-propagators",
              "propagators",
              "no code: the gateway injects only B3, the worker extracts only W3C",
              "`POST /work` starts a new trace",
              "configuration: align `OTEL_PROPAGATORS` (or a composite propagator on both during a migration)"),
          new Defect(
              "async/java",
              Boundary.ASYNC,
              Flow.WORKER,
              Language.JAVA,
              JAVA_BROKEN + "RawExecutorHandOff.java",
              "worker-svc/src/main/java/dev/tracelab/worker/ContextBoundHandOff.java",
              "broken",
              Map.of(),
              "broken-async",
              "async",
              "the task is submitted to a raw `ExecutorService`",
              "`order.prepare` starts a new trace",
              "bind the context at submit (`Context.taskWrapping`)"),
          new Defect(
              "async/node",
              Boundary.ASYNC,
              Flow.WORKER,
              Language.NODE,
              "broken-variants/node/bare-hand-off.js",
              "worker-svc/node/src/context-bound-hand-off.js",
              "broken",
              Map.of(),
              "broken-async",
              "async",
              "the job is pushed bare onto a queue whose loops were started at boot",
              "`order.prepare` starts a new trace",
              "bind the context at submit (`context.bind(context.active(), job)`)"),
          new Defect(
              "kafka/java",
              Boundary.KAFKA,
              Flow.CONSUMER,
              Language.JAVA,
              JAVA_BROKEN + "IgnoredRecordHeaders.java",
              "consumer-svc/src/main/java/dev/tracelab/consumer/RecordHeadersParent.java",
              "broken",
              Map.of(),
              "broken-kafka",
              "kafka",
              "the record headers are ignored: the process span has no parent",
              "`process orders` starts a new trace",
              "extract from the record headers; the result is the parent"),
          new Defect(
              "kafka/go",
              Boundary.KAFKA,
              Flow.CONSUMER,
              Language.GO,
              "broken-variants/go/ignoredheaders.go",
              "consumer-svc/go/parent.go",
              "broken",
              Map.of(),
              "broken-kafka",
              "kafka",
              "the process span starts from `context.Background()`",
              "`process orders` starts a new trace",
              "extract from the record headers; the result is the parent"),
          new Defect(
              "lifecycle/java",
              null,
              Flow.CONSUMER,
              Language.JAVA,
              JAVA_BROKEN + "LifecycleSpanParent.java",
              "consumer-svc/src/main/java/dev/tracelab/consumer/LifecycleUnits.java",
              "lifecycle",
              Map.of(),
              null,
              null,
              "one span parents everything a subscription does, for its whole life",
              "one trace that grows with uptime; late spans (`./lab longrun`)",
              "a bounded trace per unit of work, linked to a short lifecycle span"),
          new Defect(
              "lifecycle/go",
              null,
              Flow.CONSUMER,
              Language.GO,
              "broken-variants/go/lifecycle.go",
              "consumer-svc/go/lifecycle.go",
              "lifecycle",
              Map.of(),
              null,
              null,
              "one span parents everything a subscription does, for its whole life",
              "one trace that grows with uptime; late spans (`./lab longrun`)",
              "a bounded trace per unit of work, linked to a short lifecycle span"));

  private Defects() {}

  /** The defect with this id; a clear error when there is none. */
  public static Defect get(String id) {
    for (Defect d : ALL) {
      if (d.id().equals(id)) {
        return d;
      }
    }
    throw new IllegalArgumentException("no defect '" + id + "' in the catalog");
  }

  /** The defects of {@code boundary}, in catalog order. */
  public static List<Defect> of(Boundary boundary) {
    return ALL.stream().filter(d -> d.boundary() == boundary).toList();
  }

  /**
   * The fix file of the boundary {@code role} can break, in {@code language}: the file of its first
   * defect there; null when the catalog has none (a participant with no code of the lab's).
   */
  public static String fixFileOf(String role, Language language) {
    for (Defect d : ALL) {
      if (d.role().equals(role) && d.language() == language && d.boundary() != null) {
        return d.fixFile();
      }
    }
    return null;
  }

  /** The boundaries {@code scenario} breaks: those of the defects it runs. */
  public static Set<Boundary> brokenBy(String scenario) {
    Set<Boundary> out = EnumSet.noneOf(Boundary.class);
    ALL.stream()
        .filter(d -> scenario.equals(d.scenario()) && d.boundary() != null)
        .forEach(d -> out.add(d.boundary()));
    return out;
  }

  /** The boundaries the lab's services break with the variant {@code variant} ({@code broken}). */
  public static Set<Boundary> brokenByVariant(String variant) {
    Set<Boundary> out = EnumSet.noneOf(Boundary.class);
    ALL.stream()
        .filter(d -> variant.equals(d.variant()) && Flow.SERVICES.contains(d.role()))
        .filter(d -> d.boundary() != null)
        .forEach(d -> out.add(d.boundary()));
    return out;
  }

  /** {@code OTEL_PROPAGATORS} per role of the configuration defects {@code scenario} runs. */
  public static Map<String, String> propagatorsOf(String scenario) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    ALL.stream()
        .filter(d -> scenario.equals(d.scenario()))
        .forEach(d -> out.putAll(d.propagators()));
    return out;
  }

  /** The exercises, in catalog order: {@code cors}, {@code http}, ... (one per boundary). */
  public static List<String> exercises() {
    Set<String> out = new LinkedHashSet<>();
    ALL.stream().filter(d -> d.exercise() != null).forEach(d -> out.add(d.exercise()));
    return new ArrayList<>(out);
  }

  /** The catalog's defects that are the exercise {@code exercise}, in catalog order. */
  public static List<Defect> ofExercise(String exercise) {
    return ALL.stream().filter(d -> exercise.equals(d.exercise())).toList();
  }

  /**
   * The code exercises between the lab's services, in flow order ({@code http}, {@code async},
   * {@code kafka}): those the workshop room judges from the learners' services' spans.
   */
  public static List<Boundary> serviceExercises() {
    Set<Boundary> out = new LinkedHashSet<>();
    ALL.stream()
        .filter(d -> d.exercise() != null && !d.isConfiguration())
        .filter(d -> Flow.SERVICES.contains(d.role()))
        .forEach(d -> out.add(d.boundary()));
    return new ArrayList<>(out);
  }
}
