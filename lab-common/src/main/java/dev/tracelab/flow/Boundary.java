// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

/**
 * A place where trace context must cross from one execution to another (docs/design.md §3). Its
 * defects — one per language in {@code broken-variants/}, or one of configuration — are in the
 * defect catalog ({@link Defects}); when broken, one span of the next execution starts a new trace.
 * Which span, and which file holds the fix, depends on the implementations: ask {@link
 * ExpectedFlow#orphanStep} and {@link ExpectedFlow#fixFile}.
 */
public enum Boundary {
  /**
   * From the page to the gateway: the browser sends the trace context to another origin only when
   * that origin is on the fetch instrumentation's allowlist and its preflight allows the headers.
   */
  CORS(
      "cors",
      Flow.GATEWAY,
      "List the API's origin (exactly: scheme, host, port) in the fetch instrumentation's"
          + " propagateTraceHeaderCorsUrls, and answer its CORS preflight with"
          + " Access-Control-Allow-Headers: traceparent, tracestate; never a catch-all, which sends"
          + " the trace context to third parties."),
  HTTP(
      "http",
      Flow.WORKER,
      "Inject the context into the outgoing request with the propagator (OTel-aware HTTP client"
          + " wrapper on the caller); the server extracts it."),
  ASYNC(
      "async",
      Flow.WORKER,
      "Bind the current context to the task at submit time (Java: Context.taskWrapping /"
          + " Context.current().wrap; Node.js: context.bind(context.active(), job)) at the hand-off."),
  KAFKA(
      "kafka",
      Flow.CONSUMER,
      "Extract the context from the record headers (the producer injects it) and make it the"
          + " process span's parent."),
  /**
   * Not a code defect: both sides propagate, in formats the other does not read (the caller injects
   * only B3, the server extracts only W3C {@code traceparent}). Broken by configuration.
   */
  PROPAGATORS(
      "propagators",
      Flow.WORKER,
      "Align OTEL_PROPAGATORS on both sides of the hop (both tracecontext), or, during a migration,"
          + " run a composite propagator (tracecontext,b3multi) on both: inject both formats, extract"
          + " either.");

  private final String id;
  private final String orphanService;
  private final String fix;

  Boundary(String id, String orphanService, String fix) {
    this.id = id;
    this.orphanService = orphanService;
    this.fix = fix;
  }

  /**
   * Short id used by the CLI, reports and diagnoses: {@code cors}, {@code http}, {@code async},
   * {@code kafka}.
   */
  public String id() {
    return id;
  }

  /**
   * The participant whose switch breaks this boundary (its variant, or for configuration its
   * propagators): the role of its defects in {@link Defects}.
   */
  public String brokenBy() {
    return Defects.of(this).get(0).role();
  }

  /** The service that owns the orphan span when this boundary breaks. */
  public String orphanService() {
    return orphanService;
  }

  /** The all-Java flow's step that becomes an orphan root when this boundary is broken. */
  public int rootStep() {
    return Flow.JAVA.orphanStep(this);
  }

  /** True when the defect is configuration (no variant of any service's code breaks it). */
  public boolean isConfiguration() {
    return Defects.of(this).get(0).isConfiguration();
  }

  /** The all-Java fix file; for other implementations see {@link ExpectedFlow#fixFile}. */
  public String fixFile() {
    return Flow.JAVA.fixFile(this);
  }

  /** Where the fix belongs, in one sentence. */
  public String fix() {
    return fix;
  }
}
