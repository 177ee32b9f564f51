package dev.tracelab.consumer;

import com.sun.net.httpserver.HttpServer;
import dev.tracelab.broken.IgnoredRecordHeaders;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Variant;
import dev.tracelab.kafka.RecordParent;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer: polls {@code orders} in group {@code consumer-svc}, processes each record in a
 * CONSUMER span, commits after processing. {@code GET /health} answers while the poll loop runs.
 */
public final class ConsumerService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsumerService.class);

  private final KafkaConsumer<String, String> consumer;
  private final OrderProcessor processor;
  private final HttpServer health;
  private final Thread loop;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private dev.tracelab.health.KafkaReadiness readiness;

  private ConsumerService(
      KafkaConsumer<String, String> consumer, OrderProcessor processor, HttpServer health) {
    this.consumer = consumer;
    this.processor = processor;
    this.health = health;
    this.loop = new Thread(this::pollLoop, "consumer-svc-poll");
  }

  public static ConsumerService start(
      dev.tracelab.consumer.ConsumerConfig config, OpenTelemetry otel) {
    RecordParent parent =
        config.variant() == Variant.BROKEN
            ? IgnoredRecordHeaders.INSTANCE
            : RecordHeadersParent.create(otel);
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, Flow.CONSUMER_GROUP);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, OrderProcessor.CLIENT_ID);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
    KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    consumer.subscribe(List.of(Flow.TOPIC));

    HttpServer health;
    try {
      health = HttpServer.create(new InetSocketAddress(config.bindHost(), config.healthPort()), 0);
    } catch (IOException e) {
      consumer.close();
      throw new UncheckedIOException("cannot bind consumer health port " + config.healthPort(), e);
    }
    ConsumerService service =
        new ConsumerService(consumer, new OrderProcessor(otel, parent), health);
    health.createContext("/health", service::answerHealth);
    dev.tracelab.health.KafkaReadiness readiness =
        dev.tracelab.health.KafkaReadiness.create(config.kafkaBootstrapServers());
    health.createContext("/health/ready", exchange -> answerReady(exchange, readiness));
    service.readiness = readiness;
    health.start();
    service.loop.start();
    return service;
  }

  public int healthPort() {
    return health.getAddress().getPort();
  }

  private void answerHealth(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
    boolean up = loop.isAlive() && running.get();
    byte[] body = ("{\"status\":\"" + (up ? "UP" : "DOWN") + "\"}").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(up ? 200 : 503, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  /** {@code GET /health/ready}: 200 only while Kafka answers. */
  private static void answerReady(
      com.sun.net.httpserver.HttpExchange exchange, dev.tracelab.health.KafkaReadiness readiness) throws IOException {
    dev.tracelab.health.KafkaReadiness.Answer answer = readiness.answer();
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", answer.contentType());
    exchange.sendResponseHeaders(answer.status(), body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private void pollLoop() {
    try {
      while (running.get()) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, String> record : records) {
          processor.process(record);
        }
        if (!records.isEmpty()) {
          consumer.commitSync();
        }
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (RuntimeException e) {
      log.error("consumer loop stopped", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      stopped.countDown();
    }
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      stopped.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    health.stop(0);
    if (readiness != null) {
      readiness.close();
    }
  }
}
