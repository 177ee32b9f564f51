// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.spec.FlowSpec;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A tracelab auditor that runs already — {@code audit --listen} in a Compose stack, a container
 * your own code starts, an auditor embedded in a test environment — read over its HTTP API ({@code
 * /api/report}, {@code /api/traces/{id}}, {@code /api/orders/{value}}, {@code /metrics}), so that
 * {@link TracelabAssertions} judge what it received. The kit does not start, reset or stop it.
 *
 * <pre>{@code
 * TraceAuditor auditor = TracelabAuditorClient.builder(URI.create("http://127.0.0.1:8090"))
 *     .setSpec(Path.of("shop.yaml"))       // the spec the auditor judges by
 *     .build();
 * assertThat(auditor).request(byAttribute("app.order_id", orderId)).matchesSpec();
 * }</pre>
 *
 * <p>Give it the flow spec (or the entry points and correlation attribute) the auditor runs with:
 * the kit reads requests by it, and the shape assertions ({@link RequestAssert#matchesSpec()})
 * compare with its spans.
 */
public final class TracelabAuditorClient implements TraceAuditor {

  private final URI apiUrl;
  private final Judging judging;
  private final String otlpHttpEndpoint;
  private final String otlpGrpcEndpoint;
  private final AuditorHttpApi api;

  private TracelabAuditorClient(
      URI apiUrl, Judging judging, String otlpHttpEndpoint, String otlpGrpcEndpoint) {
    this.apiUrl = apiUrl;
    this.judging = judging;
    this.otlpHttpEndpoint = otlpHttpEndpoint;
    this.otlpGrpcEndpoint = otlpGrpcEndpoint;
    String base = apiUrl.toString().replaceAll("/+$", "");
    this.api = new AuditorHttpApi(() -> base);
  }

  /**
   * A client of the auditor whose API answers at {@code apiUrl} (e.g. {@code
   * http://127.0.0.1:8090}).
   */
  public static Builder builder(URI apiUrl) {
    return new Builder(Objects.requireNonNull(apiUrl, "apiUrl"));
  }

  /** The base URL of the auditor's API. */
  public URI apiUrl() {
    return apiUrl;
  }

  /**
   * The OTLP/HTTP base URL given to the builder ({@link Builder#setOtlpEndpoints}).
   *
   * @throws IllegalStateException when none was given
   */
  @Override
  public String otlpHttpEndpoint() {
    if (otlpHttpEndpoint == null) {
      throw new IllegalStateException("no OTLP endpoint was given: Builder.setOtlpEndpoints");
    }
    return otlpHttpEndpoint;
  }

  /**
   * The OTLP/gRPC endpoint given to the builder ({@link Builder#setOtlpEndpoints}).
   *
   * @throws IllegalStateException when none was given
   */
  @Override
  public String otlpGrpcEndpoint() {
    if (otlpGrpcEndpoint == null) {
      throw new IllegalStateException("no OTLP/gRPC endpoint was given: Builder.setOtlpEndpoints");
    }
    return otlpGrpcEndpoint;
  }

  @Override
  public FlowSpec spec() {
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

  @Override
  public String toString() {
    return "TracelabAuditorClient[" + judging.describe() + ", API " + apiUrl + "]";
  }

  /** Builds a {@link TracelabAuditorClient}: the spec the auditor judges by, its endpoints. */
  public static final class Builder {

    private final URI apiUrl;
    private List<String> entryPoints = List.of();
    private String correlation;
    private Path specFile;
    private FlowSpec spec;
    private String otlpHttpEndpoint;
    private String otlpGrpcEndpoint;

    private Builder(URI apiUrl) {
      this.apiUrl = apiUrl;
    }

    /** The auditor's entry points, {@code service[:KIND]}; or a spec. */
    public Builder setEntryPoints(String... entryPoints) {
      this.entryPoints = List.copyOf(Arrays.asList(entryPoints));
      return this;
    }

    /** The auditor's correlation attribute, with entry points. */
    public Builder setCorrelation(String attribute) {
      this.correlation = Objects.requireNonNull(attribute, "attribute");
      return this;
    }

    /** The flow spec file the auditor runs with (YAML, docs/audit.md §3). */
    public Builder setSpec(Path specFile) {
      this.specFile = Objects.requireNonNull(specFile, "specFile");
      return this;
    }

    /** The flow spec the auditor runs with, as the auditor's model. */
    public Builder setSpec(FlowSpec spec) {
      this.spec = Objects.requireNonNull(spec, "spec");
      return this;
    }

    /** Where the services under test export (for {@link TraceAuditor#otlpHttpEndpoint()}). */
    public Builder setOtlpEndpoints(String otlpHttpEndpoint, String otlpGrpcEndpoint) {
      this.otlpHttpEndpoint = otlpHttpEndpoint;
      this.otlpGrpcEndpoint = otlpGrpcEndpoint;
      return this;
    }

    /**
     * The client.
     *
     * @throws IllegalArgumentException for a bad entry point or spec file, or more than one of
     *     entry points, a spec file and a spec
     */
    public TracelabAuditorClient build() {
      int given = (specFile != null ? 1 : 0) + (spec != null ? 1 : 0);
      if (given > 1 || (given == 1 && (!entryPoints.isEmpty() || correlation != null))) {
        throw new IllegalArgumentException(
            "a spec states its entry points and correlation: give one of setSpec(Path),"
                + " setSpec(FlowSpec) and setEntryPoints");
      }
      Judging judging =
          spec != null
              ? Judging.of(spec)
              : specFile != null
                  ? Judging.specFile(specFile)
                  : Judging.entryPoints(entryPoints, correlation);
      return new TracelabAuditorClient(apiUrl, judging, otlpHttpEndpoint, otlpGrpcEndpoint);
    }
  }
}
