package dev.tracelab.worker;

import dev.tracelab.flow.Flow;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces orders to topic {@code orders} (key = orderId) in a PRODUCER span {@code send orders},
 * and injects that span's context into the record headers: the producer half of the Kafka
 * boundary. The span ends when the broker acknowledges the record.
 *
 * <p>Messaging semantic conventions: {@code server.address}/{@code server.port} are left out on
 * purpose; they are required only "if available", and the client API does not say which broker of
 * the bootstrap list leads the partition.
 */
final class OrderProducer implements AutoCloseable {

  /** The Kafka client id, also the span's {@code messaging.client.id}. */
  static final String CLIENT_ID = "worker-svc";

  private final Producer<String, String> producer;
  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private OrderProducer(Producer<String, String> producer, OpenTelemetry otel) {
    this.producer = producer;
    this.tracer = otel.getTracer("dev.tracelab.worker.kafka-producer");
    this.propagator = otel.getPropagators().getTextMapPropagator();
  }

  static OrderProducer create(OpenTelemetry otel, String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    return create(otel, new KafkaProducer<>(props, new StringSerializer(), new StringSerializer()));
  }

  /** Over any producer configured with client id {@link #CLIENT_ID} (tests pass a MockProducer). */
  static OrderProducer create(OpenTelemetry otel, Producer<String, String> producer) {
    return new OrderProducer(producer, otel);
  }

  void send(Order order) {
    Span span =
        tracer
            .spanBuilder(Flow.PRODUCE)
            .setSpanKind(SpanKind.PRODUCER)
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_SYSTEM, "kafka")
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_DESTINATION_NAME, Flow.TOPIC)
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_TYPE, "send")
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_NAME, "send")
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_KAFKA_MESSAGE_KEY, order.orderId())
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_CLIENT_ID, CLIENT_ID)
            .startSpan();
    ProducerRecord<String, String> record =
        new ProducerRecord<>(Flow.TOPIC, order.orderId(), OrderJson.write(order));
    propagator.inject(Context.current().with(span), record.headers(), RecordHeaders.INSTANCE);
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error != null) {
              span.recordException(error);
              span.setStatus(StatusCode.ERROR);
              span.setAttribute(ErrorAttributes.ERROR_TYPE, error.getClass().getName());
            } else {
              span.setAttribute(
                  MessagingIncubatingAttributes.MESSAGING_DESTINATION_PARTITION_ID,
                  Integer.toString(metadata.partition()));
              span.setAttribute(MessagingIncubatingAttributes.MESSAGING_KAFKA_OFFSET, metadata.offset());
            }
            span.end();
          });
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
      span.end();
      throw e;
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  /** Writes propagation headers into a record's headers (replacing any); null-safe, stateless. */
  enum RecordHeaders implements TextMapSetter<Headers> {
    INSTANCE;

    @Override
    public void set(Headers carrier, String key, String value) {
      if (carrier != null && key != null && value != null) {
        carrier.remove(key);
        carrier.add(key, value.getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
