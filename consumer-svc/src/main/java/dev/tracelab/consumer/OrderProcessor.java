// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import dev.tracelab.flow.Flow;
import dev.tracelab.kafka.RecordParent;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
import dev.tracelab.telemetry.AppAttributes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.ExceptionAttributes;
import io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes one record in a CONSUMER span {@code process orders}, child of {@link RecordParent}'s
 * answer, with at-most-once processing per order id (the {@link Ledger}) and classified failures:
 *
 * <ul>
 *   <li>an order already in the ledger is a duplicate delivery: skipped, counted, the span marked
 *       {@code app.delivery.duplicate};
 *   <li>poison (the value is not a valid order): dead-lettered at once, one log line;
 *   <li>transient failures and timeouts: retried in place with bounded exponential backoff, each
 *       failed attempt a {@code retry} event on the span; when every attempt failed, dead-lettered
 *       ({@code retryable-exhausted} or {@code timeout});
 *   <li>{@code fail: true} is the business outcome of that order, not a delivery failure: an ERROR
 *       span, and the order counts as processed.
 * </ul>
 *
 * A classified failure sets {@code error.type} and {@code app.failure.category} on the span; the
 * dead-letter send is a child span of it.
 */
final class OrderProcessor {

  /** The Kafka client id, also the span's {@code messaging.client.id}. */
  static final String CLIENT_ID = "consumer-svc";

  static final AttributeKey<String> FAILURE_CATEGORY =
      AttributeKey.stringKey("app.failure.category");
  static final AttributeKey<Boolean> DUPLICATE = AttributeKey.booleanKey("app.delivery.duplicate");
  static final AttributeKey<Long> RETRY_ATTEMPT = AttributeKey.longKey("app.retry.attempt");
  static final AttributeKey<Long> RETRY_BACKOFF_MS = AttributeKey.longKey("app.retry.backoff_ms");

  private static final Logger log = LoggerFactory.getLogger(OrderProcessor.class);

  /** The business step; an exception is classified by {@link FailureCategory#of}. */
  @FunctionalInterface
  interface Handler {
    void handle(Order order) throws Exception;
  }

  /** What became of a record; every outcome but an exception lets its offset be committed. */
  enum Outcome {
    PROCESSED,
    DUPLICATE,
    DEAD_LETTERED
  }

  /** The lab's business logic: an order asking to fail fails. */
  static final Handler FAIL_ON_REQUEST =
      order -> {
        if (order.fail()) {
          throw new OrderFailedException(
              "order " + order.orderId() + " failed on request (fail=true)");
        }
      };

  private final Tracer tracer;
  private final RecordParent parent;
  private final Ledger ledger;
  private final DeadLetters deadLetters;
  private final Handler handler;
  private final RetryPolicy retry;

  OrderProcessor(
      OpenTelemetry otel,
      RecordParent parent,
      Ledger ledger,
      DeadLetters deadLetters,
      Handler handler,
      RetryPolicy retry) {
    this.tracer = otel.getTracer("dev.tracelab.consumer");
    this.parent = parent;
    this.ledger = ledger;
    this.deadLetters = deadLetters;
    this.handler = handler;
    this.retry = retry;
  }

  /**
   * @throws DeadLetters.NotDoneException when the record was neither processed nor dead-lettered
   *     (the dead-letter send failed, or the thread was interrupted): do not commit it
   */
  Outcome process(ConsumerRecord<String, String> record) {
    Span span =
        parent
            .lineage(tracer.spanBuilder(Flow.PROCESS), record)
            .setSpanKind(SpanKind.CONSUMER)
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_SYSTEM, "kafka")
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_DESTINATION_NAME, record.topic())
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_TYPE, "process")
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_NAME, "process")
            .setAttribute(
                MessagingIncubatingAttributes.MESSAGING_CONSUMER_GROUP_NAME, Flow.CONSUMER_GROUP)
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_CLIENT_ID, CLIENT_ID)
            .setAttribute(
                MessagingIncubatingAttributes.MESSAGING_DESTINATION_PARTITION_ID,
                Integer.toString(record.partition()))
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_KAFKA_OFFSET, record.offset())
            .startSpan();
    if (record.key() != null) {
      span.setAttribute(MessagingIncubatingAttributes.MESSAGING_KAFKA_MESSAGE_KEY, record.key());
      span.setAttribute(AppAttributes.ORDER_ID, record.key());
    }
    try (Scope ignored = span.makeCurrent()) {
      Order order;
      try {
        order = OrderJson.read(record.value());
      } catch (IllegalArgumentException e) {
        String id = ledgerId(record, null);
        if (skippedAsDuplicate(id, span)) {
          return Outcome.DUPLICATE;
        }
        return deadLetter(record, id, span, FailureCategory.POISON, e);
      }
      span.setAttribute(AppAttributes.ORDER_ID, order.orderId());
      if (skippedAsDuplicate(order.orderId(), span)) {
        return Outcome.DUPLICATE;
      }
      return handle(record, order, span);
    } finally {
      span.end();
    }
  }

  private Outcome handle(ConsumerRecord<String, String> record, Order order, Span span) {
    for (int attempt = 1; ; attempt++) {
      try {
        handler.handle(order);
        ledger.processed(order.orderId());
        return Outcome.PROCESSED;
      } catch (OrderFailedException e) {
        // the business outcome of this order: processed, and an ERROR span as ever
        span.recordException(e);
        span.setStatus(StatusCode.ERROR, e.getMessage());
        span.setAttribute(ErrorAttributes.ERROR_TYPE, e.getClass().getName());
        ledger.processed(order.orderId());
        return Outcome.PROCESSED;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DeadLetters.NotDoneException(
            "interrupted while processing " + order.orderId(), e);
      } catch (Exception e) {
        FailureCategory category = FailureCategory.of(e);
        if (!category.retryable() || attempt >= retry.maxAttempts()) {
          return deadLetter(record, order.orderId(), span, category, e);
        }
        long backoffMs = retry.backoffAfter(attempt).toMillis();
        span.addEvent(
            "retry",
            Attributes.of(
                RETRY_ATTEMPT,
                (long) attempt,
                RETRY_BACKOFF_MS,
                backoffMs,
                ErrorAttributes.ERROR_TYPE,
                e.getClass().getName(),
                ExceptionAttributes.EXCEPTION_MESSAGE,
                String.valueOf(e.getMessage())));
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new DeadLetters.NotDoneException(
              "interrupted while retrying " + order.orderId(), interrupted);
        }
      }
    }
  }

  private boolean skippedAsDuplicate(String id, Span span) {
    if (!ledger.seen(id)) {
      return false;
    }
    ledger.duplicateSkipped();
    span.setAttribute(DUPLICATE, true);
    return true;
  }

  private Outcome deadLetter(
      ConsumerRecord<String, String> record,
      String id,
      Span span,
      FailureCategory category,
      Exception e) {
    span.recordException(e);
    span.setStatus(StatusCode.ERROR, e.getMessage());
    span.setAttribute(ErrorAttributes.ERROR_TYPE, e.getClass().getName());
    span.setAttribute(FAILURE_CATEGORY, category.value());
    deadLetters.send(record, category, e.getMessage());
    ledger.deadLettered(id);
    log.warn(
        "order {} dead-lettered to {} ({}): record {}-{}@{}: {}",
        id,
        Flow.DEAD_LETTER_TOPIC,
        category.value(),
        record.topic(),
        record.partition(),
        record.offset(),
        e.getMessage());
    return Outcome.DEAD_LETTERED;
  }

  /** The order id a record stands for: the parsed one, else its key, else its coordinates. */
  private static String ledgerId(ConsumerRecord<String, String> record, Order order) {
    if (order != null) {
      return order.orderId();
    }
    if (record.key() != null && !record.key().isBlank()) {
      return record.key();
    }
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }

  /** The consumer's answer to {@code fail: true}. */
  static final class OrderFailedException extends RuntimeException {
    OrderFailedException(String message) {
      super(message);
    }
  }
}
