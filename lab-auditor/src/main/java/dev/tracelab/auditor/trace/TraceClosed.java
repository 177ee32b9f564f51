// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.trace;

import java.util.List;
import java.util.Map;

/**
 * A trace has closed: the trace, and what its listeners need to judge it without asking the
 * assembler back — for each value of the flow's correlation attribute it carries, every trace
 * (fragment) of that request known when it closed, itself included.
 */
public record TraceClosed(
    AssembledTrace trace, Map<String, List<AssembledTrace>> fragmentsByOrder) {

  public TraceClosed {
    fragmentsByOrder = Map.copyOf(fragmentsByOrder);
  }

  /** The fragments of one order carried by the trace; empty for an order it does not carry. */
  public List<AssembledTrace> fragmentsOf(String orderId) {
    return fragmentsByOrder.getOrDefault(orderId, List.of());
  }
}
