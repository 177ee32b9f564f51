// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.worker;

import dev.tracelab.config.ServiceLauncher;
import dev.tracelab.flow.Flow;

/**
 * {@code java -jar worker-svc.jar}. Environment: {@code PORT} (8081), {@code BIND_HOST} (0.0.0.0),
 * {@code KAFKA_BOOTSTRAP_SERVERS} (127.0.0.1:9092), {@code TRACELAB_VARIANT} (fixed|broken) and the
 * standard {@code OTEL_*} variables.
 */
public final class WorkerMain {

  private WorkerMain() {}

  public static void main(String[] args) {
    ServiceLauncher.launch(
        Flow.WORKER,
        env ->
            new WorkerConfig(
                env.bindHost(), env.port(8081), env.kafkaBootstrapServers(), env.variant()),
        WorkerService::start,
        (config, service) ->
            "worker-svc ("
                + config.variant().id()
                + ") listening on "
                + config.bindHost()
                + ":"
                + service.port());
  }
}
