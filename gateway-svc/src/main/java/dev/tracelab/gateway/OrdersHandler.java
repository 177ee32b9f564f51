package dev.tracelab.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelab.http.HttpCall;
import dev.tracelab.http.Problem;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
import dev.tracelab.telemetry.AppAttributes;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code POST /orders}: validate, hand the order to the worker over HTTP, answer 202. */
final class OrdersHandler implements Handler {

  static final int MAX_BODY_BYTES = 16 * 1024;

  private final HttpCall worker;
  private final URI workUrl;

  OrdersHandler(HttpCall worker, URI workerUrl) {
    this.worker = worker;
    this.workUrl = workerUrl.resolve("/work");
  }

  @Override
  public void handle(Context ctx) throws Exception {
    OrderValidation.Result parsed = readOrder(ctx);
    if (parsed.problem() != null) {
      parsed.problem().writeTo(ctx);
      return;
    }
    Order order = parsed.order();
    Span.current().setAttribute(AppAttributes.ORDER_ID, order.orderId());

    HttpRequest request =
        HttpRequest.newBuilder(workUrl)
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(OrderJson.write(order)))
            .build();
    HttpResponse<String> response;
    try {
      response = worker.send(request);
    } catch (IOException e) {
      Problem.of(502, "Bad Gateway", "worker unreachable at " + workUrl + ": " + e.getClass().getSimpleName())
          .writeTo(ctx);
      return;
    }
    if (response.statusCode() != 202) {
      Problem.of(502, "Bad Gateway", "worker answered " + response.statusCode()).writeTo(ctx);
      return;
    }
    ctx.status(202);
    ctx.json(Map.of("orderId", order.orderId(), "traceId", Span.current().getSpanContext().getTraceId()));
  }

  private static OrderValidation.Result readOrder(Context ctx) {
    String contentType = ctx.contentType();
    if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
      return OrderValidation.Result.problem(
          Problem.badRequest("Content-Type must be application/json, was " + contentType, List.of()));
    }
    long declared = ctx.contentLength();
    if (declared > MAX_BODY_BYTES) {
      return OrderValidation.Result.problem(tooLarge(declared));
    }
    byte[] body;
    try {
      body = ctx.bodyAsBytes();
    } catch (RuntimeException e) { // Javalin refuses bodies over its own limit
      return OrderValidation.Result.problem(tooLarge(-1));
    }
    if (body.length > MAX_BODY_BYTES) {
      return OrderValidation.Result.problem(tooLarge(body.length));
    }
    JsonNode json;
    try {
      json = OrderJson.mapper().readTree(body);
    } catch (IOException e) {
      return OrderValidation.Result.problem(Problem.badRequest("body is not valid JSON", List.of()));
    }
    return OrderValidation.validate(json, UUID.randomUUID().toString());
  }

  private static Problem tooLarge(long size) {
    return Problem.badRequest(
        "body too large" + (size >= 0 ? " (" + size + " bytes)" : "") + "; the limit is " + MAX_BODY_BYTES + " bytes",
        List.of());
  }
}
