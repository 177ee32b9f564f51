// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How an assertion finds one request's traces: by trace id, by the traceresponse header, or by the
 * auditor's correlation attribute. Made by {@link TracelabAssertions#byTraceId}, {@link
 * TracelabAssertions#byTraceresponse} and {@link TracelabAssertions#byAttribute}.
 */
public final class RequestSelector {

  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern TRACERESPONSE =
      Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

  private final String description;
  private final String attribute; // null: not found by the correlation attribute
  private final String traceId; // null: not found by trace id
  private final Function<TraceAuditor, List<AuditedTrace>> seed;

  private RequestSelector(
      String description,
      String attribute,
      String traceId,
      Function<TraceAuditor, List<AuditedTrace>> seed) {
    this.description = description;
    this.attribute = attribute;
    this.traceId = traceId;
    this.seed = seed;
  }

  static RequestSelector byTraceId(String traceId) {
    String id = Objects.requireNonNull(traceId, "traceId").toLowerCase(Locale.ROOT);
    if (!TRACE_ID.matcher(id).matches() || id.chars().allMatch(c -> c == '0')) {
      throw new IllegalArgumentException(
          "a trace id is 32 hex digits, not all zero: '" + traceId + "'");
    }
    return new RequestSelector(
        "byTraceId(" + id + ")", null, id, auditor -> auditor.trace(id).stream().toList());
  }

  static RequestSelector byTraceresponse(String header) {
    Objects.requireNonNull(header, "header");
    var m = TRACERESPONSE.matcher(header.strip());
    if (!m.matches() || m.group(1).equals("ff")) {
      throw new IllegalArgumentException(
          "a traceresponse header is version-traceid-spanid-flags (W3C Trace Context Level 2), e.g. "
              + "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01: '"
              + header
              + "'");
    }
    String id = m.group(2);
    RequestSelector byId = byTraceId(id);
    return new RequestSelector("byTraceresponse(" + header.strip() + ")", null, id, byId.seed);
  }

  static RequestSelector byAttribute(String attribute, String value) {
    Objects.requireNonNull(attribute, "attribute");
    Objects.requireNonNull(value, "value");
    return new RequestSelector(
        "byAttribute(" + attribute + "=" + value + ")",
        attribute,
        null,
        auditor -> {
          List<AuditedTrace> traces = new ArrayList<>(auditor.tracesWith(value));
          // an array attribute of one value (a captured header, http.request.header.x-request-id)
          // reads [value]
          for (AuditedTrace t : auditor.tracesWith("[" + value + "]")) {
            if (traces.stream().noneMatch(known -> known.traceId().equals(t.traceId()))) {
              traces.add(t);
            }
          }
          return traces;
        });
  }

  /** Fails fast when the auditor cannot find requests this way. */
  void requireSupportedBy(TraceAuditor auditor) {
    if (attribute != null && !attribute.equals(auditor.spec().correlation())) {
      throw new IllegalArgumentException(
          description
              + ": the auditor finds requests by its correlation attribute "
              + "only, which is "
              + (auditor.spec().correlation() == null
                  ? "not set"
                  : "'" + auditor.spec().correlation() + "'")
              + "; give it '"
              + attribute
              + "' (TracelabAuditor.builder().setCorrelation, "
              + "TracelabAuditorContainer.withCorrelation, or correlation: in the spec file)");
    }
  }

  /** The trace id the selector names; null when it selects by attribute. */
  String traceId() {
    return traceId;
  }

  /** The traces the selector names directly (more fragments are found from them). */
  List<AuditedTrace> seed(TraceAuditor auditor) {
    return seed.apply(auditor);
  }

  /** {@code byTraceId(0af7651916cd43dd8448eb211c80319c)}. */
  @Override
  public String toString() {
    return description;
  }
}
