// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

/**
 * A broken edge (docs/design.md §11.3): {@code count} calls of {@code from} whose context never
 * reached {@code to}, paired across trace ids, and who must act.
 *
 * @param boundary the hop's id in the spec, else {@code http}, {@code rpc}, {@code messaging} or
 *     {@code async}
 * @param likely an async edge backed by timing alone (no correlation attribute)
 * @param side {@code caller}, {@code callee}, {@code between} or {@code either}
 * @param example the first pair: where to look in a trace backend
 */
public record BrokenEdge(
    String from,
    String to,
    String boundary,
    long count,
    boolean likely,
    String side,
    String evidence,
    String fix,
    Example example) {

  /**
   * One pair of the edge: the caller's span (unanswered call, or the serving span of an async root)
   * and the root.
   */
  public record Example(
      String callTraceId, String callSpanId, String rootTraceId, String rootSpanId) {}

  /** {@code frontend -> customer (http)}. */
  public String label() {
    return from + " -> " + to + " (" + boundary + ")";
  }
}
