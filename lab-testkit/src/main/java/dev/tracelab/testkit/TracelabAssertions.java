// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

/**
 * Entry point of the kit's assertions, in the style of OpenTelemetry's {@code
 * OpenTelemetryAssertions}: one static import.
 *
 * <pre>{@code
 * import static dev.tracelab.testkit.TracelabAssertions.*;
 *
 * assertThat(auditor).awaiting(Duration.ofSeconds(10))
 *     .request(byTraceId(traceId))
 *     .isOneConnectedTrace()
 *     .hasSpanCount(4)
 *     .hasPath("frontend:SERVER", "frontend:CLIENT", "customer:SERVER");
 * assertThat(auditor).hasNoOrphans("customer").hasNoBrokenEdge();
 * }</pre>
 */
public final class TracelabAssertions {

  private TracelabAssertions() {}

  /** Assertions on what {@code auditor} judged; they wait for it (default 30 s). */
  public static AuditorAssert assertThat(TraceAuditor auditor) {
    return new AuditorAssert(auditor);
  }

  /**
   * The shape assertions on traces read elsewhere (a tracing backend, a file), against {@code
   * spec}: nothing waits.
   */
  public static TracesAssert assertThatTraces(
      java.util.List<AuditedTrace> traces, dev.tracelab.auditor.spec.FlowSpec spec) {
    return new TracesAssert(traces, spec);
  }

  /** The request whose trace has this id (32 hex digits), with the traces it broke into. */
  public static RequestSelector byTraceId(String traceId) {
    return RequestSelector.byTraceId(traceId);
  }

  /**
   * The request whose response carried this W3C {@code traceresponse} header ({@code
   * 00-<trace-id>-<span-id>-01}): the trace its server span is in, with the traces it broke into.
   */
  public static RequestSelector byTraceresponse(String headerValue) {
    return RequestSelector.byTraceresponse(headerValue);
  }

  /**
   * The request whose spans carry {@code attribute = value}: every trace holding such a span. The
   * attribute must be the auditor's correlation attribute ({@link
   * TracelabAuditor.Builder#setCorrelation}); a one-value array attribute, as a captured header
   * ({@code http.request.header.x-request-id}), matches its value too.
   */
  public static RequestSelector byAttribute(String attribute, String value) {
    return RequestSelector.byAttribute(attribute, value);
  }
}
