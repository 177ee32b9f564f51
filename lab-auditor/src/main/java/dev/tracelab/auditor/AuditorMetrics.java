// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.trace.TraceAssembler;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The auditor's {@code /metrics} (docs/audit.md): Prometheus callback metrics in a registry of this
 * auditor's own (not the library's default one), read from the auditor at each scrape and written,
 * label values escaped, by the library's text format writer (version 0.0.4).
 */
final class AuditorMetrics {

  private static final String SERVICE = "service";
  private static final String CAP = "cap";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  AuditorMetrics(Auditor auditor) {
    TraceAssembler assembler = auditor.assembler();
    perService(
        "tracelab_spans_received_total",
        "Distinct spans received (late ones included), per service.",
        cb -> assembler.spanCountsByService().forEach((svc, c) -> cb.call(c.received(), svc)));
    perService(
        "tracelab_late_spans_total",
        "Spans that arrived after their trace closed, per service.",
        cb -> assembler.spanCountsByService().forEach((svc, c) -> cb.call(c.late(), svc)));
    perService(
        "tracelab_duplicate_spans_total",
        "Deliveries of a span its trace already held (exporter/collector retries), per service.",
        cb -> assembler.spanCountsByService().forEach((svc, c) -> cb.call(c.duplicates(), svc)));
    perService(
        "tracelab_orphan_spans_total",
        "Orphan spans (orphan roots + missing parent) in the current run, per service.",
        cb -> auditor.serviceFigures().forEach((svc, f) -> cb.call(f.orphanSpans(), svc)));
    perService(
        "tracelab_analysed_spans_total",
        "Spans of closed traces analysed in the current run, per service.",
        cb -> auditor.serviceFigures().forEach((svc, f) -> cb.call(f.spans(), svc)));
    GaugeWithCallback.builder()
        .name("tracelab_orphan_rate")
        .help("Orphan spans / spans in the current run, per service.")
        .labelNames(SERVICE)
        .callback(cb -> auditor.serviceFigures().forEach((svc, f) -> cb.call(f.orphanRate(), svc)))
        .register(registry);
    CounterWithCallback.builder()
        .name("tracelab_broken_edge_calls_total")
        .help(
            "Calls whose context never reached the callee, paired across trace ids (docs/design.md"
                + " §11.3), per edge.")
        .labelNames("from", "to", "boundary")
        .callback(
            cb -> {
              for (BrokenEdge e : auditor.brokenEdges()) {
                cb.call(e.count(), e.from(), e.to(), e.boundary());
              }
            })
        .register(registry);
    counter(
        "tracelab_linked_requests_total",
        "Requests in the current run whose traces are joined by span links along the flow (not"
            + " orphans).",
        auditor::linkedRequests);
    counter(
        "tracelab_evicted_traces_total",
        "Traces closed early because the in-flight cap was reached.",
        assembler::evictedTraces);
    gauge(
        "tracelab_traces_in_flight",
        "Traces open (request not complete, not yet quiet for the window).",
        assembler::tracesInFlight);
    counter(
        "tracelab_otlp_requests_rejected_total",
        "OTLP requests answered 400 (malformed or oversized) or 415 (a Content-Type other than"
            + " protobuf or JSON).",
        auditor::rejectedRequests);
    counter(
        "tracelab_otlp_spans_rejected_total",
        "Spans with invalid ids left out of accepted requests (OTLP partial success).",
        auditor::rejectedSpans);
    counter(
        "tracelab_otlp_requests_refused_total",
        "OTLP requests answered 429 + Retry-After: the memory budget for requests in flight was"
            + " full.",
        auditor::refusedRequests);
    gauge(
        "tracelab_otlp_inflight_bytes",
        "Bytes held by OTLP requests being ingested (compressed, inflated, decoded estimate).",
        auditor::inFlightBytes);
    gauge(
        "tracelab_otlp_inflight_bytes_limit",
        "The memory budget for OTLP requests in flight.",
        auditor::maxInFlightBytes);
    GaugeWithCallback.builder()
        .name("tracelab_cap_limit")
        .help("The limit of each cap (spans, bytes, labels or traces).")
        .labelNames(CAP)
        .callback(cb -> auditor.caps().forEach((cap, f) -> cb.call(f.limit(), cap)))
        .register(registry);
    CounterWithCallback.builder()
        .name("tracelab_cap_hits_total")
        .help(
            "Times each cap was hit: spans dropped, late spans not kept, spans counted under"
                + " service=\"other\", answers truncated, requests refused, traces evicted.")
        .labelNames(CAP)
        .callback(cb -> auditor.caps().forEach((cap, f) -> cb.call(f.hits(), cap)))
        .register(registry);
    counter("tracelab_otlp_requests_total", "OTLP requests accepted.", auditor::acceptedRequests);
  }

  /** The media type of {@link #scrape()}: {@code text/plain; version=0.0.4; charset=utf-8}. */
  String contentType() {
    return writer.getContentType();
  }

  /** Every metric, read now, in the Prometheus text format (UTF-8). */
  byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return out.toByteArray();
  }

  private void perService(
      String name, String help, Consumer<CounterWithCallback.Callback> callback) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(SERVICE)
        .callback(callback)
        .register(registry);
  }

  private void counter(String name, String help, LongSupplier value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.getAsLong()))
        .register(registry);
  }

  private void gauge(String name, String help, LongSupplier value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.getAsLong()))
        .register(registry);
  }
}
