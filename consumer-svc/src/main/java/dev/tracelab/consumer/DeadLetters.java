// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import dev.tracelab.flow.Flow;
import dev.tracelab.kafka.KafkaHeadersSetter;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces a record that could not be processed to {@link Flow#DEAD_LETTER_TOPIC}, synchronously
 * (the caller commits the original offset only once this returned), in a PRODUCER span {@code send
 * orders.dlq} that is a child of the current (process) span. The dead-letter record keeps the
 * original key, value and headers; the trace context headers are replaced by the ones of the send
 * span (so the dead letter stays in the request's trace, one hop further), and {@code
 * tracelab.failure.category}, {@code tracelab.failure.reason} and the original
 * topic/partition/offset are added.
 */
final class DeadLetters implements AutoCloseable {

  static final String CATEGORY_HEADER = "tracelab.failure.category";
  static final String REASON_HEADER = "tracelab.failure.reason";
  static final String ORIGINAL_TOPIC_HEADER = "tracelab.original.topic";
  static final String ORIGINAL_PARTITION_HEADER = "tracelab.original.partition";
  static final String ORIGINAL_OFFSET_HEADER = "tracelab.original.offset";
  static final String SEND = "send " + Flow.DEAD_LETTER_TOPIC;

  /** Long enough to ride out a broker restart; shorter than max.poll.interval.ms. */
  private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);

  private final Producer<String, String> producer;
  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private DeadLetters(Producer<String, String> producer, OpenTelemetry otel) {
    this.producer = producer;
    this.tracer = otel.getTracer("dev.tracelab.consumer.dead-letters");
    this.propagator = otel.getPropagators().getTextMapPropagator();
  }

  static DeadLetters create(OpenTelemetry otel, String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, OrderProcessor.CLIENT_ID + "-dlq");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
    return create(otel, new KafkaProducer<>(props, new StringSerializer(), new StringSerializer()));
  }

  /** Over any producer (tests pass a MockProducer). */
  static DeadLetters create(OpenTelemetry otel, Producer<String, String> producer) {
    return new DeadLetters(producer, otel);
  }

  /**
   * Sends {@code original} to the dead-letter topic and waits for the broker's acknowledgement.
   *
   * @throws NotDoneException when it was not acknowledged: the original must not be committed
   */
  void send(ConsumerRecord<String, String> original, FailureCategory category, String reason) {
    Span span =
        tracer
            .spanBuilder(SEND)
            .setSpanKind(SpanKind.PRODUCER)
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_SYSTEM, "kafka")
            .setAttribute(
                MessagingIncubatingAttributes.MESSAGING_DESTINATION_NAME, Flow.DEAD_LETTER_TOPIC)
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_TYPE, "send")
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_NAME, "send")
            .setAttribute(
                MessagingIncubatingAttributes.MESSAGING_CLIENT_ID,
                OrderProcessor.CLIENT_ID + "-dlq")
            .startSpan();
    if (original.key() != null) {
      span.setAttribute(MessagingIncubatingAttributes.MESSAGING_KAFKA_MESSAGE_KEY, original.key());
    }
    ProducerRecord<String, String> record =
        new ProducerRecord<>(Flow.DEAD_LETTER_TOPIC, null, original.key(), original.value());
    for (Header header : original.headers()) {
      record.headers().add(header.key(), header.value());
    }
    propagator.inject(Context.current().with(span), record.headers(), KafkaHeadersSetter.INSTANCE);
    set(record.headers(), CATEGORY_HEADER, category.value());
    set(record.headers(), REASON_HEADER, reason == null ? "" : reason);
    set(record.headers(), ORIGINAL_TOPIC_HEADER, original.topic());
    set(record.headers(), ORIGINAL_PARTITION_HEADER, Integer.toString(original.partition()));
    set(record.headers(), ORIGINAL_OFFSET_HEADER, Long.toString(original.offset()));
    try {
      RecordMetadata metadata =
          producer.send(record).get(DELIVERY_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      span.setAttribute(
          MessagingIncubatingAttributes.MESSAGING_DESTINATION_PARTITION_ID,
          Integer.toString(metadata.partition()));
      span.setAttribute(MessagingIncubatingAttributes.MESSAGING_KAFKA_OFFSET, metadata.offset());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail(span, e, "interrupted while dead-lettering");
    } catch (ExecutionException e) {
      throw fail(span, e.getCause(), "dead-letter send failed");
    } catch (TimeoutException | RuntimeException e) {
      throw fail(span, e, "dead-letter send failed");
    } finally {
      span.end();
    }
  }

  private static NotDoneException fail(Span span, Throwable e, String message) {
    span.recordException(e);
    span.setStatus(StatusCode.ERROR, message);
    span.setAttribute(ErrorAttributes.ERROR_TYPE, e.getClass().getName());
    return new NotDoneException(message + ": " + e, e);
  }

  private static void set(Headers headers, String key, String value) {
    KafkaHeadersSetter.INSTANCE.set(headers, key, value);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  /** A record was neither processed nor dead-lettered: its offset must not be committed. */
  static final class NotDoneException extends RuntimeException {
    NotDoneException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
