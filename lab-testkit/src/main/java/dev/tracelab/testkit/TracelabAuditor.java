// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The tracelab auditor in the test's own JVM, as a JUnit 5 extension: started before the class's
 * tests, closed after them; before each test, a new run starts ({@link #reset()}), so the report a
 * test asserts on counts only the traces that test started.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TracelabAuditor auditor = TracelabAuditor.entry("frontend:SERVER");
 *
 * @Test
 * void oneRequestIsOneConnectedTrace() {
 *   // the services under test export to auditor.otlpHttpEndpoint()
 *   assertThat(auditor).request(byTraceId(traceId)).isOneConnectedTrace().hasSpanCount(4);
 * }
 * }</pre>
 *
 * <p>Outside JUnit: {@link #start()} and {@link #close()}. It listens on loopback, on free ports.
 */
public final class TracelabAuditor
    implements TraceAuditor,
        AutoCloseable,
        BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback {

  /** The quiet window when none is set: a trace is judged after 1 s without a new span of it. */
  public static final Duration DEFAULT_QUIET_WINDOW = Duration.ofSeconds(1);

  private final Judging judging;
  private final Duration quietWindow;
  private Auditor auditor; // guarded by this
  private String startedIn; // guarded by this: the unique id of the JUnit context that started it

  private TracelabAuditor(Judging judging, Duration quietWindow) {
    this.judging = judging;
    this.quietWindow = quietWindow;
  }

  /**
   * An auditor judging by entry points alone: every root span that none of them names is an orphan
   * root.
   *
   * @param entryPoints {@code service[:KIND]}, e.g. {@code frontend:SERVER}: the spans that may
   *     start a trace
   */
  public static TracelabAuditor entry(String... entryPoints) {
    return builder().setEntryPoints(entryPoints).build();
  }

  /** An auditor judging by a flow spec file (YAML, docs/audit.md §3). */
  public static TracelabAuditor spec(Path specFile) {
    return builder().setSpec(specFile).build();
  }

  /** A builder, for a correlation attribute or another quiet window. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the auditor on free loopback ports, unless it runs already.
   *
   * @return this auditor
   * @throws IllegalStateException when it was closed
   */
  public synchronized TracelabAuditor start() {
    if (auditor == null) {
      auditor =
          Auditor.builder()
              .setHost("127.0.0.1")
              .setOtlpPort(0)
              .setOtlpGrpcPort(0)
              .setApiPort(0)
              .setQuietWindow(quietWindow)
              .setAuditMode(judging.mode(), judging.spec())
              .start();
    } else if (!auditor.isStarted()) {
      throw new IllegalStateException("this TracelabAuditor was closed; create another");
    }
    return this;
  }

  /**
   * Starts a new run: from now on the report counts only traces whose first span arrives after this
   * call. Traces stay readable by id and by correlation value.
   */
  public void reset() {
    Auditor running = running();
    running.startRun(running.runSetup());
  }

  /** Stops the auditor; harmless when it never started or is closed already. */
  @Override
  public synchronized void close() {
    if (auditor != null) {
      auditor.close();
    }
  }

  @Override
  public String otlpHttpEndpoint() {
    return running().otlpEndpoint();
  }

  @Override
  public String otlpGrpcEndpoint() {
    return running().otlpGrpcEndpoint();
  }

  /**
   * The base URL of the auditor's JSON API ({@code /api/report}, {@code /metrics}), for a look by
   * hand.
   */
  public String apiUrl() {
    return running().apiUrl();
  }

  @Override
  public FlowSpec spec() {
    return judging.spec();
  }

  @Override
  public AuditReport report() {
    return running().auditReport();
  }

  @Override
  public Optional<AuditedTrace> trace(String traceId) {
    Objects.requireNonNull(traceId, "traceId");
    return Optional.ofNullable(running().assembler().trace(traceId.toLowerCase(Locale.ROOT)))
        .map(TracelabAuditor::audited);
  }

  @Override
  public List<AuditedTrace> tracesWith(String correlationValue) {
    Objects.requireNonNull(correlationValue, "correlationValue");
    if (judging.spec().correlation() == null) {
      return List.of();
    }
    return running().assembler().tracesOfOrder(correlationValue).stream()
        .map(TracelabAuditor::audited)
        .toList();
  }

  @Override
  public int tracesInFlight() {
    return running().assembler().tracesInFlight();
  }

  private synchronized Auditor running() {
    if (auditor == null || !auditor.isStarted()) {
      throw new IllegalStateException(
          auditor == null
              ? "the auditor is not started: register it with @RegisterExtension, or call start()"
              : "the auditor is closed");
    }
    return auditor;
  }

  private static AuditedTrace audited(AssembledTrace trace) {
    // closed is read first: the spans read after it are the judged ones
    boolean closed = trace.isClosed();
    return new AuditedTrace(
        trace.traceId(), closed, spans(trace.spans()), spans(trace.lateSpans()));
  }

  private static List<AuditedSpan> spans(List<ReceivedSpan> spans) {
    List<AuditedSpan> out = new ArrayList<>(spans.size());
    for (ReceivedSpan s : spans) {
      out.add(
          new AuditedSpan(
              s.traceId(),
              s.spanId(),
              s.parentSpanId(),
              s.service(),
              s.kind(),
              s.name(),
              s.error(),
              s.attributes(),
              s.links().stream().map(l -> new AuditedSpan.Link(l.traceId(), l.spanId())).toList()));
    }
    return out;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    startFor(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!startFor(context)) {
      reset();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    closeFor(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    closeFor(context);
  }

  /** Starts it for {@code context} unless it runs already; true when this call started it. */
  private synchronized boolean startFor(ExtensionContext context) {
    if (auditor != null && auditor.isStarted()) {
      return false;
    }
    start();
    startedIn = context.getUniqueId();
    return true;
  }

  /**
   * Closes it when {@code context} started it (a static field: the class; an instance field: the
   * test).
   */
  private synchronized void closeFor(ExtensionContext context) {
    if (context.getUniqueId().equals(startedIn)) {
      close();
    }
  }

  @Override
  public synchronized String toString() {
    return "TracelabAuditor["
        + judging.describe()
        + (auditor != null && auditor.isStarted() ? ", OTLP/HTTP " + auditor.otlpEndpoint() : "")
        + "]";
  }

  /** Builds a {@link TracelabAuditor}: entry points or a spec file, and optional settings. */
  public static final class Builder {

    private List<String> entryPoints = List.of();
    private Path specFile;
    private String correlation;
    private Duration quietWindow = DEFAULT_QUIET_WINDOW;

    private Builder() {}

    /** The spans that may start a trace, {@code service[:KIND]}; or {@link #setSpec}. */
    public Builder setEntryPoints(String... entryPoints) {
      this.entryPoints = List.copyOf(Arrays.asList(entryPoints));
      return this;
    }

    /** A flow spec file (YAML, docs/audit.md §3) instead of entry points. */
    public Builder setSpec(Path specFile) {
      this.specFile = Objects.requireNonNull(specFile, "specFile");
      return this;
    }

    /**
     * The span attribute one request carries on every span (e.g. {@code app.order_id}), with entry
     * points: requests are then found by it ({@link TracelabAssertions#byAttribute}) across trace
     * ids. A spec file states its own.
     */
    public Builder setCorrelation(String attribute) {
      this.correlation = Objects.requireNonNull(attribute, "attribute");
      return this;
    }

    /**
     * How long a trace must be quiet before it is judged (default 1 s): longer than the services'
     * export delay ({@code OTEL_BSP_SCHEDULE_DELAY}), or spans arrive late.
     */
    public Builder setQuietWindow(Duration quietWindow) {
      if (quietWindow.isNegative() || quietWindow.isZero()) {
        throw new IllegalArgumentException("the quiet window must be positive: " + quietWindow);
      }
      this.quietWindow = quietWindow;
      return this;
    }

    /**
     * An auditor, not started yet (the extension starts it, or {@link TracelabAuditor#start()}).
     *
     * @throws IllegalArgumentException for a bad entry point or spec file (the message names the
     *     file, the line and the field), or both a spec file and entry points
     */
    public TracelabAuditor build() {
      if (specFile != null && (!entryPoints.isEmpty() || correlation != null)) {
        throw new IllegalArgumentException(
            "a spec file states its entry points and correlation: give setSpec or setEntryPoints, not both");
      }
      Judging judging =
          specFile != null
              ? Judging.specFile(specFile)
              : Judging.entryPoints(entryPoints, correlation);
      return new TracelabAuditor(judging, quietWindow);
    }
  }
}
