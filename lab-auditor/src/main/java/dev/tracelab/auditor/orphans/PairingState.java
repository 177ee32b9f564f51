// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.util.List;
import java.util.Map;

/**
 * What one auditor's pairing holds (docs/design.md §11.4): the pairs it made, by edge and names,
 * and the ends still waiting for a partner — unanswered calls, unexplained roots, async roots, and
 * the serving spans an async root of another auditor may have started in. Behind a trace-id load
 * balancer the two ends of a broken edge sit on different auditors; {@link AuditMerge} pairs their
 * pending ends, so the merged edges equal one auditor's.
 *
 * <p>{@code noContextRoots}: consumer roots judged {@code no-context} (no producer span of their
 * request on this auditor, so not counted as orphans). Behind a trace-id balancer the producer's
 * trace may sit on another auditor: the merge counts such a root as the orphan one auditor would
 * have counted, and pairs it. Null in reports written before it existed (read as none).
 */
public record PairingState(
    List<EdgeRow> edges,
    List<PendingSpan> calls,
    List<PendingSpan> roots,
    List<PendingSpan> asyncRoots,
    List<PendingSpan> serving,
    Map<String, List<Long>> propagation,
    long droppedEnds,
    List<PendingSpan> noContextRoots) {

  /** The no-context roots, none when the report predates them. */
  public List<PendingSpan> noContextRootsOrNone() {
    return noContextRoots == null ? List.of() : noContextRoots;
  }

  /** Which pending list an end comes from. */
  enum Role {
    CALL,
    ROOT,
    ASYNC_ROOT,
    SERVING
  }

  /** Pairs of one edge with one pair of names. */
  public record EdgeRow(
      String from,
      String to,
      String boundary,
      boolean likely,
      String kind,
      String callKind,
      String callName,
      String rootKind,
      String rootName,
      long count,
      BrokenEdge.Example example) {}

  /** A pending end, with what pairing reads of it. */
  public record PendingSpan(
      String traceId,
      String spanId,
      String parentSpanId,
      String service,
      String kind,
      String name,
      long startEpochNanos,
      long endEpochNanos,
      Map<String, String> attributes,
      boolean connectedTrace) {

    static PendingSpan of(ReceivedSpan s, boolean connectedTrace, boolean attributes) {
      return new PendingSpan(
          s.traceId(),
          s.spanId(),
          s.parentSpanId(),
          s.service(),
          s.kind().name(),
          s.name(),
          s.startEpochNanos(),
          s.endEpochNanos(),
          attributes ? s.attributes() : Map.of(),
          connectedTrace);
    }

    ReceivedSpan toSpan() {
      return new ReceivedSpan(
          traceId,
          spanId,
          parentSpanId,
          service,
          SpanKind.valueOf(kind),
          name,
          startEpochNanos,
          endEpochNanos,
          false,
          attributes == null ? Map.of() : attributes);
    }
  }
}
