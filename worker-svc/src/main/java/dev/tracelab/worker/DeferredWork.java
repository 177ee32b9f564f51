package dev.tracelab.worker;

import dev.tracelab.flow.Flow;
import dev.tracelab.order.Order;
import dev.tracelab.telemetry.AppAttributes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * The work done after the 202: an INTERNAL span {@code order.prepare}, child of whatever context
 * is current on the pool thread (the request's, when the hand-off carried it), which waits
 * {@code delayMs} and produces the order.
 */
final class DeferredWork {

  private final Tracer tracer;
  private final OrderProducer producer;

  DeferredWork(OpenTelemetry otel, OrderProducer producer) {
    this.tracer = otel.getTracer("dev.tracelab.worker");
    this.producer = producer;
  }

  void run(Order order) {
    Span span =
        tracer
            .spanBuilder(Flow.DEFERRED_WORK)
            .setAttribute(AppAttributes.ORDER_ID, order.orderId())
            .setAttribute("app.order.sku", order.sku())
            .setAttribute("app.order.quantity", (long) order.quantity())
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      if (order.delayMs() > 0) {
        Thread.sleep(order.delayMs());
      }
      producer.send(order);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, "interrupted");
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
    } finally {
      span.end();
    }
  }
}
