// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.spec.FlowSpec;
import java.util.List;
import java.util.Optional;

/**
 * A running tracelab auditor that the services under test export to, and what {@link
 * TracelabAssertions} reads: in-process ({@link TracelabAuditor}) or as a container ({@link
 * TracelabAuditorContainer}, read over its HTTP API), or one that runs already ({@link
 * TracelabAuditorClient}, read over its HTTP API).
 *
 * <p>Each call reads the auditor's state at that moment; the assertions poll these calls until
 * their condition holds or their time is up.
 */
public sealed interface TraceAuditor
    permits TracelabAuditor, TracelabAuditorContainer, TracelabAuditorClient {

  /**
   * The base URL for the services' OTLP/HTTP exporters ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, the
   * SDK appending {@code /v1/traces}), as the machine running the test reaches it.
   */
  String otlpHttpEndpoint();

  /**
   * The OTLP/gRPC endpoint ({@code http://host:port}), as the machine running the test reaches it.
   */
  String otlpGrpcEndpoint();

  /**
   * The flow spec the auditor judges by: its entry points and, optionally, a correlation attribute.
   */
  FlowSpec spec();

  /**
   * The auditor's generic report of the current run: judged traces, connected traces, per-service
   * orphan figures, broken edges and diagnoses (docs/design.md §11.4).
   */
  AuditReport report();

  /** A trace by id (32 hex digits), open or closed; empty when no span of it arrived. */
  Optional<AuditedTrace> trace(String traceId);

  /**
   * The traces holding a span whose correlation attribute ({@link FlowSpec#correlation()}) has this
   * value, in arrival order; empty without a correlation attribute.
   */
  List<AuditedTrace> tracesWith(String correlationValue);

  /** Traces received and not yet judged (a span of them arrived within the quiet window). */
  int tracesInFlight();
}
