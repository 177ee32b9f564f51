// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.orphans.RunSetup;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
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
  private final AuditorMetrics metrics;

  AuditorApi(Auditor auditor) {
    this.auditor = auditor;
    this.metrics = new AuditorMetrics(auditor);
  }

  void register(Javalin app) {
    app.get("/api/traces/{traceId}", this::trace);
    app.get("/api/orders/{orderId}", this::order);
    app.get(
        "/api/report",
        ctx -> {
          if (auditor.auditMode() != null) {
            ctx.json(auditor.auditReport("true".equals(ctx.queryParam("pending"))));
          } else if ("audit".equals(ctx.queryParam("format"))) {
            // a lab auditor's run as the generic report (what the test kit reads)
            ctx.json(auditor.genericReport());
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
   * {@code POST /api/runs} {@code {"name": "R", "variants": {"SERVICE": "broken"},
   * "implementations": {"SERVICE": "go"}, "propagators": {"SERVICE": "b3multi"}, "mesh": true,
   * "instrumentation": "agent"}} (all optional; the run's labels, read by the flow spec;
   * implementations default to java, mesh to false: with it, the Envoy sidecar's spans are part of
   * the expected flow; instrumentation to sdk, a label the report carries, docs/design.md §14): a
   * new run; {@code /api/report} then covers only traces that begin after it.
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
    ctx.contentType(metrics.contentType()).result(metrics.scrape());
  }
}
