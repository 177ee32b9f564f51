// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import io.opentelemetry.api.trace.SpanKind;

/** One span of the flow: its position, who makes it, its kind and name, and its parent's step. */
public record ExpectedSpan(int step, String service, SpanKind kind, String name, int parentStep) {

  public boolean isRoot() {
    return parentStep == 0;
  }

  /** True when a received span has this span's identity (service, kind, name). */
  public boolean matches(String service, SpanKind kind, String name) {
    return this.service.equals(service) && this.kind == kind && this.name.equals(name);
  }

  @Override
  public String toString() {
    return step + " " + service + " " + kind + " " + name;
  }
}
