// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.spec;

import java.util.Locale;

/**
 * An expected crossing of the trace context (docs/design.md §11.1): from the caller's span to the
 * callee's span, across a boundary.
 *
 * @param id the name reports give it (default: the boundary's)
 * @param link a root {@code to} span linked to its {@code from} span is acceptable lineage
 * @param side who breaks it when it breaks, when the spec knows (null: the auditor infers it)
 * @param fix replaces the generic fix text of the boundary (null: generic)
 * @param note said before the fix when the hop's callee hosts the orphan (null: nothing)
 */
public record Hop(
    String id,
    Boundary boundary,
    SpanSelector from,
    SpanSelector to,
    boolean link,
    Side side,
    String fix,
    String note) {

  /** The kinds of crossing the auditor knows how to explain. */
  public enum Boundary {
    HTTP,
    RPC,
    MESSAGING,
    ASYNC;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Boundary parse(String text) {
      for (Boundary b : values()) {
        if (b.id().equalsIgnoreCase(text.trim())) {
          return b;
        }
      }
      throw new IllegalArgumentException(
          "boundary must be http, rpc, messaging or async, was '" + text + "'");
    }
  }

  /** The side whose code (or configuration) breaks the hop. */
  public enum Side {
    CALLER,
    CALLEE;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Side parse(String text) {
      for (Side s : values()) {
        if (s.id().equalsIgnoreCase(text.trim())) {
          return s;
        }
      }
      throw new IllegalArgumentException("side must be caller or callee, was '" + text + "'");
    }
  }

  public Hop {
    if (boundary == null || from == null || to == null) {
      throw new IllegalArgumentException("a hop needs a boundary, a from and a to");
    }
    if (id == null || id.isBlank()) {
      id = boundary.id();
    }
  }
}
