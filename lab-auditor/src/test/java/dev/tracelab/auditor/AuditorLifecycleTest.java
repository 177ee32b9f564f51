// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Building an auditor wires it; only start() binds its ports and starts its sweeper thread. */
class AuditorLifecycleTest {

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Sweeper threads alive now (other tests' auditors may still be winding theirs down). */
  private static Set<Thread> sweepers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("auditor-sweeper"))
        .collect(Collectors.toSet());
  }

  @Test
  void buildBindsNothingStartBindsBothPortsOnce() throws Exception {
    int otlpPort = freePort();
    int apiPort = freePort();
    Set<Thread> before = sweepers();
    try (Auditor auditor = Auditor.builder().setOtlpPort(otlpPort).setApiPort(apiPort).build()) {
      for (int port : new int[] {otlpPort, apiPort}) {
        try (ServerSocket stillFree = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
          assertThat(stillFree.getLocalPort()).isEqualTo(port);
        }
      }
      assertThat(before).containsAll(sweepers());
      assertThat(auditor.isStarted()).isFalse();
      assertThatThrownBy(auditor::otlpEndpoint).isInstanceOf(IllegalStateException.class);

      assertThat(auditor.start()).isSameAs(auditor);

      assertThat(auditor.otlpEndpoint()).isEqualTo("http://127.0.0.1:" + otlpPort);
      assertThat(auditor.apiUrl()).isEqualTo("http://127.0.0.1:" + apiPort);
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(auditor.apiUrl() + "/health")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(sweepers()).anySatisfy(t -> assertThat(before).doesNotContain(t));
      assertThatThrownBy(auditor::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already started");
    }
  }

  @Test
  void aBuiltAuditorThatNeverStartedClosesQuietly() {
    Auditor auditor = Auditor.builder().setOtlpPort(0).setApiPort(0).build();
    auditor.close();
    assertThatThrownBy(auditor::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
