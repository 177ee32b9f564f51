// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import dev.tracelab.config.ServiceLauncher;
import dev.tracelab.flow.Flow;
import java.nio.file.Path;

/**
 * {@code java -jar consumer-svc.jar}. Environment: {@code PORT} (8082, health only), {@code
 * BIND_HOST} (0.0.0.0), {@code KAFKA_BOOTSTRAP_SERVERS} (127.0.0.1:9092), {@code TRACELAB_VARIANT}
 * (fixed|broken), {@code LEDGER_FILE} (unset: the ledger lives in memory) and the standard {@code
 * OTEL_*} variables.
 */
public final class ConsumerMain {

  private ConsumerMain() {}

  public static void main(String[] args) {
    ServiceLauncher.launch(
        Flow.CONSUMER,
        env -> {
          String ledgerFile = env.get("LEDGER_FILE", null);
          return new ConsumerConfig(
              env.bindHost(),
              env.port(8082),
              env.kafkaBootstrapServers(),
              env.variant(),
              ledgerFile == null ? null : Path.of(ledgerFile));
        },
        ConsumerService::start,
        (config, service) ->
            "consumer-svc ("
                + config.variant().id()
                + ") consuming "
                + Flow.TOPIC
                + ", health on "
                + config.bindHost()
                + ":"
                + service.healthPort());
  }
}
