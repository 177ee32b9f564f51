// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.service.ServiceImplementation;
import dev.tracelab.experiments.chaos.ChaosExperiment;
import dev.tracelab.experiments.chaos.ChaosExperiment.Fault;
import dev.tracelab.experiments.chaos.ChaosExperiment.FaultResult;
import dev.tracelab.flow.Flow;
import dev.tracelab.order.OrderJson;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each fault of {@code ./lab chaos} (docs/design.md §10) under a short steady load on the embedded
 * lab, worker and consumer as child JVMs: no accepted order is lost, none is processed twice (a
 * redelivery is only ever a skipped duplicate), every accepted order is processed or dead-lettered,
 * and the flow recovers by itself within a bound of the fault's repair. Then every order is
 * delivered to the consumer a second time: each is a skipped duplicate, none is processed again.
 * The consumer's ledger is the ground truth, independent of telemetry.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosFaultsTest {

  /**
   * 10 orders/s for 8 s per fault, components down for 3 s, 30 s at most to drain; each order stays
   * 300 ms in the worker, so about three are in flight there whenever a fault hits.
   */
  private static final ChaosExperiment.Settings SETTINGS =
      new ChaosExperiment.Settings(
          10,
          Duration.ofSeconds(8),
          Duration.ofSeconds(3),
          Duration.ofSeconds(30),
          Duration.ofSeconds(2),
          Duration.ofMillis(300));

  /** Recovery must come within this after the fault is repaired. */
  private static final double RECOVERY_MARGIN_S = 15;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static LabEnvironment lab;
  private static ChaosExperiment chaos;

  @BeforeAll
  static void start() {
    lab =
        LabEnvironment.builder()
            .quietWindow(EmbeddedLab.QUIET_WINDOW)
            .implementation(Flow.WORKER, ServiceImplementation.javaProcess())
            .implementation(Flow.CONSUMER, ServiceImplementation.javaProcess())
            .start();
    chaos = ChaosExperiment.create(lab, SETTINGS, line -> System.out.println("chaos: " + line));
    assertThat(chaos.hasLedger()).as("the consumer serves GET /ledger").isTrue();
    chaos.warmUp(30);
  }

  @AfterAll
  static void stop() {
    if (lab != null) {
      lab.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Fault.class)
  @Order(1)
  void faultLosesNothingProcessesNothingTwiceAndRecovers(Fault fault) throws Exception {
    long skippedBefore = ledger().path("duplicatesSkipped").asLong();
    FaultResult r = chaos.run(fault);
    System.out.println("chaos: " + r);

    assertThat(r.accepted()).as("orders accepted").isPositive();
    assertThat(r.inFlight()).as("requests in flight when the fault hit").isPositive();
    assertThat(r.lostOrderIds())
        .as("accepted orders neither processed nor dead-lettered")
        .isEmpty();
    assertThat(r.lost()).as("lost").isEqualTo(0L);
    assertThat(r.processed() + r.deadLettered())
        .as("processed + dead-lettered")
        .isEqualTo(r.accepted());
    assertThat(r.deadLettered()).as("dead-lettered (the load has no poison orders)").isEqualTo(0L);
    JsonNode ledger = ledger();
    List<String> processed = new ArrayList<>();
    ledger.path("processed").forEach(n -> processed.add(n.asText()));
    assertThat(processed)
        .as("the ledger lists every processed order exactly once")
        .doesNotHaveDuplicates();
    assertThat(r.duplicates())
        .as("duplicates: only redeliveries the consumer skipped")
        .isEqualTo(ledger.path("duplicatesSkipped").asLong() - skippedBefore);
    assertThat(r.recoveryS())
        .as("recovery in s (null: not recovered)")
        .isNotNull()
        .isLessThan(r.repairedS() + RECOVERY_MARGIN_S);
  }

  /**
   * A redelivery, as a consumer crash before its offset commit or a producer retry without
   * idempotence makes one: every record of the topic is written again. Before that the topic holds
   * each processed order exactly once (no fault wrote a record twice); after it the ledger is
   * unchanged and counts every copy as a skipped duplicate.
   */
  @Test
  @Order(2)
  void redeliveredOrdersAreSkippedNotProcessedAgain() throws Exception {
    JsonNode before = ledger();
    List<String> processed = new ArrayList<>();
    before.path("processed").forEach(n -> processed.add(n.asText()));
    List<ConsumerRecord<String, String>> records = readAll(Flow.TOPIC);
    List<String> recordIds = new ArrayList<>();
    for (ConsumerRecord<String, String> record : records) {
      recordIds.add(OrderJson.mapper().readTree(record.value()).path("orderId").asText());
    }
    assertThat(recordIds)
        .as("the topic holds each processed order once")
        .containsExactlyInAnyOrderElementsOf(processed);

    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, lab.kafkaBootstrapServers());
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (ConsumerRecord<String, String> r : records) {
        producer.send(
            new ProducerRecord<>(r.topic(), r.partition(), r.key(), r.value(), r.headers()));
      }
      producer.flush();
    }

    long skippedBefore = before.path("duplicatesSkipped").asLong();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(ledger().path("duplicatesSkipped").asLong() - skippedBefore)
                    .as("redeliveries skipped")
                    .isEqualTo(records.size()));
    List<String> after = new ArrayList<>();
    ledger().path("processed").forEach(n -> after.add(n.asText()));
    assertThat(after).as("processed after the redelivery").isEqualTo(processed);
  }

  /** Every record of {@code topic} now, read from the beginning up to the end offsets. */
  private static List<ConsumerRecord<String, String>> readAll(String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, lab.kafkaBootstrapServers());
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> reader =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          reader.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = reader.endOffsets(partitions);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                reader.poll(Duration.ofMillis(200)).forEach(records::add);
                return partitions.stream().allMatch(p -> reader.position(p) >= end.get(p));
              });
    }
    return records;
  }

  private static JsonNode ledger() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(lab.service(Flow.CONSUMER).url().resolve("/ledger"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return OrderJson.mapper().readTree(response.body());
  }
}
