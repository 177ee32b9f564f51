package dev.tracelab.http;

import io.javalin.http.Handler;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import io.opentelemetry.semconv.UserAgentAttributes;
import java.util.Collections;

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
      Span span =
          tracer
              .spanBuilder(method + " " + route)
              .setParent(parent)
              .setSpanKind(SpanKind.SERVER)
              .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, method)
              .setAttribute(HttpAttributes.HTTP_ROUTE, route)
              .setAttribute(UrlAttributes.URL_PATH, ctx.path())
              .setAttribute(UrlAttributes.URL_SCHEME, ctx.scheme())
              .setAttribute(ServerAttributes.SERVER_ADDRESS, ctx.host() == null ? "" : hostOnly(ctx.host()))
              .setAttribute(ServerAttributes.SERVER_PORT, (long) ctx.port())
              .setAttribute(UserAgentAttributes.USER_AGENT_ORIGINAL, String.valueOf(ctx.userAgent()))
              .startSpan();
      if (emitTraceResponse) {
        ctx.header("traceresponse", traceResponse(span.getSpanContext()));
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
   * W3C Trace Context Level 2 {@code traceresponse}: version-traceid-spanid-flags, with the
   * sampled flag only ({@code 01} or {@code 00}) as SPEC §1 shows it.
   */
  static String traceResponse(SpanContext sc) {
    return "00-" + sc.getTraceId() + "-" + sc.getSpanId() + (sc.isSampled() ? "-01" : "-00");
  }

  private static String hostOnly(String hostHeader) {
    int colon = hostHeader.lastIndexOf(':');
    return colon > 0 && hostHeader.indexOf(']') < colon ? hostHeader.substring(0, colon) : hostHeader;
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

  /** Reads propagation headers from a Javalin request; null-safe, stateless. */
  enum JavalinHeaders implements TextMapGetter<io.javalin.http.Context> {
    INSTANCE;

    @Override
    public Iterable<String> keys(io.javalin.http.Context carrier) {
      return carrier == null ? Collections.emptyList() : carrier.headerMap().keySet();
    }

    @Override
    public String get(io.javalin.http.Context carrier, String key) {
      return carrier == null || key == null ? null : carrier.header(key);
    }
  }
}
