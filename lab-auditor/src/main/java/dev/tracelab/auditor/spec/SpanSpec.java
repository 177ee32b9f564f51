// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.spec;

import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;

/**
 * One expected span of a request (docs/design.md §11.1): its id in the spec, its identity (service,
 * kind, name) and the id of its parent (null for the request's first span).
 */
public record SpanSpec(String id, String service, SpanKind kind, String name, String parent) {

  public SpanSpec {
    if (id == null || service == null || kind == null || name == null) {
      throw new IllegalArgumentException("a span needs an id, a service, a kind and a name");
    }
  }

  public boolean isRoot() {
    return parent == null;
  }

  public SpanSelector selector() {
    return new SpanSelector(service, kind, name);
  }

  public boolean matches(String service, SpanKind kind, String name) {
    return this.service.equals(service) && this.kind == kind && this.name.equalsIgnoreCase(name);
  }

  public boolean matches(ReceivedSpan span) {
    return matches(span.service(), span.kind(), span.name());
  }

  @Override
  public String toString() {
    return id + " " + service + " " + kind + " " + name;
  }
}
