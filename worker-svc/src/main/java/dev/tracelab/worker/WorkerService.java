// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.worker;

import dev.tracelab.async.HandOff;
import dev.tracelab.broken.RawExecutorHandOff;
import dev.tracelab.flow.Variant;
import dev.tracelab.http.JsonMediaType;
import dev.tracelab.http.Problem;
import dev.tracelab.http.ServerTracing;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
import dev.tracelab.telemetry.AppAttributes;
import io.javalin.Javalin;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;

/**
 * The worker: {@code POST /work} hands the order to an executor (the async boundary); the deferred
 * work prepares it and produces it to Kafka. The request answers 202 only once Kafka has
 * acknowledged the record, so an order answered 202 is on the topic whatever happens to the worker
 * next; when the send fails or is not acknowledged within {@link #ACK_TIMEOUT} the answer is 503
 * problem+json with {@code Retry-After} (the order is not accepted). {@code GET /delivery} counts
 * the sends: acknowledged, failed after every retry, and still in flight.
 */
public final class WorkerService implements AutoCloseable {

  private static final int DEFERRED_THREADS = 16;

  /**
   * How long {@code POST /work} waits, after the order's {@code delayMs}, for Kafka's
   * acknowledgement before answering 503: the gateway waits {@code delayMs} + 10 s for the answer.
   */
  static final Duration ACK_TIMEOUT = OrderProducer.DELIVERY_TIMEOUT;

  private static final String RETRY_AFTER_S = "1";

  private final Javalin app;
  private final HandOff handOff;
  private final OrderProducer producer;

  private WorkerService(Javalin app, HandOff handOff, OrderProducer producer) {
    this.app = app;
    this.handOff = handOff;
    this.producer = producer;
  }

  public static WorkerService start(WorkerConfig config, OpenTelemetry otel) {
    return start(
        config, otel, OrderProducer.create(otel, config.kafkaBootstrapServers()), ACK_TIMEOUT);
  }

  /** Over any producer (tests pass a MockProducer), answering 503 after {@code ackTimeout}. */
  static WorkerService start(
      WorkerConfig config,
      OpenTelemetry otel,
      Producer<String, String> kafka,
      Duration ackTimeout) {
    return start(config, otel, OrderProducer.create(otel, kafka), ackTimeout);
  }

  private static WorkerService start(
      WorkerConfig config, OpenTelemetry otel, OrderProducer producer, Duration ackTimeout) {
    DeferredWork deferred = new DeferredWork(otel, producer);
    ExecutorService pool =
        Executors.newFixedThreadPool(DEFERRED_THREADS, threadsNamed("worker-deferred-"));
    HandOff handOff =
        config.variant() == Variant.BROKEN
            ? RawExecutorHandOff.wrap(pool)
            : ContextBoundHandOff.wrap(pool);
    ServerTracing tracing = ServerTracing.create(otel);

    Javalin app = Javalin.create(cfg -> cfg.showJavalinBanner = false);
    app.post(
        "/work",
        tracing.wrap(
            "/work",
            ctx -> {
              Optional<Problem> unsupported = JsonMediaType.unsupported(ctx.header("Content-Type"));
              if (unsupported.isPresent()) {
                unsupported.get().writeTo(ctx);
                return;
              }
              Order order;
              try {
                order = OrderJson.read(ctx.body());
              } catch (IllegalArgumentException e) {
                Problem.badRequest(e.getMessage(), List.of()).writeTo(ctx);
                return;
              }
              Span.current().setAttribute(AppAttributes.ORDER_ID, order.orderId());
              String refused = handOffAndAwait(handOff, deferred, order, ackTimeout);
              if (refused != null) {
                ctx.header("Retry-After", RETRY_AFTER_S);
                Problem.of(
                        503,
                        "Service Unavailable",
                        "order "
                            + order.orderId()
                            + " NOT accepted: "
                            + refused
                            + "; nothing was queued for it, retry later")
                    .writeTo(ctx);
                return;
              }
              ctx.status(202);
              ctx.json(Map.of("orderId", order.orderId(), "accepted", true));
            }));
    app.get("/health", ctx -> ctx.json(Map.of("status", "UP")));
    dev.tracelab.health.KafkaReadiness.route(
        app, config.kafkaBootstrapServers()); // GET /health/ready
    app.get("/delivery", ctx -> ctx.json(producer.counts()));
    app.error(
        404,
        ctx ->
            Problem.of(404, "Not Found", "no route " + ctx.method() + " " + ctx.path())
                .writeTo(ctx));
    app.exception(
        Exception.class,
        (e, ctx) ->
            Problem.of(500, "Internal Server Error", "the worker failed; see its log")
                .writeTo(ctx));
    app.start(config.bindHost(), config.port());
    return new WorkerService(app, handOff, producer);
  }

  /**
   * Hands the order to the deferred work (the async boundary, unchanged: it runs on a pool thread)
   * and waits until Kafka has acknowledged it, for at most {@code delayMs + ackTimeout}. Null when
   * it was acknowledged; else why the order is not accepted. A deferred work that has not sent yet
   * when the wait is over sees the outcome already decided and does not send.
   */
  private static String handOffAndAwait(
      HandOff handOff, DeferredWork deferred, Order order, Duration ackTimeout) {
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    try {
      handOff.submit(() -> deferred.run(order, acknowledged));
    } catch (RejectedExecutionException e) {
      return "the worker is shutting down";
    }
    long boundMs = order.delayMs() + ackTimeout.toMillis();
    try {
      acknowledged.get(boundMs, TimeUnit.MILLISECONDS);
      return null;
    } catch (TimeoutException e) {
      if (acknowledged.completeExceptionally(e)) {
        return "Kafka did not acknowledge it within " + boundMs + " ms";
      }
      return acknowledged.isCompletedExceptionally()
          ? "the send to Kafka failed"
          : null; // decided meanwhile
    } catch (ExecutionException e) {
      return "the send to Kafka failed: " + e.getCause().getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      acknowledged.completeExceptionally(e);
      return "the worker was interrupted";
    }
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
    handOff.close();
    producer.close();
  }

  private static java.util.concurrent.ThreadFactory threadsNamed(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
