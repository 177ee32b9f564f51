// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.spec.FlowSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The tracelab auditor as a Testcontainers container (image {@value #DEFAULT_IMAGE} by default,
 * built by {@code compose/build-images.sh}), running {@code audit --listen}; {@link
 * TracelabAssertions} read it over its HTTP API.
 *
 * <pre>{@code
 * static final Network network = Network.newNetwork();
 * static final TracelabAuditorContainer auditor = new TracelabAuditorContainer()
 *     .withEntryPoints("frontend:SERVER").withNetwork(network);
 * // services in containers on `network`: OTEL_EXPORTER_OTLP_ENDPOINT=auditor.networkOtlpHttpEndpoint()
 * // services on the test's machine:        OTEL_EXPORTER_OTLP_ENDPOINT=auditor.otlpHttpEndpoint()
 * }</pre>
 *
 * <p>One container serves a test class: its report is not reset between tests (find requests by
 * trace id or correlation value, which stay exact).
 */
public final class TracelabAuditorContainer extends GenericContainer<TracelabAuditorContainer>
    implements TraceAuditor {

  /** The image when none is given: the local build of {@code lab-auditor/Dockerfile}. */
  public static final String DEFAULT_IMAGE = "tracelab/auditor:dev";

  /** The alias other containers on its network reach it by. */
  public static final String NETWORK_ALIAS = "tracelab-auditor";

  /** OTLP/HTTP port inside the container. */
  public static final int OTLP_HTTP_PORT = 4318;

  /** OTLP/gRPC port inside the container. */
  public static final int OTLP_GRPC_PORT = 4317;

  /** API port inside the container ({@code /api/report}, {@code /health}, {@code /metrics}). */
  public static final int API_PORT = 8090;

  private static final String SPEC_PATH = "/tmp/tracelab-spec.yaml";
  private final AuditorHttpApi api = new AuditorHttpApi(this::apiUrl);
  private List<String> entryPoints = List.of();
  private Path specFile;
  private String correlation;
  private Duration quietWindow = TracelabAuditor.DEFAULT_QUIET_WINDOW;
  private Judging judging;

  /** The auditor from {@value #DEFAULT_IMAGE}. */
  public TracelabAuditorContainer() {
    this(DockerImageName.parse(DEFAULT_IMAGE));
  }

  /** The auditor from another tag or registry of the {@code tracelab/auditor} image. */
  public TracelabAuditorContainer(String image) {
    this(DockerImageName.parse(image));
  }

  /** The auditor from another tag or registry of the {@code tracelab/auditor} image. */
  public TracelabAuditorContainer(DockerImageName image) {
    super(image);
    withExposedPorts(OTLP_HTTP_PORT, OTLP_GRPC_PORT, API_PORT);
    withNetworkAliases(NETWORK_ALIAS);
    waitingFor(
        Wait.forHttp("/health")
            .forPort(API_PORT)
            .forStatusCode(200)
            .withStartupTimeout(Duration.ofSeconds(90)));
  }

  /** The spans that may start a trace, {@code service[:KIND]} (e.g. {@code frontend:SERVER}). */
  public TracelabAuditorContainer withEntryPoints(String... entryPoints) {
    this.entryPoints = List.copyOf(Arrays.asList(entryPoints));
    return this;
  }

  /**
   * A flow spec file (YAML, docs/audit.md §3) instead of entry points; copied into the container.
   */
  public TracelabAuditorContainer withSpec(Path specFile) {
    this.specFile = Objects.requireNonNull(specFile, "specFile");
    return this;
  }

  /**
   * The span attribute one request carries on every span, with entry points ({@link
   * TracelabAuditor.Builder#setCorrelation}).
   */
  public TracelabAuditorContainer withCorrelation(String attribute) {
    this.correlation = Objects.requireNonNull(attribute, "attribute");
    return this;
  }

  /** How long a trace must be quiet before it is judged (default 1 s). */
  public TracelabAuditorContainer withQuietWindow(Duration quietWindow) {
    if (quietWindow.isNegative() || quietWindow.isZero()) {
      throw new IllegalArgumentException("the quiet window must be positive: " + quietWindow);
    }
    this.quietWindow = quietWindow;
    return this;
  }

  @Override
  protected void configure() {
    if (specFile != null && (!entryPoints.isEmpty() || correlation != null)) {
      throw new IllegalArgumentException(
          "a spec file states its entry points and correlation: give withSpec or withEntryPoints, not both");
    }
    judging =
        specFile != null
            ? Judging.specFile(specFile)
            : Judging.entryPoints(entryPoints, correlation);
    List<String> command = new ArrayList<>(List.of("audit", "--listen"));
    if (specFile != null) {
      withCopyFileToContainer(MountableFile.forHostPath(specFile, 0644), SPEC_PATH);
      command.addAll(List.of("--spec", SPEC_PATH));
    } else if (correlation != null) {
      withCopyToContainer(
          Transferable.of(judging.yaml().getBytes(StandardCharsets.UTF_8), 0644), SPEC_PATH);
      command.addAll(List.of("--spec", SPEC_PATH));
    } else {
      command.addAll(List.of("--entry", judging.entryArgument()));
    }
    command.addAll(List.of("--quiet-ms", Long.toString(quietWindow.toMillis())));
    setCommand(command.toArray(String[]::new));
  }

  @Override
  public String otlpHttpEndpoint() {
    return "http://" + getHost() + ":" + getMappedPort(OTLP_HTTP_PORT);
  }

  @Override
  public String otlpGrpcEndpoint() {
    return "http://" + getHost() + ":" + getMappedPort(OTLP_GRPC_PORT);
  }

  /**
   * The OTLP/HTTP base URL for containers on the same network: {@code
   * http://tracelab-auditor:4318}.
   */
  public String networkOtlpHttpEndpoint() {
    return "http://" + NETWORK_ALIAS + ":" + OTLP_HTTP_PORT;
  }

  /**
   * The OTLP/gRPC endpoint for containers on the same network: {@code
   * http://tracelab-auditor:4317}.
   */
  public String networkOtlpGrpcEndpoint() {
    return "http://" + NETWORK_ALIAS + ":" + OTLP_GRPC_PORT;
  }

  /** The base URL of the auditor's API from the test's machine. */
  public String apiUrl() {
    return "http://" + getHost() + ":" + getMappedPort(API_PORT);
  }

  @Override
  public FlowSpec spec() {
    if (judging == null) {
      throw new IllegalStateException("the container is not started");
    }
    return judging.spec();
  }

  @Override
  public AuditReport report() {
    return api.report();
  }

  @Override
  public Optional<AuditedTrace> trace(String traceId) {
    return api.trace(traceId);
  }

  @Override
  public List<AuditedTrace> tracesWith(String correlationValue) {
    Objects.requireNonNull(correlationValue, "correlationValue");
    return spec().correlation() == null ? List.of() : api.tracesWith(correlationValue);
  }

  @Override
  public int tracesInFlight() {
    return api.tracesInFlight();
  }
}
