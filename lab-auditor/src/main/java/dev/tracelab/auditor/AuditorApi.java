package dev.tracelab.auditor;

import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.orphans.RunSetup;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.auditor.trace.TraceAssembler;
import dev.tracelab.flow.Implementations;
import dev.tracelab.http.Problem;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The auditor's JSON API and Prometheus endpoint (docs/design.md §5). */
final class AuditorApi {

  private final Auditor auditor;

  AuditorApi(Auditor auditor) {
    this.auditor = auditor;
  }

  void register(Javalin app) {
    app.get("/api/traces/{traceId}", this::trace);
    app.get("/api/orders/{orderId}", this::order);
    app.get(
        "/api/report",
        ctx -> {
          if (auditor.auditMode() != null) {
            ctx.json(auditor.auditReport("true".equals(ctx.queryParam("pending"))));
          } else {
            ctx.json(auditor.report());
          }
        });
    app.get("/api/room", ctx -> ctx.json(Map.of("learners", auditor.room().json())));
    app.get(
        "/room", ctx -> ctx.contentType("text/html; charset=utf-8").result(auditor.room().html()));
    app.post("/api/runs", this::startRun);
    app.get("/metrics", this::metrics);
    app.get("/api/stats", this::stats);
    app.get("/health", ctx -> ctx.json(Map.of("status", "UP")));
  }

  private void trace(Context ctx) {
    String traceId = ctx.pathParam("traceId");
    AssembledTrace trace = auditor.assembler().trace(traceId.toLowerCase());
    if (trace == null) {
      Problem.of(404, "Not Found", "no trace " + traceId + " received").writeTo(ctx);
      return;
    }
    ctx.json(traceJson(trace));
  }

  private void order(Context ctx) {
    String orderId = ctx.pathParam("orderId");
    List<AssembledTrace> traces = auditor.tracesOfOrder(orderId);
    if (traces.isEmpty()) {
      Problem.of(404, "Not Found", "no spans of order " + orderId + " received").writeTo(ctx);
      return;
    }
    ctx.json(Map.of("orderId", orderId, "traces", traces.stream().map(this::traceJson).toList()));
  }

  /**
   * {@code POST /api/runs} {@code {"name": "broken-async", "variants": {"worker-svc": "broken"},
   * "implementations": {"gateway-svc": "go"}, "propagators": {"gateway-svc": "b3multi"}, "mesh":
   * true, "instrumentation": "agent"}} (all optional; implementations default to java, mesh to
   * false: with it, the Envoy sidecar's spans are part of the expected flow; instrumentation to
   * sdk, a label the report carries, docs/design.md §14): a new run; {@code /api/report} then
   * covers only traces that begin after it.
   */
  private void startRun(Context ctx) {
    String name = "run";
    Map<String, String> variants = new LinkedHashMap<>();
    Map<String, String> languages = new LinkedHashMap<>();
    Map<String, String> propagators = new LinkedHashMap<>();
    RunSetup setup;
    boolean mesh = false;
    dev.tracelab.flow.Instrumentation instrumentation = dev.tracelab.flow.Instrumentation.SDK;
    String body = ctx.body();
    try {
      if (!body.isBlank()) {
        com.fasterxml.jackson.databind.JsonNode json =
            dev.tracelab.order.OrderJson.mapper().readTree(body);
        if (json == null || !json.isObject()) {
          throw new IllegalArgumentException("body must be a JSON object");
        }
        name = json.path("name").asText(name);
        json.path("variants")
            .fields()
            .forEachRemaining(e -> variants.put(e.getKey(), e.getValue().asText()));
        json.path("implementations")
            .fields()
            .forEachRemaining(e -> languages.put(e.getKey(), e.getValue().asText()));
        json.path("propagators")
            .fields()
            .forEachRemaining(e -> propagators.put(e.getKey(), e.getValue().asText()));
        mesh = json.path("mesh").asBoolean(false);
        instrumentation =
            dev.tracelab.flow.Instrumentation.parse(json.path("instrumentation").asText("sdk"));
      }
      Implementations implementations = Implementations.fromIds(languages);
      setup =
          LabFlowSpecs.setup(
              name,
              variants,
              mesh ? implementations.withMesh() : implementations,
              propagators,
              instrumentation);
    } catch (java.io.IOException | IllegalArgumentException e) {
      Problem.badRequest(
              "a run is {\"name\": ..., \"variants\": {...}, \"implementations\": {...}, \"propagators\": {...}}: "
                  + e.getMessage(),
              List.of())
          .writeTo(ctx);
      return;
    }
    auditor.startRun(setup);
    ctx.status(201).json(auditor.report());
  }

  /**
   * A trace as the API answers it: at most the cap of spans and of late spans; when the trace holds
   * more, {@code "truncated": true} and the full counts say how many it holds.
   */
  Map<String, Object> traceJson(AssembledTrace trace) {
    int max = auditor.maxApiSpans();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("traceId", trace.traceId());
    out.put("closed", trace.isClosed());
    if (trace.isClosed()) {
      out.put(
          "closeReason",
          trace
              .closeReason()
              .name()
              .toLowerCase(java.util.Locale.ROOT)); // complete, quiet, evicted
    }
    List<ReceivedSpan> spans = trace.spans();
    List<ReceivedSpan> late = trace.lateSpans();
    boolean truncated = spans.size() > max || late.size() > max;
    if (truncated) {
      auditor.truncatedAnswer();
      out.put("truncated", true);
      out.put("spanCount", spans.size());
      out.put("lateSpanCount", late.size());
    }
    if (trace.droppedSpans() > 0) {
      out.put("droppedSpans", trace.droppedSpans()); // beyond the cap on spans per trace
    }
    if (trace.droppedLateSpans() > 0) {
      out.put("droppedLateSpans", trace.droppedLateSpans());
    }
    out.put("spans", spans.stream().limit(max).map(AuditorApi::spanJson).toList());
    if (!late.isEmpty()) {
      out.put("lateSpans", late.stream().limit(max).map(AuditorApi::spanJson).toList());
    }
    return out;
  }

  static Map<String, Object> spanJson(ReceivedSpan s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("traceId", s.traceId());
    out.put("spanId", s.spanId());
    out.put("parentSpanId", s.parentSpanId());
    out.put("service", s.service());
    out.put("kind", s.kind().name());
    out.put("name", s.name());
    out.put("durationMs", Math.round(s.durationMs() * 1000) / 1000.0);
    out.put("status", s.error() ? "ERROR" : "UNSET");
    out.put("attributes", s.attributes());
    out.put(
        "links",
        s.links().stream().map(l -> Map.of("traceId", l.traceId(), "spanId", l.spanId())).toList());
    return out;
  }

  /** {@code GET /api/stats}: the caps (limit, hits), the memory budget and request counts. */
  private void stats(Context ctx) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("caps", auditor.caps());
    out.put("inFlightBytes", auditor.inFlightBytes());
    out.put("acceptedRequests", auditor.acceptedRequests());
    out.put("rejectedRequests", auditor.rejectedRequests());
    out.put("refusedRequests", auditor.refusedRequests());
    out.put("rejectedSpans", auditor.rejectedSpans());
    ctx.json(out);
  }

  private void metrics(Context ctx) {
    StringBuilder sb = new StringBuilder(2048);
    TraceAssembler assembler = auditor.assembler();
    Map<String, ScenarioReport.ServiceFigures> services = auditor.serviceFigures();
    Map<String, TraceAssembler.SpanCounts> counts = assembler.spanCountsByService();
    counter(
        sb,
        "tracelab_spans_received_total",
        "Distinct spans received (late ones included), per service.");
    counts.forEach((svc, c) -> sample(sb, "tracelab_spans_received_total", svc, c.received()));
    counter(
        sb,
        "tracelab_late_spans_total",
        "Spans that arrived after their trace closed, per service.");
    counts.forEach((svc, c) -> sample(sb, "tracelab_late_spans_total", svc, c.late()));
    counter(
        sb,
        "tracelab_duplicate_spans_total",
        "Deliveries of a span its trace already held (exporter/collector retries), per service.");
    counts.forEach((svc, c) -> sample(sb, "tracelab_duplicate_spans_total", svc, c.duplicates()));
    counter(
        sb,
        "tracelab_orphan_spans_total",
        "Orphan spans (orphan roots + missing parent) in the current run, per service.");
    services.forEach((svc, f) -> sample(sb, "tracelab_orphan_spans_total", svc, f.orphanSpans()));
    counter(
        sb,
        "tracelab_analysed_spans_total",
        "Spans of closed traces analysed in the current run, per service.");
    services.forEach((svc, f) -> sample(sb, "tracelab_analysed_spans_total", svc, f.spans()));
    gaugeHeader(
        sb, "tracelab_orphan_rate", "Orphan spans / spans in the current run, per service.");
    services.forEach(
        (svc, f) ->
            sb.append("tracelab_orphan_rate{service=\"")
                .append(escape(svc))
                .append("\"} ")
                .append(f.orphanRate())
                .append('\n'));
    counter(
        sb,
        "tracelab_broken_edge_calls_total",
        "Calls whose context never reached the callee, paired across trace ids (docs/design.md §11.3), per edge.");
    for (dev.tracelab.auditor.orphans.BrokenEdge e : auditor.brokenEdges()) {
      sb.append("tracelab_broken_edge_calls_total{from=\"")
          .append(escape(e.from()))
          .append("\",to=\"")
          .append(escape(e.to()))
          .append("\",boundary=\"")
          .append(escape(e.boundary()))
          .append("\"} ")
          .append(e.count())
          .append('\n');
    }
    counter(
        sb,
        "tracelab_linked_requests_total",
        "Requests in the current run whose traces are joined by span links along the flow (not orphans).");
    sb.append("tracelab_linked_requests_total ").append(auditor.linkedRequests()).append('\n');
    counter(
        sb,
        "tracelab_evicted_traces_total",
        "Traces closed early because the in-flight cap was reached.");
    sb.append("tracelab_evicted_traces_total ").append(assembler.evictedTraces()).append('\n');
    gaugeHeader(
        sb,
        "tracelab_traces_in_flight",
        "Traces open (request not complete, not yet quiet for the window).");
    sb.append("tracelab_traces_in_flight ").append(assembler.tracesInFlight()).append('\n');
    counter(
        sb,
        "tracelab_otlp_requests_rejected_total",
        "OTLP requests answered 400 (malformed or oversized) or 415 (a Content-Type other than protobuf or JSON).");
    sb.append("tracelab_otlp_requests_rejected_total ")
        .append(auditor.rejectedRequests())
        .append('\n');
    counter(
        sb,
        "tracelab_otlp_spans_rejected_total",
        "Spans with invalid ids left out of accepted requests (OTLP partial success).");
    sb.append("tracelab_otlp_spans_rejected_total ").append(auditor.rejectedSpans()).append('\n');
    counter(
        sb,
        "tracelab_otlp_requests_refused_total",
        "OTLP requests answered 429 + Retry-After: the memory budget for requests in flight was full.");
    sb.append("tracelab_otlp_requests_refused_total ")
        .append(auditor.refusedRequests())
        .append('\n');
    gaugeHeader(
        sb,
        "tracelab_otlp_inflight_bytes",
        "Bytes held by OTLP requests being ingested (compressed, inflated, decoded estimate).");
    sb.append("tracelab_otlp_inflight_bytes ").append(auditor.inFlightBytes()).append('\n');
    gaugeHeader(
        sb, "tracelab_otlp_inflight_bytes_limit", "The memory budget for OTLP requests in flight.");
    sb.append("tracelab_otlp_inflight_bytes_limit ")
        .append(auditor.maxInFlightBytes())
        .append('\n');
    gaugeHeader(
        sb, "tracelab_cap_limit", "The limit of each cap (spans, bytes, labels or traces).");
    Map<String, Auditor.CapFigures> caps = auditor.caps();
    caps.forEach(
        (cap, f) ->
            sb.append("tracelab_cap_limit{cap=\"")
                .append(cap)
                .append("\"} ")
                .append(f.limit())
                .append('\n'));
    counter(
        sb,
        "tracelab_cap_hits_total",
        "Times each cap was hit: spans dropped, late spans not kept, spans counted under service=\"other\", answers truncated, requests refused, traces evicted.");
    caps.forEach(
        (cap, f) ->
            sb.append("tracelab_cap_hits_total{cap=\"")
                .append(cap)
                .append("\"} ")
                .append(f.hits())
                .append('\n'));
    counter(sb, "tracelab_otlp_requests_total", "OTLP requests accepted.");
    sb.append("tracelab_otlp_requests_total ").append(auditor.acceptedRequests()).append('\n');
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(sb.toString());
  }

  /** A label value in the Prometheus text format: backslash, double quote and line feed escaped. */
  static String escape(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private static void counter(StringBuilder sb, String name, String help) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" counter\n");
  }

  private static void gaugeHeader(StringBuilder sb, String name, String help) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" gauge\n");
  }

  private static void sample(StringBuilder sb, String name, String service, long value) {
    sb.append(name)
        .append("{service=\"")
        .append(escape(service))
        .append("\"} ")
        .append(value)
        .append('\n');
  }
}
