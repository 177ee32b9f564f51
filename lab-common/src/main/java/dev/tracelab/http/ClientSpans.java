package dev.tracelab.http;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import java.net.URI;
import java.net.http.HttpRequest;

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

  /** Records the response status; 4xx and 5xx are errors for a client. */
  public static void end(Span span, int statusCode) {
    span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) statusCode);
    if (statusCode >= 400) {
      span.setStatus(StatusCode.ERROR);
      span.setAttribute(ErrorAttributes.ERROR_TYPE, Integer.toString(statusCode));
    }
    span.end();
  }

  /** Records a failed call (connection refused, timeout). */
  public static void fail(Span span, Throwable error) {
    span.recordException(error);
    span.setStatus(StatusCode.ERROR);
    span.setAttribute(ErrorAttributes.ERROR_TYPE, error.getClass().getName());
    span.end();
  }

  /** Copies a request so headers can be added (HttpRequest is immutable). */
  public static HttpRequest.Builder copyOf(HttpRequest request) {
    return HttpRequest.newBuilder(request, (name, value) -> true);
  }
}
