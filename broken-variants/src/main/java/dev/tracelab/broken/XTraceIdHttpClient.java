// SPDX-License-Identifier: Apache-2.0

/*
 * DEFECT (http, gateway-svc): "we do propagate an id". The gateway calls the worker with a plain
 *   HTTP client that sends a home-made X-Trace-ID header and no W3C traceparent. It even makes a
 *   nice CLIENT span, so the gateway's own trace looks complete.
 * SYMPTOM: the worker's server can't recognise X-Trace-ID (no propagator reads it), so its SERVER
 *   span "POST /work" (flow step 3) starts a NEW trace. One request = two traces:
 *   {POST /orders, POST} and {POST /work, order.prepare, send orders, process orders}.
 *   The auditor reports step 3 as an orphan root on worker-svc: HTTP boundary (1/3 of worker spans).
 * FIX: gateway-svc/src/main/java/dev/tracelab/gateway/TracingHttpClient.java injects the context
 *   with the configured propagator (traceparent + baggage) into the outgoing request.
 * SWITCH: gateway-svc with TRACELAB_VARIANT=broken (CLI: --gateway broken; scenario broken-http).
 */
package dev.tracelab.broken;

import dev.tracelab.http.ClientSpans;
import dev.tracelab.http.HttpCall;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public final class XTraceIdHttpClient implements HttpCall {

  private final HttpClient client;
  private final Tracer tracer;

  private XTraceIdHttpClient(OpenTelemetry otel, HttpClient client) {
    this.client = client;
    this.tracer = otel.getTracer("dev.tracelab.broken.http");
  }

  public static XTraceIdHttpClient create(OpenTelemetry otel, HttpClient client) {
    return new XTraceIdHttpClient(otel, client);
  }

  @Override
  public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    Span span = ClientSpans.start(tracer, request);
    HttpResponse<String> response = null;
    Throwable error = null;
    try (Scope ignored = span.makeCurrent()) {
      HttpRequest withId =
          ClientSpans.copyOf(request)
              // THE BUG: a custom header only our own code knows; no traceparent is sent.
              .header("X-Trace-ID", span.getSpanContext().getTraceId())
              .build();
      response = client.send(withId, HttpResponse.BodyHandlers.ofString());
      return response;
    } catch (InterruptedException e) {
      // not part of the defect: the span is ended and the interrupt flag restored as in the fix
      Thread.currentThread().interrupt();
      error = e;
      throw e;
    } catch (IOException | RuntimeException | Error e) {
      error = e;
      throw e;
    } finally {
      ClientSpans.end(span, response, error);
    }
  }
}
