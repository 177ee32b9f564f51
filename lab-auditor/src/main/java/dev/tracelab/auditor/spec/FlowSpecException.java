// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.spec;

/**
 * A flow spec that cannot be used; the message is one line naming the file, the line and the field:
 * {@code shop.yaml:7: hops[0].boundary: boundary must be http, rpc, messaging or async}.
 */
public final class FlowSpecException extends Exception {

  public FlowSpecException(String source, int line, String field, String problem) {
    super(source + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + oneLine(problem));
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }
}
