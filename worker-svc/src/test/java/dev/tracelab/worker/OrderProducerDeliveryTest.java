// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.order.Order;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The worker's delivery settings and its account of sends: an accepted order either reaches Kafka
 * (acknowledged) or is counted as a send failure, and is pending until one of the two.
 */
class OrderProducerDeliveryTest {

  @RegisterExtension static final OpenTelemetryExtension testing = OpenTelemetryExtension.create();

  @Test
  void sendsAreIdempotentAndRetriedAsLongAsTheRequestWaits() {
    Properties props = OrderProducer.properties("127.0.0.1:1");

    assertThat(props)
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .containsEntry(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE)
        .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000)
        .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    assertThat(WorkerService.ACK_TIMEOUT.toMillis()).isEqualTo(5_000);
    // the client refuses a delivery timeout shorter than linger + request timeout
    assertThat((int) props.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG))
        .isGreaterThanOrEqualTo(
            (int) props.get(ProducerConfig.LINGER_MS_CONFIG)
                + (int) props.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
  }

  @Test
  void everySendIsAcknowledgedOrCountedAsFailed() {
    MockProducer<String, String> kafka =
        new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
    OrderProducer producer = OrderProducer.create(testing.getOpenTelemetry(), kafka);

    producer.send(new Order("o-1", "A", 1, false, 0));
    producer.send(new Order("o-2", "A", 1, false, 0));
    assertThat(producer.counts())
        .isEqualTo(Map.of("acknowledged", 0L, "sendFailures", 0L, "pending", 2L));

    kafka.completeNext();
    kafka.errorNext(
        new TimeoutException("Expiring 1 record(s) for orders-0: 120000 ms has passed"));

    assertThat(producer.counts())
        .isEqualTo(Map.of("acknowledged", 1L, "sendFailures", 1L, "pending", 0L));
    assertThat(testing.getSpans())
        .extracting(s -> s.getStatus().getStatusCode())
        .containsExactly(StatusCode.UNSET, StatusCode.ERROR);
  }

  @Test
  void aSendThatCannotStartIsCountedAsFailed() {
    MockProducer<String, String> kafka =
        new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    kafka.sendException = new TimeoutException("metadata not available after 120000 ms");
    OrderProducer producer = OrderProducer.create(testing.getOpenTelemetry(), kafka);

    try {
      producer.send(new Order("o-3", "A", 1, false, 0));
    } catch (TimeoutException expected) {
      // DeferredWork records it on its span
    }

    assertThat(producer.counts())
        .isEqualTo(Map.of("acknowledged", 0L, "sendFailures", 1L, "pending", 0L));
  }
}
