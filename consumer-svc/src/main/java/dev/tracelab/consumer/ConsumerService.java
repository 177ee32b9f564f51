// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import com.sun.net.httpserver.HttpServer;
import dev.tracelab.broken.IgnoredRecordHeaders;
import dev.tracelab.flow.Flow;
import dev.tracelab.kafka.RecordParent;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
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
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer: polls {@code orders} in group {@code consumer-svc}, processes each record in a
 * CONSUMER span, commits after processing (see {@link PollLoop} and {@link OrderProcessor}). {@code
 * GET /health} answers while the poll loop runs; {@code GET /ledger} serves the {@link Ledger},
 * persisted in {@code LEDGER_FILE} when set.
 */
public final class ConsumerService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsumerService.class);

  private final KafkaConsumer<String, String> consumer;
  private final RecordParent parent;
  private final PollLoop poll;
  private final Ledger ledger;
  private final DeadLetters deadLetters;
  private final HttpServer health;
  private final Thread loop;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private dev.tracelab.health.KafkaReadiness readiness;

  private ConsumerService(
      KafkaConsumer<String, String> consumer,
      RecordParent parent,
      PollLoop poll,
      Ledger ledger,
      DeadLetters deadLetters,
      HttpServer health) {
    this.consumer = consumer;
    this.parent = parent;
    this.poll = poll;
    this.ledger = ledger;
    this.deadLetters = deadLetters;
    this.health = health;
    this.loop = new Thread(this::pollLoop, "consumer-svc-poll");
  }

  public static ConsumerService start(
      dev.tracelab.consumer.ConsumerConfig config, OpenTelemetry otel) {
    RecordParent parent =
        switch (config.variant()) {
          case BROKEN -> IgnoredRecordHeaders.INSTANCE;
          case LINKED -> RecordHeadersLink.create(otel);
          case LIFECYCLE -> dev.tracelab.broken.LifecycleSpanParent.start(otel);
          case LIFECYCLE_FIXED -> LifecycleUnits.start(otel);
          case FIXED -> RecordHeadersParent.create(otel);
        };
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, Flow.CONSUMER_GROUP);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, OrderProcessor.CLIENT_ID);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
    // a consumer killed without leaving the group holds its partitions until its session expires:
    // keep that short (the broker's minimum is 6 s) so a restarted consumer takes over quickly
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2000);
    KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    consumer.subscribe(List.of(Flow.TOPIC));

    Ledger ledger;
    HttpServer health;
    try {
      ledger = Ledger.open(config.ledgerFile());
    } catch (RuntimeException e) {
      consumer.close();
      parent.close();
      throw e;
    }
    try {
      health = HttpServer.create(new InetSocketAddress(config.bindHost(), config.healthPort()), 0);
    } catch (IOException e) {
      consumer.close();
      parent.close();
      ledger.close();
      throw new UncheckedIOException("cannot bind consumer health port " + config.healthPort(), e);
    }
    DeadLetters deadLetters = DeadLetters.create(otel, config.kafkaBootstrapServers());
    OrderProcessor processor =
        new OrderProcessor(
            otel, parent, ledger, deadLetters, OrderProcessor.FAIL_ON_REQUEST, RetryPolicy.DEFAULT);
    ConsumerService service =
        new ConsumerService(
            consumer, parent, new PollLoop(consumer, processor), ledger, deadLetters, health);
    health.createContext("/health", service::answerHealth);
    dev.tracelab.health.KafkaReadiness readiness =
        dev.tracelab.health.KafkaReadiness.create(config.kafkaBootstrapServers());
    health.createContext("/health/ready", exchange -> answerReady(exchange, readiness));
    service.readiness = readiness;
    health.createContext("/ledger", service::answerLedger);
    health.start();
    service.loop.start();
    return service;
  }

  public int healthPort() {
    return health.getAddress().getPort();
  }

  private void answerHealth(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
    boolean up = loop.isAlive() && running.get();
    byte[] body =
        ("{\"status\":\"" + (up ? "UP" : "DOWN") + "\"}").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(up ? 200 : 503, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  /** {@code GET /health/ready}: 200 only while Kafka answers. */
  private static void answerReady(
      com.sun.net.httpserver.HttpExchange exchange, dev.tracelab.health.KafkaReadiness readiness)
      throws IOException {
    dev.tracelab.health.KafkaReadiness.Answer answer = readiness.answer();
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", answer.contentType());
    exchange.sendResponseHeaders(answer.status(), body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  /** {@code GET /ledger}: what was processed, dead-lettered and skipped; see {@link Ledger}. */
  private void answerLedger(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
    byte[] body = ledger.toJson().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  /** The ledger (tests and the in-process lab read it). */
  Ledger ledger() {
    return ledger;
  }

  private void pollLoop() {
    try (Scope ignored = parent.loopContext(Context.current()).makeCurrent()) {
      while (running.get()) {
        poll.pollOnce();
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (RuntimeException e) {
      log.error("consumer loop stopped", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      parent.close();
      deadLetters.close();
      ledger.close();
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
