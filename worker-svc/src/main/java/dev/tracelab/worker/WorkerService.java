package dev.tracelab.worker;

import dev.tracelab.async.HandOff;
import dev.tracelab.broken.RawExecutorHandOff;
import dev.tracelab.flow.Variant;
import dev.tracelab.http.Problem;
import dev.tracelab.http.ServerTracing;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
import dev.tracelab.telemetry.AppAttributes;
import io.javalin.Javalin;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker: {@code POST /work} answers 202 at once and hands the order to an executor (the
 * async boundary); the deferred work prepares it and produces it to Kafka. {@code GET /delivery}
 * counts the sends: acknowledged, failed after every retry, and still in flight.
 */
public final class WorkerService implements AutoCloseable {

  private static final int DEFERRED_THREADS = 16;

  private final Javalin app;
  private final HandOff handOff;
  private final OrderProducer producer;

  private WorkerService(Javalin app, HandOff handOff, OrderProducer producer) {
    this.app = app;
    this.handOff = handOff;
    this.producer = producer;
  }

  public static WorkerService start(WorkerConfig config, OpenTelemetry otel) {
    OrderProducer producer = OrderProducer.create(otel, config.kafkaBootstrapServers());
    DeferredWork deferred = new DeferredWork(otel, producer);
    ExecutorService pool = Executors.newFixedThreadPool(DEFERRED_THREADS, threadsNamed("worker-deferred-"));
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
              Order order;
              try {
                order = OrderJson.read(ctx.body());
              } catch (IllegalArgumentException e) {
                Problem.badRequest(e.getMessage(), List.of()).writeTo(ctx);
                return;
              }
              Span.current().setAttribute(AppAttributes.ORDER_ID, order.orderId());
              handOff.submit(() -> deferred.run(order));
              ctx.status(202);
              ctx.json(Map.of("orderId", order.orderId(), "accepted", true));
            }));
    app.get("/health", ctx -> ctx.json(Map.of("status", "UP")));
    dev.tracelab.health.KafkaReadiness.route(app, config.kafkaBootstrapServers()); // GET /health/ready
    app.get("/delivery", ctx -> ctx.json(producer.counts()));
    app.error(404, ctx -> Problem.of(404, "Not Found", "no route " + ctx.method() + " " + ctx.path()).writeTo(ctx));
    app.exception(
        Exception.class,
        (e, ctx) -> Problem.of(500, "Internal Server Error", "the worker failed; see its log").writeTo(ctx));
    app.start(config.bindHost(), config.port());
    return new WorkerService(app, handOff, producer);
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
