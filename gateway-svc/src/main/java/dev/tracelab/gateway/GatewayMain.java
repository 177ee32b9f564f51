// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import dev.tracelab.config.ServiceLauncher;
import dev.tracelab.flow.Flow;
import java.net.URI;

/**
 * {@code java -jar gateway-svc.jar}. Environment: {@code PORT} (8080), {@code BIND_HOST} (0.0.0.0),
 * {@code WORKER_URL} (http://127.0.0.1:8081), {@code TRACELAB_VARIANT} (fixed|broken) and the
 * standard {@code OTEL_*} variables.
 */
public final class GatewayMain {

  private GatewayMain() {}

  public static void main(String[] args) {
    ServiceLauncher.launch(
        Flow.GATEWAY,
        env ->
            new GatewayConfig(
                env.bindHost(),
                env.port(8080),
                URI.create(env.get("WORKER_URL", "http://127.0.0.1:8081")),
                env.variant()),
        GatewayService::start,
        (config, service) ->
            "gateway-svc ("
                + config.variant().id()
                + ") listening on "
                + config.bindHost()
                + ":"
                + service.port());
  }
}
