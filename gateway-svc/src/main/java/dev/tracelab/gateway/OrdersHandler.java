// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tracelab.http.HttpCall;
import dev.tracelab.http.JsonMediaType;
import dev.tracelab.http.Problem;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
import dev.tracelab.telemetry.AppAttributes;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * {@code POST /orders}: validate, hand the order to the worker over HTTP, answer 202 when the
 * worker did (it answers 202 only once Kafka has the order). Anything else is a 5xx problem saying
 * the order was NOT accepted: the worker's 503 (Kafka did not acknowledge it) passes on as 503 with
 * the worker's {@code Retry-After}; no answer within the bound is 504; the rest 502.
 */
final class OrdersHandler implements Handler {

  static final int MAX_BODY_BYTES = 16 * 1024;

  /**
   * How long the worker may take to answer, after the order's {@code delayMs}: it answers within 5
   * s of it (202 or 503), so this leaves a margin for a loaded machine.
   */
  static final Duration WORKER_ANSWER_BOUND = Duration.ofSeconds(10);

  /** One JSON value and nothing after it: {@code {..} x} or two objects in a row are malformed. */
  private static final ObjectReader JSON =
      OrderJson.mapper()
          .readerFor(JsonNode.class)
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final HttpCall worker;
  private final URI workUrl;
  private final Duration bodyReadTimeout;

  OrdersHandler(HttpCall worker, URI workerUrl, Duration bodyReadTimeout) {
    this.worker = worker;
    this.workUrl = workerUrl.resolve("/work");
    this.bodyReadTimeout = bodyReadTimeout;
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
            .timeout(Duration.ofMillis(order.delayMs()).plus(WORKER_ANSWER_BOUND))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(OrderJson.write(order)))
            .build();
    HttpResponse<String> response;
    try {
      response = worker.send(request);
    } catch (HttpTimeoutException e) {
      Problem.of(
              504,
              "Gateway Timeout",
              notAccepted(order)
                  + "the worker did not answer within "
                  + request.timeout().orElseThrow().toMillis()
                  + " ms")
          .writeTo(ctx);
      return;
    } catch (IOException e) {
      Problem.of(
              502,
              "Bad Gateway",
              notAccepted(order)
                  + "worker unreachable at "
                  + workUrl
                  + ": "
                  + e.getClass().getSimpleName())
          .writeTo(ctx);
      return;
    }
    if (response.statusCode() == 503) {
      ctx.header("Retry-After", response.headers().firstValue("Retry-After").orElse("1"));
      Problem.of(
              503,
              "Service Unavailable",
              notAccepted(order)
                  + "the worker could not hand it to Kafka ("
                  + workerDetail(response)
                  + "); retry later")
          .writeTo(ctx);
      return;
    }
    if (response.statusCode() != 202) {
      Problem.of(
              502, "Bad Gateway", notAccepted(order) + "worker answered " + response.statusCode())
          .writeTo(ctx);
      return;
    }
    ctx.status(202);
    ctx.json(
        Map.of(
            "orderId", order.orderId(), "traceId", Span.current().getSpanContext().getTraceId()));
  }

  private static String notAccepted(Order order) {
    return "order " + order.orderId() + " NOT accepted: ";
  }

  /** The {@code detail} of the worker's problem answer, or its status when it has none. */
  private static String workerDetail(HttpResponse<String> response) {
    try {
      JsonNode detail = OrderJson.mapper().readTree(response.body()).path("detail");
      if (detail.isTextual()) {
        return "worker: " + detail.asText();
      }
    } catch (IOException | RuntimeException e) {
      // not a problem body: the status says enough
    }
    return "worker answered " + response.statusCode();
  }

  private OrderValidation.Result readOrder(Context ctx) {
    Optional<Problem> unsupported = JsonMediaType.unsupported(ctx.header("Content-Type"));
    if (unsupported.isPresent()) {
      return OrderValidation.Result.problem(unsupported.get());
    }
    long declared = ctx.contentLength();
    if (declared > MAX_BODY_BYTES) {
      return OrderValidation.Result.problem(tooLarge(declared));
    }
    byte[] body;
    try {
      body = readBody(ctx);
    } catch (BodyProblem e) {
      ctx.header(
          "Connection", "close"); // the rest of the request on this connection cannot be trusted
      return OrderValidation.Result.problem(e.problem);
    }
    if (body.length > MAX_BODY_BYTES) {
      return OrderValidation.Result.problem(tooLarge(-1));
    }
    JsonNode json;
    try {
      json = JSON.readValue(body);
    } catch (IOException e) {
      return OrderValidation.Result.problem(
          Problem.badRequest("body is not valid JSON", List.of()));
    }
    return OrderValidation.validate(json, UUID.randomUUID().toString());
  }

  /**
   * Reads at most {@link #MAX_BODY_BYTES} + 1 bytes. The connection's idle timeout is the body read
   * timeout while the body is read, so a body that stalls fails the read (408) instead of holding a
   * thread for Jetty's default 30 s; broken chunking and a body cut short are 400.
   */
  private byte[] readBody(Context ctx) throws BodyProblem {
    Request base = Request.getBaseRequest(ctx.req());
    EndPoint endPoint = base == null ? null : base.getHttpChannel().getEndPoint();
    long idleTimeout = endPoint == null ? -1 : endPoint.getIdleTimeout();
    if (endPoint != null) {
      endPoint.setIdleTimeout(bodyReadTimeout.toMillis());
    }
    try {
      InputStream in = ctx.req().getInputStream();
      return in.readNBytes(MAX_BODY_BYTES + 1);
    } catch (IOException | RuntimeException e) {
      throw BodyProblem.of(e, bodyReadTimeout);
    } finally {
      if (endPoint != null) {
        endPoint.setIdleTimeout(idleTimeout);
      }
    }
  }

  /** Why a request body could not be read, as the problem to answer. */
  private static final class BodyProblem extends Exception {
    private final transient Problem problem;

    private BodyProblem(Problem problem) {
      super(problem.detail(), null, false, false);
      this.problem = problem;
    }

    static BodyProblem of(Exception e, Duration timeout) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof TimeoutException) {
          return new BodyProblem(
              Problem.of(
                  408,
                  "Request Timeout",
                  "the request body stalled for " + timeout.toMillis() + " ms"));
        }
        if (t instanceof BadMessageException bad) {
          return new BodyProblem(
              Problem.badRequest("malformed request body: " + bad.getReason(), List.of()));
        }
      }
      if (e instanceof RuntimeException) {
        return new BodyProblem(Problem.badRequest("request body could not be read", List.of()));
      }
      return new BodyProblem(
          Problem.badRequest(
              "request body truncated: the connection ended before it did", List.of()));
    }
  }

  private static Problem tooLarge(long size) {
    return Problem.badRequest(
        "body too large"
            + (size >= 0 ? " (" + size + " bytes)" : "")
            + "; the limit is "
            + MAX_BODY_BYTES
            + " bytes",
        List.of());
  }
}
