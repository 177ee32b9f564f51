// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.http;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.NetworkAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The HTTP CLIENT span both gateway variants make (semconv: named after the method only). What
 * differs between them is only what goes on the wire, so the span itself lives here once.
 */
public final class ClientSpans {

  private ClientSpans() {}

  /** Starts a CLIENT span for {@code request}, child of the current context. */
  public static Span start(Tracer tracer, HttpRequest request) {
    URI uri = request.uri();
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    return tracer
        .spanBuilder(request.method())
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, request.method())
        .setAttribute(UrlAttributes.URL_FULL, uri.toString())
        .setAttribute(ServerAttributes.SERVER_ADDRESS, uri.getHost())
        .setAttribute(ServerAttributes.SERVER_PORT, (long) port)
        .startSpan();
  }

  /**
   * Ends a span started by {@link #start}: exactly once, on every path. Call it from a {@code
   * finally} block with whichever of {@code response} and {@code error} the call produced. A
   * response of 4xx or 5xx is an error for a client ({@code error.type} = the status code); a
   * thrown exception (refused connection, timeout, interrupt) is recorded on the span and its class
   * name becomes {@code error.type}.
   */
  public static void end(Span span, HttpResponse<?> response, Throwable error) {
    try {
      if (response != null) {
        int statusCode = response.statusCode();
        span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) statusCode);
        span.setAttribute(
            NetworkAttributes.NETWORK_PROTOCOL_VERSION, protocolVersion(response.version()));
        if (statusCode >= 400) {
          span.setStatus(StatusCode.ERROR);
          span.setAttribute(ErrorAttributes.ERROR_TYPE, Integer.toString(statusCode));
        }
      }
      if (error != null) {
        span.recordException(error);
        span.setStatus(StatusCode.ERROR);
        span.setAttribute(ErrorAttributes.ERROR_TYPE, error.getClass().getName());
      }
    } finally {
      span.end();
    }
  }

  private static String protocolVersion(HttpClient.Version version) {
    return version == HttpClient.Version.HTTP_2 ? "2" : "1.1";
  }

  /** Copies a request so headers can be added (HttpRequest is immutable). */
  public static HttpRequest.Builder copyOf(HttpRequest request) {
    return HttpRequest.newBuilder(request, (name, value) -> true);
  }
}
