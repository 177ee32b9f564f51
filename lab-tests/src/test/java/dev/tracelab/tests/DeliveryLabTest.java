// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracelab.consumer.ConsumerConfig;
import dev.tracelab.consumer.ConsumerService;
import dev.tracelab.env.kafka.EmbeddedKafka;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Variant;
import dev.tracelab.order.Order;
import dev.tracelab.order.OrderJson;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer's delivery contract against a real broker (the embedded one): a poison record lands
 * on orders.dlq exactly once, carrying the trace context of the dead-letter send span (child of the
 * process span) and its category, its offset is committed and the ledger lists it; the same order
 * delivered twice is processed once.
 */
class DeliveryLabTest {

  static EmbeddedKafka kafka;
  static InMemorySpanExporter spans = InMemorySpanExporter.create();
  static OpenTelemetrySdk otel;
  static ConsumerService consumer;
  static KafkaProducer<String, String> producer;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start(0);
    otel =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    consumer =
        ConsumerService.start(
            new ConsumerConfig(
                "127.0.0.1",
                0,
                kafka.bootstrapServers(),
                Variant.FIXED,
                dir.resolve("consumer.ledger")),
            otel);
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close();
    }
    if (consumer != null) {
      consumer.close();
    }
    if (otel != null) {
      otel.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /** Sends to partition 0 with a producer span's context in the headers; returns the span id. */
  private static String send(String key, String value) throws Exception {
    Span span =
        otel.getTracer("test").spanBuilder(Flow.PRODUCE).setSpanKind(SpanKind.PRODUCER).startSpan();
    ProducerRecord<String, String> record = new ProducerRecord<>(Flow.TOPIC, 0, key, value);
    otel.getPropagators()
        .getTextMapPropagator()
        .inject(
            Context.root().with(span),
            record.headers(),
            (h, k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
    producer.send(record).get();
    span.end();
    return span.getSpanContext().getSpanId();
  }

  private static Map<String, Object> ledger() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + consumer.healthPort() + "/ledger"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    @SuppressWarnings("unchecked")
    Map<String, Object> json = OrderJson.mapper().readValue(response.body(), Map.class);
    return json;
  }

  private static long committed(TopicPartition partition) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      OffsetAndMetadata offset =
          admin
              .listConsumerGroupOffsets(Flow.CONSUMER_GROUP)
              .partitionsToOffsetAndMetadata()
              .get()
              .get(partition);
      return offset == null ? -1 : offset.offset();
    }
  }

  private static String header(ConsumerRecord<String, String> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Test
  void poisonIsDeadLetteredOnceThenDuplicateIsProcessedOnce() throws Exception {
    String poisonKey = "poison-" + UUID.randomUUID();
    String producerSpan = send(poisonKey, "{\"orderId\":");
    TopicPartition p0 = new TopicPartition(Flow.TOPIC, 0);

    await().atMost(Duration.ofSeconds(30)).until(() -> committed(p0) == 1);
    assertThat(ledger())
        .containsEntry("deadLettered", List.of(poisonKey))
        .containsEntry("processed", List.of());

    List<ConsumerRecord<String, String>> dead = new ArrayList<>();
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("group.id", "dlq-reader");
    props.put("auto.offset.reset", "earliest");
    try (KafkaConsumer<String, String> reader =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      reader.subscribe(Set.of(Flow.DEAD_LETTER_TOPIC));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                reader.poll(Duration.ofMillis(200)).forEach(dead::add);
                return !dead.isEmpty();
              });
      reader.poll(Duration.ofMillis(500)).forEach(dead::add); // nothing more
    }
    assertThat(dead).hasSize(1);
    ConsumerRecord<String, String> letter = dead.get(0);
    assertThat(letter.key()).isEqualTo(poisonKey);
    assertThat(letter.value()).isEqualTo("{\"orderId\":");
    assertThat(header(letter, "tracelab.failure.category")).isEqualTo("poison");
    assertThat(header(letter, "tracelab.failure.reason")).startsWith("malformed order JSON");

    SpanData process =
        spans.getFinishedSpanItems().stream()
            .filter(s -> s.getName().equals(Flow.PROCESS))
            .findFirst()
            .orElseThrow();
    SpanData dlqSend =
        spans.getFinishedSpanItems().stream()
            .filter(s -> s.getName().equals("send orders.dlq"))
            .findFirst()
            .orElseThrow();
    assertThat(process.getParentSpanId()).isEqualTo(producerSpan);
    assertThat(dlqSend.getParentSpanId()).isEqualTo(process.getSpanId());
    assertThat(header(letter, "traceparent"))
        .startsWith("00-" + dlqSend.getTraceId() + "-" + dlqSend.getSpanId() + "-");

    String orderId = UUID.randomUUID().toString();
    String order = OrderJson.write(new Order(orderId, "ABC-1", 1, false, 0));
    send(orderId, order);
    send(orderId, order);
    await().atMost(Duration.ofSeconds(30)).until(() -> committed(p0) == 3);
    assertThat(ledger())
        .isEqualTo(
            Map.of(
                "processed",
                List.of(orderId),
                "deadLettered",
                List.of(poisonKey),
                "duplicatesSkipped",
                1));
    assertThat(Files.readAllLines(dir.resolve("consumer.ledger")))
        .containsExactly("dead-lettered " + poisonKey, "processed " + orderId);
  }
}
