// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Variant;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The environment contract every child-process service gets (docs/design.md §7). */
class ServiceSpecTest {

  @Test
  void gatewayEnvironmentIsTheEnvContractWithOtelPropertiesAsVariables() {
    ServiceSpec spec =
        new ServiceSpec(
            Flow.GATEWAY,
            Variant.BROKEN,
            "127.0.0.1",
            0,
            URI.create("http://127.0.0.1:18081"),
            null,
            Map.of(
                "otel.exporter.otlp.endpoint",
                "http://127.0.0.1:14318",
                "otel.bsp.schedule.delay",
                "50"),
            Path.of("gateway.log"));

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("PORT", "18080");
    expected.put("BIND_HOST", "127.0.0.1");
    expected.put("WORKER_URL", "http://127.0.0.1:18081");
    expected.put("TRACELAB_VARIANT", "broken");
    ServiceSpec.CHILD_OTEL_DEFAULTS.forEach(
        (k, v) -> {
          if (System.getenv(k) == null) {
            expected.put(k, v);
          }
        });
    expected.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:14318");
    expected.put(
        "OTEL_BSP_SCHEDULE_DELAY", "50"); // the environment's own setting wins over the default
    expected.put("OTEL_SERVICE_NAME", Flow.GATEWAY);
    assertThat(spec.environment(18080)).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void workerGetsTheBrokerAndNoWorkerUrl() {
    ServiceSpec spec =
        new ServiceSpec(
            Flow.WORKER,
            Variant.FIXED,
            "0.0.0.0",
            0,
            null,
            "127.0.0.1:19092",
            Map.of(),
            Path.of("worker.log"));

    Map<String, String> env = spec.environment(18081);

    assertThat(env)
        .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
        .containsEntry("TRACELAB_VARIANT", "fixed")
        .containsEntry("OTEL_SERVICE_NAME", Flow.WORKER)
        .doesNotContainKey("WORKER_URL");
  }
}
