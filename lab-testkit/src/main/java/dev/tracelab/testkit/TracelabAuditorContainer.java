package dev.tracelab.testkit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.spec.FlowSpec;
import io.opentelemetry.api.trace.SpanKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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
    try {
      return JSON.treeToValue(
          get("/api/report").orElseThrow(() -> new IllegalStateException("no /api/report")),
          AuditReport.class);
    } catch (IOException e) {
      throw new UncheckedIOException("the auditor's /api/report could not be read", e);
    }
  }

  @Override
  public Optional<AuditedTrace> trace(String traceId) {
    Objects.requireNonNull(traceId, "traceId");
    return get("/api/traces/" + pathSegment(traceId)).map(TracelabAuditorContainer::trace);
  }

  @Override
  public List<AuditedTrace> tracesWith(String correlationValue) {
    Objects.requireNonNull(correlationValue, "correlationValue");
    if (spec().correlation() == null) {
      return List.of();
    }
    List<AuditedTrace> traces = new ArrayList<>();
    get("/api/orders/" + pathSegment(correlationValue))
        .ifPresent(order -> order.path("traces").forEach(t -> traces.add(trace(t))));
    return traces;
  }

  @Override
  public int tracesInFlight() {
    String metrics = send("/metrics").body();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("tracelab_traces_in_flight ")) {
        // a gauge: the Prometheus writer prints it as a double (3.0)
        return (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
      }
    }
    throw new IllegalStateException("the auditor's /metrics has no tracelab_traces_in_flight");
  }

  /** A JSON answer of the API; empty on 404. */
  private Optional<JsonNode> get(String path) {
    HttpResponse<String> response = send(path);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(response.body()));
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " answered no JSON", e);
    }
  }

  private HttpResponse<String> send(String path) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(apiUrl() + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (response.statusCode() != 200 && response.statusCode() != 404) {
        throw new IllegalStateException(
            "GET " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the auditor", e);
    }
  }

  /** Percent-encodes everything but RFC 3986's unreserved characters. */
  private static String pathSegment(String value) {
    StringBuilder sb = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-._~".indexOf(c) >= 0) {
        sb.append(c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  private static AuditedTrace trace(JsonNode t) {
    return new AuditedTrace(
        t.path("traceId").asText(),
        t.path("closed").asBoolean(),
        spans(t.path("spans")),
        spans(t.path("lateSpans")));
  }

  private static List<AuditedSpan> spans(JsonNode spans) {
    List<AuditedSpan> out = new ArrayList<>();
    for (JsonNode s : spans) {
      Map<String, String> attributes = new LinkedHashMap<>();
      s.path("attributes")
          .fields()
          .forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
      JsonNode parent = s.path("parentSpanId");
      out.add(
          new AuditedSpan(
              s.path("traceId").asText(),
              s.path("spanId").asText(),
              parent.isTextual() ? parent.asText() : null,
              s.path("service").asText(),
              SpanKind.valueOf(s.path("kind").asText()),
              s.path("name").asText(),
              "ERROR".equals(s.path("status").asText()),
              attributes));
    }
    return out;
  }
}
