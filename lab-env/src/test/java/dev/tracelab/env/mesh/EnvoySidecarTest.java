// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EnvoySidecarTest {

  /**
   * The compose overlay's sidecar runs the same bootstrap as the process lab, with compose's names.
   */
  static final String COMPOSE_CONFIG =
      EnvoySidecar.config(
          "0.0.0.0",
          10000,
          9901,
          URI.create("http://worker:8081"),
          URI.create("http://auditor:4318"));

  @Test
  void theComposeOverlaysBootstrapIsTheLabsWithComposeNames() throws IOException {
    Path committed = Path.of("..", "compose", "mesh", "envoy.yaml");

    String header =
        """
        # SPDX-License-Identifier: Apache-2.0
        # The worker's inbound Envoy sidecar in the compose stack (docker-compose.mesh.yml, docs/mesh.md).
        # Generated: the same bootstrap lab-env's EnvoySidecar writes for the process lab, with the
        # compose service names; EnvoySidecarTest fails when the two drift apart.
        """;
    assertThat(Files.readString(committed, StandardCharsets.UTF_8))
        .isEqualTo(header + COMPOSE_CONFIG);
  }

  @Test
  void anIpTargetIsAStaticClusterANameIsResolvedByDns() {
    String config =
        EnvoySidecar.config(
            "127.0.0.1",
            10000,
            9901,
            URI.create("http://127.0.0.1:18081"),
            URI.create("http://auditor:4318"));

    assertThat(config)
        .contains("type: STATIC\n")
        .contains("{address: \"127.0.0.1\", port_value: 18081}")
        .contains("type: STRICT_DNS\n")
        .contains("{address: \"auditor\", port_value: 4318}")
        .contains("uri: \"http://auditor:4318/v1/traces\"")
        .contains("service_name: envoy-sidecar")
        .contains("spawn_upstream_span: true")
        .contains("tracing.opentelemetry.flush_interval_ms: 100");
  }
}
