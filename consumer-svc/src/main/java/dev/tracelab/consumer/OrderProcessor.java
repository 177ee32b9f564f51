package dev.tracelab.consumer;

import dev.tracelab.flow.Flow;
import dev.tracelab.kafka.RecordParent;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
import dev.tracelab.telemetry.AppAttributes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Processes one record in a CONSUMER span {@code process orders}, child of {@link RecordParent}'s answer. */
final class OrderProcessor {

  /** The Kafka client id, also the span's {@code messaging.client.id}. */
  static final String CLIENT_ID = "consumer-svc";

  private final Tracer tracer;
  private final RecordParent parent;

  OrderProcessor(OpenTelemetry otel, RecordParent parent) {
    this.tracer = otel.getTracer("dev.tracelab.consumer");
    this.parent = parent;
  }

  void process(ConsumerRecord<String, String> record) {
    Span span =
        tracer
            .spanBuilder(Flow.PROCESS)
            .setSpanKind(SpanKind.CONSUMER)
            .setParent(parent.parentOf(record))
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_SYSTEM, "kafka")
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_DESTINATION_NAME, record.topic())
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_TYPE, "process")
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_NAME, "process")
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_CONSUMER_GROUP_NAME, Flow.CONSUMER_GROUP)
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
      Order order = OrderJson.read(record.value());
      span.setAttribute(AppAttributes.ORDER_ID, order.orderId());
      if (order.fail()) {
        throw new OrderFailedException("order " + order.orderId() + " failed on request (fail=true)");
      }
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, e.getMessage());
      span.setAttribute(ErrorAttributes.ERROR_TYPE, e.getClass().getName());
    } finally {
      span.end();
    }
  }

  /** The consumer's answer to {@code fail: true}. */
  static final class OrderFailedException extends RuntimeException {
    OrderFailedException(String message) {
      super(message);
    }
  }
}
