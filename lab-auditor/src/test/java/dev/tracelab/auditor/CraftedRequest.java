// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import com.google.protobuf.ByteString;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The six spans of one request as a scenario's services would export them (the fragments of
 * docs/design.md §3: a broken boundary's span starts a new trace), with deterministic ids, ready to
 * be posted as OTLP protobuf or OTLP JSON in any order, split or repeated.
 */
public final class CraftedRequest {

  private final String orderId;
  private final Map<Integer, String> traceIdOfStep = new LinkedHashMap<>();
  private final Map<Integer, String> spanIdOfStep = new LinkedHashMap<>();
  private final Map<Integer, Integer> parentStepOf = new LinkedHashMap<>();
  private final Map<Integer, Integer> linkStepOf = new LinkedHashMap<>(); // step -> linked step
  private final ExpectedFlow flow;

  private CraftedRequest(int seed, String orderId, Scenario scenario, ExpectedFlow flow) {
    this.orderId = orderId;
    this.flow = flow;
    int fragment = 0;
    for (List<Integer> steps : scenario.expectedFragments(flow)) {
      fragment++;
      String traceId = String.format("%016x%08x%08x", 0x7a0000L + seed, fragment, seed);
      for (int step : steps) {
        traceIdOfStep.put(step, traceId);
        spanIdOfStep.put(step, String.format("%08x%08x", seed, step));
        int parent = flow.step(step).parentStep();
        parentStepOf.put(step, steps.contains(parent) ? parent : 0);
      }
    }
    // a linked boundary: the next span is a root linked to its expected parent (the previous step)
    for (var boundary : scenario.linkedBoundaries()) {
      int step = flow.orphanStep(boundary);
      linkStepOf.put(step, flow.step(step).parentStep());
    }
  }

  /** The same request with {@code step}'s span linked to {@code target}'s span instead. */
  public CraftedRequest linking(int step, int target) {
    linkStepOf.put(step, target);
    return this;
  }

  public String spanIdOf(int step) {
    return spanIdOfStep.get(step);
  }

  /** One request of {@code scenario}; {@code seed} makes its ids distinct from other requests'. */
  public static CraftedRequest of(int seed, Scenario scenario) {
    return of(seed, scenario, Flow.JAVA);
  }

  /**
   * One request of {@code scenario} in {@code flow}'s participants; a participant that is not one
   * of the services (the mesh sidecar) tags no span with the order, as a proxy cannot.
   */
  public static CraftedRequest of(int seed, Scenario scenario, ExpectedFlow flow) {
    return new CraftedRequest(seed, "order-" + seed, scenario, flow);
  }

  public String orderId() {
    return orderId;
  }

  public String traceIdOf(int step) {
    return traceIdOfStep.get(step);
  }

  /** Distinct trace ids of the request, in step order. */
  public List<String> traceIds() {
    return traceIdOfStep.values().stream().distinct().toList();
  }

  /** An OTLP protobuf export request holding these steps' spans (in this order). */
  public byte[] protobuf(Integer... steps) {
    Map<String, ScopeSpans.Builder> byService = new LinkedHashMap<>();
    for (int step : steps) {
      ExpectedSpan e = flow.step(step);
      Span.Builder span =
          Span.newBuilder()
              .setTraceId(ByteString.fromHex(traceIdOfStep.get(step)))
              .setSpanId(ByteString.fromHex(spanIdOfStep.get(step)))
              .setName(e.name())
              .setKind(Span.SpanKind.forNumber(e.kind().ordinal() + 1))
              .setStartTimeUnixNano(1_700_000_000_000_000_000L + step * 1_000_000L)
              .setEndTimeUnixNano(1_700_000_000_000_000_000L + step * 1_000_000L + 500_000L);
      if (Flow.SERVICES.contains(e.service())) {
        span.addAttributes(
            KeyValue.newBuilder()
                .setKey("app.order_id")
                .setValue(AnyValue.newBuilder().setStringValue(orderId)));
      }
      int parent = parentStepOf.get(step);
      if (parent != 0) {
        span.setParentSpanId(ByteString.fromHex(spanIdOfStep.get(parent)));
      }
      Integer link = linkStepOf.get(step);
      if (link != null) {
        span.addLinks(
            Span.Link.newBuilder()
                .setTraceId(ByteString.fromHex(traceIdOfStep.get(link)))
                .setSpanId(ByteString.fromHex(spanIdOfStep.get(link))));
      }
      byService.computeIfAbsent(e.service(), s -> ScopeSpans.newBuilder()).addSpans(span);
    }
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    byService.forEach(
        (service, scope) ->
            request.addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(
                        Resource.newBuilder()
                            .addAttributes(
                                KeyValue.newBuilder()
                                    .setKey("service.name")
                                    .setValue(AnyValue.newBuilder().setStringValue(service))))
                    .addScopeSpans(scope)));
    return request.build().toByteArray();
  }

  /** The same as {@link #protobuf}, in OTLP/JSON (hex ids, kind as a number). */
  public byte[] json(Integer... steps) {
    Map<String, List<String>> byService = new LinkedHashMap<>();
    for (int step : steps) {
      ExpectedSpan e = flow.step(step);
      int parent = parentStepOf.get(step);
      long start = 1_700_000_000_000_000_000L + step * 1_000_000L;
      Integer link = linkStepOf.get(step);
      String span =
          "{\"traceId\":\""
              + traceIdOfStep.get(step)
              + "\",\"spanId\":\""
              + spanIdOfStep.get(step)
              + "\","
              + (parent == 0 ? "" : "\"parentSpanId\":\"" + spanIdOfStep.get(parent) + "\",")
              + (link == null
                  ? ""
                  : "\"links\":[{\"traceId\":\""
                      + traceIdOfStep.get(link)
                      + "\",\"spanId\":\""
                      + spanIdOfStep.get(link)
                      + "\"}],")
              + "\"name\":\""
              + e.name()
              + "\",\"kind\":"
              + (e.kind().ordinal() + 1)
              + ","
              + "\"startTimeUnixNano\":\""
              + start
              + "\",\"endTimeUnixNano\":\""
              + (start + 500_000L)
              + "\","
              + "\"attributes\":[{\"key\":\"app.order_id\",\"value\":{\"stringValue\":\""
              + orderId
              + "\"}}]}";
      byService.computeIfAbsent(e.service(), s -> new java.util.ArrayList<>()).add(span);
    }
    String body =
        byService.entrySet().stream()
            .map(
                en ->
                    "{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\""
                        + en.getKey()
                        + "\"}}]},\"scopeSpans\":[{\"spans\":["
                        + String.join(",", en.getValue())
                        + "]}]}")
            .collect(Collectors.joining(",", "{\"resourceSpans\":[", "]}"));
    return body.getBytes(StandardCharsets.UTF_8);
  }
}
