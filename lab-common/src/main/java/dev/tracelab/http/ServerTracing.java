// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.http;

import io.javalin.http.Handler;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.semconv.ClientAttributes;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.NetworkAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import io.opentelemetry.semconv.UserAgentAttributes;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.StringJoiner;

/**
 * Server side of the HTTP boundary for Javalin: extracts the caller's context from the request
 * headers and runs the handler inside a SERVER span that is its child. Routes that must not be
 * traced (health checks) are simply not wrapped.
 *
 * <pre>{@code
 * ServerTracing tracing = ServerTracing.builder(otel).setEmitTraceResponse(true).build();
 * app.post("/orders", tracing.wrap("/orders", handler));
 * }</pre>
 */
public final class ServerTracing {

  private static final String INSTRUMENTATION = "dev.tracelab.http.server";
  private static final String TRACERESPONSE = "traceresponse";
  private static final int SAMPLED = 0x01;
  private static final int RANDOM_TRACE_ID = 0x02;
  private static final String HEX = "0123456789abcdef";

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final boolean emitTraceResponse;

  private ServerTracing(OpenTelemetry otel, boolean emitTraceResponse) {
    this.tracer = otel.getTracer(INSTRUMENTATION);
    this.propagator = otel.getPropagators().getTextMapPropagator();
    this.emitTraceResponse = emitTraceResponse;
  }

  public static ServerTracing create(OpenTelemetry otel) {
    return builder(otel).build();
  }

  public static Builder builder(OpenTelemetry otel) {
    return new Builder(otel);
  }

  /** Wraps {@code handler} so each request runs in a SERVER span named {@code METHOD route}. */
  public Handler wrap(String route, Handler handler) {
    return ctx -> {
      Context parent = propagator.extract(Context.root(), ctx, JavalinHeaders.INSTANCE);
      String method = ctx.method().name();
      SpanBuilder builder =
          tracer
              .spanBuilder(method + " " + route)
              .setParent(parent)
              .setSpanKind(SpanKind.SERVER)
              .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, method)
              .setAttribute(HttpAttributes.HTTP_ROUTE, route)
              .setAttribute(UrlAttributes.URL_PATH, ctx.path())
              .setAttribute(UrlAttributes.URL_SCHEME, ctx.scheme())
              .setAttribute(
                  ServerAttributes.SERVER_ADDRESS, ctx.host() == null ? "" : hostOnly(ctx.host()))
              .setAttribute(ServerAttributes.SERVER_PORT, (long) ctx.port())
              .setAttribute(ClientAttributes.CLIENT_ADDRESS, ctx.req().getRemoteAddr())
              .setAttribute(NetworkAttributes.NETWORK_PEER_ADDRESS, ctx.req().getRemoteAddr())
              .setAttribute(NetworkAttributes.NETWORK_PEER_PORT, (long) ctx.req().getRemotePort())
              .setAttribute(
                  NetworkAttributes.NETWORK_PROTOCOL_VERSION, protocolVersion(ctx.protocol()));
      if (ctx.queryString() != null) {
        builder.setAttribute(UrlAttributes.URL_QUERY, ctx.queryString());
      }
      if (ctx.userAgent() != null) {
        builder.setAttribute(UserAgentAttributes.USER_AGENT_ORIGINAL, ctx.userAgent());
      }
      Span span = builder.startSpan();
      if (emitTraceResponse && span.getSpanContext().isValid()) {
        // set before the handler runs: headers must be in place before any body is written
        ctx.header(TRACERESPONSE, traceResponse(span.getSpanContext()));
      }
      try (Scope ignored = parent.with(span).makeCurrent()) {
        handler.handle(ctx);
      } catch (Exception e) {
        span.recordException(e);
        span.setStatus(StatusCode.ERROR);
        span.setAttribute(ErrorAttributes.ERROR_TYPE, e.getClass().getName());
        throw e;
      } finally {
        int status = ctx.statusCode();
        span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
        if (status >= 500) {
          // semconv: 5xx is a server error; 4xx is the client's and leaves the status unset
          span.setStatus(StatusCode.ERROR);
          span.setAttribute(ErrorAttributes.ERROR_TYPE, Integer.toString(status));
        }
        span.end();
      }
    };
  }

  /**
   * The W3C Trace Context {@code traceresponse} header (docs/w3c-trace-context.md): {@code
   * 00-<trace-id>-<child-id>-<trace-flags>}, where child-id is this SERVER span and the flags are
   * its own: sampled as decided here, random-trace-id as the SDK set it (kept from the caller's
   * traceparent, or set for a trace started here), every other bit zero.
   */
  static String traceResponse(SpanContext sc) {
    int flags = sc.getTraceFlags().asByte() & (SAMPLED | RANDOM_TRACE_ID);
    return "00-"
        + sc.getTraceId()
        + "-"
        + sc.getSpanId()
        + "-"
        + HEX.charAt(flags >> 4)
        + HEX.charAt(flags & 0xf);
  }

  private static String protocolVersion(String protocol) {
    // "HTTP/1.1" -> "1.1", as network.protocol.version wants it
    int slash = protocol == null ? -1 : protocol.indexOf('/');
    return slash < 0 ? "1.1" : protocol.substring(slash + 1);
  }

  private static String hostOnly(String hostHeader) {
    int colon = hostHeader.lastIndexOf(':');
    return colon > 0 && hostHeader.indexOf(']') < colon
        ? hostHeader.substring(0, colon)
        : hostHeader;
  }

  public static final class Builder {
    private final OpenTelemetry otel;
    private boolean emitTraceResponse;

    private Builder(OpenTelemetry otel) {
      this.otel = otel;
    }

    /** Answer each traced request with the W3C {@code traceresponse} header. */
    public Builder setEmitTraceResponse(boolean emitTraceResponse) {
      this.emitTraceResponse = emitTraceResponse;
      return this;
    }

    public ServerTracing build() {
      return new ServerTracing(otel, emitTraceResponse);
    }
  }

  /**
   * Reads propagation headers from a Javalin request; null-safe, stateless. Header names are
   * case-insensitive. A header sent as several field lines is returned as one value, the lines
   * joined with commas in order (RFC 9110 §5.3), which is what W3C Trace Context asks for: several
   * {@code tracestate} fields form one list, and several {@code traceparent} fields make an invalid
   * value, so the trace restarts. The propagator only calls {@link #get}, never {@link #getAll}.
   */
  enum JavalinHeaders implements TextMapGetter<io.javalin.http.Context> {
    INSTANCE;

    @Override
    public Iterable<String> keys(io.javalin.http.Context carrier) {
      return carrier == null ? Collections.emptyList() : carrier.headerMap().keySet();
    }

    @Override
    public String get(io.javalin.http.Context carrier, String key) {
      if (carrier == null || key == null) {
        return null;
      }
      Enumeration<String> lines = carrier.req().getHeaders(key);
      if (lines == null || !lines.hasMoreElements()) {
        return null;
      }
      String first = lines.nextElement();
      if (!lines.hasMoreElements()) {
        return first;
      }
      StringJoiner combined = new StringJoiner(",").add(first);
      while (lines.hasMoreElements()) {
        combined.add(lines.nextElement());
      }
      return combined.toString();
    }

    @Override
    public Iterator<String> getAll(io.javalin.http.Context carrier, String key) {
      if (carrier == null || key == null) {
        return Collections.emptyIterator();
      }
      Enumeration<String> lines = carrier.req().getHeaders(key);
      return lines == null ? Collections.emptyIterator() : lines.asIterator();
    }
  }
}
