// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.worker;

import dev.tracelab.flow.Flow;
import dev.tracelab.kafka.KafkaHeadersSetter;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces orders to topic {@code orders} (key = orderId) in a PRODUCER span {@code send orders},
 * and injects that span's context into the record headers: the producer half of the Kafka boundary.
 * The span ends when the broker acknowledges the record.
 *
 * <p>Delivery: the client retries a send until {@link #DELIVERY_TIMEOUT} (see {@link #properties});
 * {@link #send} returns the outcome, which the worker's request waits for before it answers 202. A
 * send that fails is logged with its order id and counted ({@link #counts()}).
 *
 * <p>Messaging semantic conventions: {@code server.address}/{@code server.port} are left out on
 * purpose; they are required only "if available", and the client API does not say which broker of
 * the bootstrap list leads the partition.
 */
final class OrderProducer implements AutoCloseable {

  /** The Kafka client id, also the span's {@code messaging.client.id}. */
  static final String CLIENT_ID = "worker-svc";

  private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(OrderProducer.class);

  private final Producer<String, String> producer;
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong pending = new AtomicLong();
  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private OrderProducer(Producer<String, String> producer, OpenTelemetry otel) {
    this.producer = producer;
    this.tracer = otel.getTracer("dev.tracelab.worker.kafka-producer");
    this.propagator = otel.getPropagators().getTextMapPropagator();
  }

  /**
   * How long a send is retried before it counts as failed: as long as the request waits for the
   * acknowledgement (the worker answers 503 then), so an order the client was told is not accepted
   * is, but for a race at the very end, not written later either.
   */
  static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(5);

  static OrderProducer create(OpenTelemetry otel, String bootstrapServers) {
    return create(
        otel,
        new KafkaProducer<>(
            properties(bootstrapServers), new StringSerializer(), new StringSerializer()));
  }

  /**
   * The producer's delivery settings. Idempotent with {@code acks=all}: the client retries a send
   * (through leader changes) until {@link #DELIVERY_TIMEOUT} without writing a record twice. {@code
   * max.block.ms} (how long {@code send} may wait for metadata or buffer space) is as long; it
   * blocks only the deferred-work thread, and the request stops waiting after the same time.
   */
  static Properties properties(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis() - 1_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
    return props;
  }

  /** Over any producer configured with client id {@link #CLIENT_ID} (tests pass a MockProducer). */
  static OrderProducer create(OpenTelemetry otel, Producer<String, String> producer) {
    return new OrderProducer(producer, otel);
  }

  /**
   * Sends {@code order}; the returned future completes when the broker acknowledges it, or
   * exceptionally when the client gives up on it. Throws when the send cannot even start.
   */
  CompletableFuture<Void> send(Order order) {
    CompletableFuture<Void> outcome = new CompletableFuture<>();
    Span span =
        tracer
            .spanBuilder(Flow.PRODUCE)
            .setSpanKind(SpanKind.PRODUCER)
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_SYSTEM, "kafka")
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_DESTINATION_NAME, Flow.TOPIC)
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_TYPE, "send")
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_NAME, "send")
            .setAttribute(
                MessagingIncubatingAttributes.MESSAGING_KAFKA_MESSAGE_KEY, order.orderId())
            .setAttribute(MessagingIncubatingAttributes.MESSAGING_CLIENT_ID, CLIENT_ID)
            .startSpan();
    ProducerRecord<String, String> record =
        new ProducerRecord<>(Flow.TOPIC, order.orderId(), OrderJson.write(order));
    propagator.inject(Context.current().with(span), record.headers(), KafkaHeadersSetter.INSTANCE);
    pending.incrementAndGet();
    try {
      producer.send(
          record,
          (metadata, error) -> {
            pending.decrementAndGet();
            if (error != null) {
              span.recordException(error);
              span.setStatus(StatusCode.ERROR);
              span.setAttribute(ErrorAttributes.ERROR_TYPE, error.getClass().getName());
              failed(order, error);
            } else {
              acknowledged.incrementAndGet();
              span.setAttribute(
                  MessagingIncubatingAttributes.MESSAGING_DESTINATION_PARTITION_ID,
                  Integer.toString(metadata.partition()));
              span.setAttribute(
                  MessagingIncubatingAttributes.MESSAGING_KAFKA_OFFSET, metadata.offset());
            }
            span.end();
            if (error == null) {
              outcome.complete(null);
            } else {
              outcome.completeExceptionally(error);
            }
          });
      return outcome;
    } catch (RuntimeException e) {
      pending.decrementAndGet();
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
      span.end();
      failed(order, e);
      throw e;
    }
  }

  /** The one place an order is known not to have reached Kafka: one log line, counted. */
  private void failed(Order order, Exception error) {
    failed.incrementAndGet();
    log.error(
        "order {} NOT delivered to {} (gave up after retries; it was not answered 202): {}",
        order.orderId(),
        Flow.TOPIC,
        error.toString());
  }

  /** Orders the broker acknowledged, orders given up on, and sends still in flight. */
  Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("acknowledged", acknowledged.get());
    counts.put("sendFailures", failed.get());
    counts.put("pending", pending.get());
    return counts;
  }

  long sendFailures() {
    return failed.get();
  }

  @Override
  public void close() {
    producer.close(CLOSE_GRACE); // waits for in-flight sends up to the grace
    long left = pending.get();
    if (left > 0) {
      log.error("{} accepted orders still unacknowledged when the producer closed", left);
    }
  }
}
