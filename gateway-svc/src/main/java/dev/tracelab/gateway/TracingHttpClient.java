// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import dev.tracelab.http.ClientSpans;
import dev.tracelab.http.HttpCall;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * FIX for the HTTP boundary (caller side). Makes the CLIENT span and injects the context that holds
 * it into the outgoing request with the SDK's propagators (W3C {@code traceparent} and {@code
 * baggage}), so the worker's server span becomes its child. The defect this replaces is {@code
 * broken-variants/src/main/java/dev/tracelab/broken/XTraceIdHttpClient.java}.
 */
final class TracingHttpClient implements HttpCall {

  private final HttpClient client;
  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private TracingHttpClient(OpenTelemetry otel, HttpClient client) {
    this.client = client;
    this.tracer = otel.getTracer("dev.tracelab.gateway.http-client");
    this.propagator = otel.getPropagators().getTextMapPropagator();
  }

  static TracingHttpClient create(OpenTelemetry otel, HttpClient client) {
    return new TracingHttpClient(otel, client);
  }

  @Override
  public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    Span span = ClientSpans.start(tracer, request);
    HttpResponse<String> response = null;
    Throwable error = null;
    try (Scope ignored = span.makeCurrent()) {
      HttpRequest.Builder traced = ClientSpans.copyOf(request);
      // tracelab:exercise http begin
      // the context now holds the CLIENT span: the worker's server span becomes its child
      propagator.inject(Context.current(), traced, RequestHeaders.INSTANCE);
      // tracelab:exercise http end
      response = client.send(traced.build(), HttpResponse.BodyHandlers.ofString());
      return response;
    } catch (InterruptedException e) {
      // HttpClient.send cleared the thread's interrupt flag when it threw. Set it again, so code
      // above us that only sees a translated exception (or none) still knows it was interrupted.
      Thread.currentThread().interrupt();
      error = e;
      throw e;
    } catch (IOException | RuntimeException | Error e) {
      error = e;
      throw e;
    } finally {
      ClientSpans.end(span, response, error); // every path, exactly once: no span left open
    }
  }

  /** Writes propagation headers onto a request being built; null-safe, stateless. */
  enum RequestHeaders implements TextMapSetter<HttpRequest.Builder> {
    INSTANCE;

    @Override
    public void set(HttpRequest.Builder carrier, String key, String value) {
      if (carrier != null && key != null && value != null) {
        carrier.setHeader(key, value);
      }
    }
  }
}
