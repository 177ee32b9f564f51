// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.worker;

import dev.tracelab.flow.Flow;
import dev.tracelab.order.Order;
import dev.tracelab.telemetry.AppAttributes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.concurrent.CompletableFuture;

/**
 * The deferred work: an INTERNAL span {@code order.prepare}, child of whatever context is current
 * on the pool thread (the request's, when the hand-off carried it), which waits {@code delayMs} and
 * produces the order. The outcome of the send (Kafka's acknowledgement or the failure) goes to the
 * future the request waits on; the span ends when the send has been handed to the client.
 */
final class DeferredWork {

  private final Tracer tracer;
  private final OrderProducer producer;

  DeferredWork(OpenTelemetry otel, OrderProducer producer) {
    this.tracer = otel.getTracer("dev.tracelab.worker");
    this.producer = producer;
  }

  /**
   * @param acknowledged completed when Kafka acknowledges the order, exceptionally when the send
   *     fails; already completed (the request gave up waiting and answered 503) means: do not send
   */
  void run(Order order, CompletableFuture<Void> acknowledged) {
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
      if (acknowledged.isDone()) {
        span.setStatus(
            StatusCode.ERROR, "not sent: the request was answered 503 before the send began");
        return;
      }
      producer
          .send(order)
          .whenComplete(
              (ok, error) -> {
                if (error == null) {
                  acknowledged.complete(null);
                } else {
                  acknowledged.completeExceptionally(error);
                }
              });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, "interrupted");
      acknowledged.completeExceptionally(e);
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
      acknowledged.completeExceptionally(e);
    } finally {
      span.end();
    }
  }
}
