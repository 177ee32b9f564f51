// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import dev.tracelab.broken.XTraceIdHttpClient;
import dev.tracelab.flow.Variant;
import dev.tracelab.http.HttpCall;
import dev.tracelab.http.Problem;
import dev.tracelab.http.ServerTracing;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opentelemetry.api.OpenTelemetry;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

/**
 * The gateway: {@code POST /orders}, {@code GET /health} (liveness) and {@code GET /health/ready}
 * (ready when the worker answers its health check), startable with an injected SDK.
 */
public final class GatewayService implements AutoCloseable {

  private final Javalin app;

  private GatewayService(Javalin app) {
    this.app = app;
  }

  public static GatewayService start(GatewayConfig config, OpenTelemetry otel) {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    HttpCall worker =
        config.variant() == Variant.BROKEN
            ? XTraceIdHttpClient.create(otel, client)
            : TracingHttpClient.create(otel, client);
    OrdersHandler orders = new OrdersHandler(worker, config.workerUrl(), config.bodyReadTimeout());
    WorkerReadiness readiness = new WorkerReadiness(config.workerUrl());
    ServerTracing tracing = ServerTracing.builder(otel).setEmitTraceResponse(true).build();

    Javalin app =
        Javalin.create(
            cfg -> {
              cfg.showJavalinBanner = false;
              cfg.http.maxRequestSize = OrdersHandler.MAX_BODY_BYTES * 4L;
            });
    app.post("/orders", tracing.wrap("/orders", orders));
    app.get("/health", ctx -> ctx.json(java.util.Map.of("status", "UP"))); // liveness, no span
    app.get("/health/ready", readiness); // no span either
    app.error(404, GatewayService::notFoundOrNotAllowed);
    app.error(405, GatewayService::notFoundOrNotAllowed);
    app.exception(
        Exception.class,
        (e, ctx) ->
            Problem.of(500, "Internal Server Error", "the gateway failed; see its log")
                .writeTo(ctx));
    app.start(config.bindHost(), config.port());
    return new GatewayService(app);
  }

  /**
   * The methods each route answers; any other method there is a 405 naming them in {@code Allow}.
   */
  private static final Map<String, String> ALLOWED =
      Map.of("/orders", "POST", "/health", "GET, HEAD", "/health/ready", "GET, HEAD");

  private static void notFoundOrNotAllowed(Context ctx) {
    String allowed = ALLOWED.get(ctx.path());
    if (allowed == null) {
      Problem.of(404, "Not Found", "no route " + ctx.method() + " " + ctx.path()).writeTo(ctx);
      return;
    }
    ctx.header("Allow", allowed);
    Problem.of(405, "Method Not Allowed", ctx.method() + " " + ctx.path() + "; allowed: " + allowed)
        .writeTo(ctx);
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
