// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.examples.agentapp;

import static dev.tracelab.testkit.TracelabAssertions.assertThat;
import static dev.tracelab.testkit.TracelabAssertions.byAttribute;

import dev.tracelab.testkit.TracelabAuditorContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.lifecycle.Startables;

/**
 * The same services in containers (this module's Dockerfile: the JRE image, the agent, the
 * classes), the auditor as a container on their network: a healthy pair and a pair whose callee
 * reads only B3. One auditor for the class, its report not reset between tests.
 */
@ExtendWith(ContainersAvailable.class)
class AgentAppContainerTest {

  static final String REQUEST_ID = "http.request.header.x-request-id";

  private static Network network;
  private static ImageFromDockerfile image;
  private static TracelabAuditorContainer auditor;
  private static GenericContainer<?> frontend;
  private static GenericContainer<?> frontendToB3;
  private static List<GenericContainer<?>> services;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    network = Network.newNetwork();
    auditor =
        new TracelabAuditorContainer(ContainersAvailable.AUDITOR_IMAGE)
            .withEntryPoints("frontend:SERVER")
            .withCorrelation(REQUEST_ID)
            .withNetwork(network);
    image =
        new ImageFromDockerfile("tracelab/example-agent-app", false)
            .withFileFromPath("Dockerfile", Path.of("Dockerfile"))
            .withFileFromPath(
                "target/agent/opentelemetry-javaagent.jar",
                Path.of(System.getProperty("example.javaagent")))
            .withFileFromPath("target/classes", Path.of("target/classes"));
    GenericContainer<?> customer = service(Customer.class, "customer", Map.of());
    GenericContainer<?> customerB3 =
        service(Customer.class, "customer-b3", Map.of("OTEL_PROPAGATORS", "b3"));
    frontend = service(Frontend.class, "frontend", Map.of("CUSTOMER_URL", "http://customer:8080"));
    frontendToB3 =
        service(Frontend.class, "frontend-b3", Map.of("CUSTOMER_URL", "http://customer-b3:8080"));
    services = List.of(customer, customerB3, frontend, frontendToB3);
    Startables.deepStart(Stream.concat(Stream.of(auditor), services.stream())).join();
  }

  /** A service container: its alias on the network; its service.name without the "-b3". */
  private static GenericContainer<?> service(Class<?> main, String alias, Map<String, String> env) {
    return new GenericContainer<>(image)
        .withCommand(main.getName())
        .withNetwork(network)
        .withNetworkAliases(alias)
        .withExposedPorts(8080)
        .withEnv("PORT", "8080")
        .withEnv("OTEL_SERVICE_NAME", alias.replace("-b3", ""))
        .withEnv("OTEL_EXPORTER_OTLP_ENDPOINT", auditor.networkOtlpHttpEndpoint())
        .withEnv("OTEL_TRACES_EXPORTER", "otlp")
        .withEnv("OTEL_METRICS_EXPORTER", "none")
        .withEnv("OTEL_LOGS_EXPORTER", "none")
        .withEnv("OTEL_BSP_SCHEDULE_DELAY", "100")
        .withEnv("OTEL_INSTRUMENTATION_HTTP_SERVER_CAPTURE_REQUEST_HEADERS", "X-Request-Id")
        .withEnv("OTEL_INSTRUMENTATION_HTTP_CLIENT_CAPTURE_REQUEST_HEADERS", "X-Request-Id")
        .withEnv(env)
        .dependsOn(auditor)
        .waitingFor(
            Wait.forLogMessage(".* listening on port 8080\\n", 1)
                .withStartupTimeout(Duration.ofSeconds(120)));
  }

  @AfterAll
  static void stop() {
    if (services != null) {
      services.forEach(GenericContainer::stop);
    }
    if (auditor != null) {
      auditor.stop();
    }
    if (network != null) {
      network.close();
    }
    if (image
        != null) { // the image built above; Testcontainers' reaper (Ryuk) would remove it, where it
      // runs
      DockerClientFactory.instance().client().removeImageCmd(image.get()).withForce(true).exec();
    }
  }

  @Test
  void oneRequestIsOneConnectedTraceOfThreeSpans() throws Exception {
    String requestId = dispatch(frontend);

    assertThat(auditor)
        .awaiting(Duration.ofSeconds(30))
        .request(byAttribute(REQUEST_ID, requestId))
        .isOneConnectedTrace()
        .hasSpanCount(3)
        .hasPath("frontend:SERVER", "frontend:CLIENT", "customer:SERVER");
  }

  @Test
  void aCalleeReadingOnlyB3IsTheBrokenEdgeFrontendToCustomer() throws Exception {
    String requestId = dispatch(frontendToB3);

    assertThat(auditor)
        .awaiting(Duration.ofSeconds(30))
        .request(byAttribute(REQUEST_ID, requestId))
        .hasTraceCount(2)
        .hasSpanCount(3);
    assertThat(auditor).hasBrokenEdge("frontend", "customer", 1);
  }

  private String dispatch(GenericContainer<?> frontend) throws Exception {
    String requestId = UUID.randomUUID().toString();
    URI url =
        URI.create(
            "http://" + frontend.getHost() + ":" + frontend.getMappedPort(8080) + "/dispatch?id=7");
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(url).header("X-Request-Id", requestId).build(),
            HttpResponse.BodyHandlers.ofString());
    org.assertj.core.api.Assertions.assertThat(response.statusCode()).isEqualTo(200);
    return requestId;
  }
}
