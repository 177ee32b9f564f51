// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Two crafted services of someone else's system, each with its own SDK and real OTLP exporter, as
 * two processes would be: {@code frontend} serves {@code GET /dispatch} and calls {@code customer}
 * over HTTP; {@code customer} serves {@code GET /customer} and queries its database. Four spans per
 * request; with the context dropped, the customer's server span starts a new trace.
 */
final class TwoServices implements AutoCloseable {

  static final String ORDER_ID = "app.order_id";

  private final SdkTracerProvider frontend;
  private final SdkTracerProvider customer;
  private final Tracer f;
  private final Tracer c;
  private int requests;

  private TwoServices(SpanExporter frontendExporter, SpanExporter customerExporter) {
    this(
        provider("frontend", frontendExporter, Duration.ofMillis(50)),
        provider("customer", customerExporter, Duration.ofMillis(50)));
  }

  private TwoServices(SdkTracerProvider frontend, SdkTracerProvider customer) {
    this.frontend = frontend;
    this.customer = customer;
    this.f = frontend.get("shop");
    this.c = customer.get("shop");
  }

  /**
   * Both export over OTLP/HTTP to {@code endpoint} (a base URL, as OTEL_EXPORTER_OTLP_ENDPOINT).
   */
  static TwoServices overHttp(String endpoint) {
    return new TwoServices(http(endpoint), http(endpoint));
  }

  /**
   * Both export over OTLP/HTTP; the customer only when flushed or closed (its batch delay is a
   * minute): its spans arrive whenever the test lets them.
   */
  static TwoServices withCustomerHeldBack(String endpoint) {
    return new TwoServices(
        provider("frontend", http(endpoint), Duration.ofMillis(50)),
        provider("customer", http(endpoint), Duration.ofMinutes(1)));
  }

  /** The frontend exports over OTLP/HTTP, the customer over OTLP/gRPC. */
  static TwoServices overHttpAndGrpc(String httpEndpoint, String grpcEndpoint) {
    return new TwoServices(
        http(httpEndpoint),
        OtlpGrpcSpanExporter.builder().setEndpoint(grpcEndpoint).setCompression("gzip").build());
  }

  private static SpanExporter http(String endpoint) {
    return OtlpHttpSpanExporter.builder().setEndpoint(endpoint + "/v1/traces").build();
  }

  private static SdkTracerProvider provider(String service, SpanExporter exporter, Duration delay) {
    return SdkTracerProvider.builder()
        .setResource(
            Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service)))
        // a short export delay, as a test sets OTEL_BSP_SCHEDULE_DELAY: well inside the quiet
        // window
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(delay).build())
        .build();
  }

  /** The four spans of one request, as their services made them. */
  record Spans(SpanContext server, SpanContext call, SpanContext callee, SpanContext query) {}

  /** One request, connected; the frontend's server span. */
  SpanContext request(String orderId) {
    return request(orderId, false);
  }

  /** One request; the frontend's server span. */
  SpanContext request(String orderId, boolean dropContext) {
    return spans(orderId, dropContext).server();
  }

  /**
   * One request: {@code frontend SERVER 'GET /dispatch' -> frontend CLIENT 'GET' -> customer SERVER
   * 'GET /customer' -> customer CLIENT 'SELECT shop.customers'}.
   *
   * @param dropContext the customer does not extract: its server span starts a new trace
   */
  Spans spans(String orderId, boolean dropContext) {
    return spans(orderId, dropContext, false);
  }

  /**
   * One request, as {@link #spans(String, boolean)}; with {@code link}, the customer's server span
   * starts a new trace with a span link to the frontend's call (as a message consumer may).
   */
  Spans spans(String orderId, boolean dropContext, boolean link) {
    int n = ++requests;
    Span server =
        f.spanBuilder("GET /dispatch")
            .setSpanKind(SpanKind.SERVER)
            .setNoParent()
            .setAttribute("http.request.method", "GET")
            .setAttribute("url.path", "/dispatch")
            .setAttribute(ORDER_ID, orderId)
            .startSpan();
    try (Scope ignored = server.makeCurrent()) {
      Span call =
          f.spanBuilder("GET")
              .setSpanKind(SpanKind.CLIENT)
              .setAttribute("http.request.method", "GET")
              .setAttribute("url.full", "http://customer:8081/customer?id=" + n)
              .setAttribute("server.address", "customer")
              .setAttribute("server.port", 8081L)
              .setAttribute(ORDER_ID, orderId)
              .startSpan();
      Context received = dropContext || link ? Context.root() : Context.current().with(call);
      var calleeBuilder = c.spanBuilder("GET /customer");
      if (link) {
        calleeBuilder.addLink(call.getSpanContext());
      }
      Span callee =
          calleeBuilder
              .setSpanKind(SpanKind.SERVER)
              .setParent(received)
              .setAttribute("http.request.method", "GET")
              .setAttribute("url.path", "/customer")
              .setAttribute("http.route", "/customer")
              .setAttribute(ORDER_ID, orderId)
              .startSpan();
      Span query =
          c.spanBuilder("SELECT shop.customers")
              .setSpanKind(SpanKind.CLIENT)
              .setParent(Context.root().with(callee))
              .setAttribute("db.system.name", "mysql")
              .setAttribute(ORDER_ID, orderId)
              .startSpan();
      query.end();
      callee.end();
      call.end();
      return new Spans(
          server.getSpanContext(),
          call.getSpanContext(),
          callee.getSpanContext(),
          query.getSpanContext());
    } finally {
      server.end();
    }
  }

  /** Exports everything ended so far, as a service does on shutdown. */
  void flush() {
    frontend.forceFlush().join(10, TimeUnit.SECONDS);
    customer.forceFlush().join(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    frontend.close();
    customer.close();
  }
}
