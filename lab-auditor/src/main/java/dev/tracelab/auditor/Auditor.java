// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import com.google.protobuf.util.JsonFormat;
import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.OrphanRules;
import dev.tracelab.auditor.orphans.RunSetup;
import dev.tracelab.auditor.orphans.RunStats;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.otlp.OtlpDecoder;
import dev.tracelab.auditor.otlp.OtlpDecoder.MalformedOtlpException;
import dev.tracelab.auditor.room.Room;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.auditor.trace.ServiceLabels;
import dev.tracelab.auditor.trace.TraceAssembler;
import dev.tracelab.http.Problem;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The orphan auditor: receives OTLP/HTTP ({@code POST /v1/traces}, protobuf or JSON, gzip accepted)
 * from any number of services, assembles traces, and serves what it measured: {@code GET
 * /api/traces/{id}}, {@code GET /api/orders/{id}}, {@code GET /api/report}, {@code GET /metrics}
 * (Prometheus text).
 *
 * <pre>{@code
 * try (Auditor auditor = Auditor.builder().setOtlpPort(0).setApiPort(0).build()) {
 *   auditor.start();                          // binds the ports (builder().start() does both)
 *   String endpoint = auditor.otlpEndpoint(); // give this to the services' OTLP exporters
 * }
 * }</pre>
 */
public final class Auditor implements AutoCloseable {

  private final TraceAssembler assembler;
  private final RunStats run;
  private final Room room = new Room(MAX_LEARNERS);

  /** Learners the room view tracks at most (a workshop room, not an unbounded label set). */
  static final int MAX_LEARNERS = 500;

  private final Javalin otlp;
  private final Javalin api;
  private final long sweepPeriodMillis;
  private final AtomicLong acceptedRequests = new AtomicLong();
  private final AtomicLong rejectedRequests = new AtomicLong();
  private final AtomicLong rejectedSpans = new AtomicLong();
  private final int maxBodyBytes;
  private final int maxApiSpans;
  private final int maxTraces;
  private final AtomicLong truncatedAnswers = new AtomicLong();
  private final int maxInflatedBytes;
  private final MemoryBudget memory;
  private final List<Consumer<List<ReceivedSpan>>> spanListeners;
  private final dev.tracelab.auditor.otlp.OtlpGrpcServer grpc; // null: no OTLP/gRPC intake

  /**
   * Estimated heap per decoded byte: buffer growth and copy, the parsed request, the spans built
   * from it (measured with scripts/memory-attack.sh).
   */
  static final int PROTOBUF_DECODE_FACTOR = 4;

  /** JSON is decoded through a tree and a rewritten copy before the request is parsed. */
  static final int JSON_DECODE_FACTOR = 6;

  static final int RETRY_AFTER_SECONDS = 1;
  private final String host;
  private final String mode;
  private final int otlpPort;
  private final int apiPort;
  private ScheduledExecutorService sweeper; // guarded by this
  private boolean started; // guarded by this
  private boolean closed; // guarded by this

  /** Wires the parts; binds nothing and starts no thread (that is {@link #start()}). */
  private Auditor(Builder b) {
    this.maxBodyBytes = b.maxBodyBytes;
    this.spanListeners = List.copyOf(b.spanListeners);
    this.grpc =
        b.otlpGrpcPort < 0
            ? null
            : dev.tracelab.auditor.otlp.OtlpGrpcServer.builder()
                .setHost(b.host)
                .setPort(b.otlpGrpcPort)
                .setMaxMessageBytes(
                    b.maxInflatedBytes > 0 ? b.maxInflatedBytes : b.maxBodyBytes * 4)
                .setRetryDelay(Duration.ofSeconds(RETRY_AFTER_SECONDS))
                .setHandler(this::export)
                .build();
    this.maxTraces = b.maxTraces;
    this.maxInflatedBytes = b.maxInflatedBytes > 0 ? b.maxInflatedBytes : b.maxBodyBytes * 4;
    long worst = worstRequestBytes(maxBodyBytes, maxInflatedBytes);
    long budget =
        b.maxInFlightBytes > 0
            ? b.maxInFlightBytes
            : defaultMemoryBudget(worst, Runtime.getRuntime().maxMemory());
    if (budget < worst || budget > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "memory budget for requests in flight must hold one request of the largest size ("
              + worst
              + " bytes) and stay under 2 GiB: "
              + budget);
    }
    this.memory = new MemoryBudget((int) budget);
    this.host = b.host;
    this.otlpPort = b.otlpPort;
    this.apiPort = b.apiPort;
    RunSetup initial = b.initialSetup != null ? b.initialSetup : LabFlowSpecs.DEFAULT;
    ServiceLabels labels = new ServiceLabels(b.maxServiceLabels, initial.spec().services());
    this.maxApiSpans = b.maxApiSpans;
    this.assembler =
        TraceAssembler.builder()
            .setMaxSpansPerTrace(b.maxSpansPerTrace)
            .setMaxLateSpansPerTrace(b.maxLateSpansPerTrace)
            .setServiceLabels(labels)
            .setQuietWindow(b.quietWindow)
            .setMaxTraces(b.maxTraces)
            .setMaxClosedTraces(b.maxClosedTraces)
            .setSpec(initial.spec())
            .build();
    // one direction: the assembler's close events feed the run; the run never reads the assembler
    this.run = new RunStats(new OrphanRules(b.entryPoints), labels, initial, b.skew, b.maxLag);
    this.mode = b.mode;
    assembler.onClose(run::add);
    assembler.onClose(room::add);
    for (Consumer<AssembledTrace> listener : b.closeListeners) {
      assembler.onClose(closedTrace -> listener.accept(closedTrace.trace()));
    }
    this.sweepPeriodMillis = Math.max(10, Math.min(100, b.quietWindow.toMillis() / 10));

    this.otlp =
        Javalin.create(
            cfg -> {
              cfg.showJavalinBanner = false;
              cfg.http.maxRequestSize = maxBodyBytes; // the body is read by ingest, bounded
            });
    otlp.post("/v1/traces", this::ingest);
    otlp.get("/health", ctx -> ctx.json(Map.of("status", "UP")));
    this.api = Javalin.create(cfg -> cfg.showJavalinBanner = false);
    new AuditorApi(this).register(api);
    for (Javalin app : List.of(otlp, api)) {
      app.error(
          404,
          ctx -> {
            if (!Problem.CONTENT_TYPE.equals(ctx.res().getContentType())) {
              Problem.of(404, "Not Found", "no route " + ctx.method() + " " + ctx.path())
                  .writeTo(ctx);
            }
          });
    }
  }

  /**
   * Binds the OTLP and API ports and starts sweeping quiet traces. Once only; on failure (e.g. a
   * port in use) whatever started is stopped again.
   *
   * @return this auditor, started
   */
  public synchronized Auditor start() {
    if (started || closed) {
      throw new IllegalStateException(closed ? "auditor closed" : "auditor already started");
    }
    started = true;
    try {
      otlp.start(host, otlpPort);
      if (grpc != null) {
        grpc.start();
      }
      api.start(host, apiPort);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "auditor-sweeper");
              t.setDaemon(true);
              return t;
            });
    sweeper.scheduleWithFixedDelay(
        assembler::sweep, sweepPeriodMillis, sweepPeriodMillis, TimeUnit.MILLISECONDS);
    return this;
  }

  public synchronized boolean isStarted() {
    return started && !closed;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What the largest admissible request holds: compressed body, inflated body, decoded spans. */
  /**
   * The budget when none is set: a quarter of the heap, at least one worst-case request, at most
   * what the budget counts (2 GiB; a large heap, e.g. a container's percentage of a big machine,
   * must not stop the auditor from starting).
   */
  static long defaultMemoryBudget(long worstRequestBytes, long maxHeapBytes) {
    return Math.min(Integer.MAX_VALUE, Math.max(worstRequestBytes, maxHeapBytes / 4));
  }

  static long worstRequestBytes(int maxBodyBytes, int maxInflatedBytes) {
    return (long) maxBodyBytes + (long) maxInflatedBytes * (1 + JSON_DECODE_FACTOR);
  }

  private void ingest(Context ctx) {
    boolean json = isJson(ctx.contentType());
    if (!json && !isProtobuf(ctx.contentType())) {
      // RFC 9110 / OTLP/HTTP: an encoding the receiver does not take is 415, not a malformed body
      rejectedRequests.incrementAndGet();
      Problem.of(
              415,
              "Unsupported Media Type",
              "Content-Type must be application/x-protobuf or application/json, was "
                  + (ctx.contentType() == null ? "none" : ctx.contentType()))
          .writeTo(ctx);
      return;
    }
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBodyBytes) {
      reject(ctx, "body larger than " + maxBodyBytes + " bytes");
      return;
    }
    String encoding = ctx.header("Content-Encoding");
    boolean gzip = encoding != null && encoding.equalsIgnoreCase("gzip");
    try (MemoryBudget.Lease lease = memory.lease()) {
      // the compressed body first (its declared length, or the most a chunked body may be)
      if (!lease.grow(declared >= 0 ? declared : maxBodyBytes)) {
        refuse(ctx);
        return;
      }
      OtlpDecoder.Decoded decoded;
      try {
        byte[] body = readBody(ctx);
        body = OtlpDecoder.inflate(body, gzip, maxInflatedBytes, lease::grow);
        // the decoded request and its spans, estimated from the size of what is decoded
        if (!lease.grow(
            (long) body.length * (json ? JSON_DECODE_FACTOR : PROTOBUF_DECODE_FACTOR))) {
          refuse(ctx);
          return;
        }
        decoded =
            json ? OtlpDecoder.decodeJsonRequest(body) : OtlpDecoder.decodeProtobufRequest(body);
      } catch (OtlpDecoder.OverBudgetException e) {
        refuse(ctx);
        return;
      } catch (MalformedOtlpException e) {
        reject(ctx, e.getMessage());
        return;
      }
      for (Consumer<List<ReceivedSpan>> listener : spanListeners) {
        listener.accept(decoded.spans());
      }
      assembler.accept(decoded.spans());
      acceptedRequests.incrementAndGet();
      rejectedSpans.addAndGet(decoded.rejectedSpans());
      answer(ctx, decoded);
    }
  }

  /**
   * OTLP/gRPC {@code Export}: the same path as OTLP/HTTP once the request is parsed: the memory
   * budget (RESOURCE_EXHAUSTED with RetryInfo when full), the span listeners, the assembler, the
   * partial success.
   */
  private ExportTraceServiceResponse export(
      io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest request)
      throws dev.tracelab.auditor.otlp.OtlpRejection {
    try (MemoryBudget.Lease lease = memory.lease()) {
      if (!lease.grow((long) request.getSerializedSize() * PROTOBUF_DECODE_FACTOR)) {
        throw new dev.tracelab.auditor.otlp.OtlpRejection(
            dev.tracelab.auditor.otlp.OtlpRejection.Kind.OVERLOADED,
            "the auditor's memory budget for requests in flight ("
                + memory.limitBytes()
                + " bytes) is full; retry after "
                + RETRY_AFTER_SECONDS
                + " s");
      }
      OtlpDecoder.Decoded decoded = OtlpDecoder.decodeRequest(request);
      for (Consumer<List<ReceivedSpan>> listener : spanListeners) {
        listener.accept(decoded.spans());
      }
      assembler.accept(decoded.spans());
      acceptedRequests.incrementAndGet();
      rejectedSpans.addAndGet(decoded.rejectedSpans());
      return decoded.response();
    }
  }

  /** The media type parsed, never prefix-matched ({@code application/jsonx} is not JSON). */
  static boolean isJson(String contentType) {
    return contentType != null
        && dev.tracelab.http.JsonMediaType.unsupported(contentType).isEmpty();
  }

  /** {@code application/x-protobuf}, any case, with parameters or none. */
  static boolean isProtobuf(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    return type.equalsIgnoreCase("application/x-protobuf");
  }

  /** Reads at most {@code maxBodyBytes} (a chunked body may not say its length up front). */
  private byte[] readBody(Context ctx) {
    try {
      byte[] body = ctx.req().getInputStream().readNBytes(maxBodyBytes + 1);
      if (body.length > maxBodyBytes) {
        throw new MalformedOtlpException("body larger than " + maxBodyBytes + " bytes");
      }
      return body;
    } catch (java.io.IOException e) {
      throw new MalformedOtlpException("body could not be read: " + e.getMessage());
    }
  }

  private void reject(Context ctx, String detail) {
    rejectedRequests.incrementAndGet();
    Problem.badRequest(detail, List.of()).writeTo(ctx);
  }

  /** 429 + Retry-After: retryable for every OTLP exporter, which backs off and sends it again. */
  private void refuse(Context ctx) {
    ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    Problem.of(
            429,
            "Too Many Requests",
            "the auditor's memory budget for requests in flight ("
                + memory.limitBytes()
                + " bytes) is full; retry after "
                + RETRY_AFTER_SECONDS
                + " s")
        .writeTo(ctx);
  }

  /**
   * 200 with an ExportTraceServiceResponse in the request's encoding: empty when every span was
   * taken, else its {@code partial_success} says how many spans were rejected and why.
   */
  private static void answer(Context ctx, OtlpDecoder.Decoded decoded) {
    ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
    if (decoded.partial()) {
      response.setPartialSuccess(
          ExportTracePartialSuccess.newBuilder()
              .setRejectedSpans(decoded.rejectedSpans())
              .setErrorMessage(decoded.errorMessage()));
    }
    if (isJson(ctx.contentType())) {
      try {
        ctx.contentType("application/json")
            .result(JsonFormat.printer().omittingInsignificantWhitespace().print(response));
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException(e); // a response of known fields always prints
      }
    } else {
      ctx.contentType("application/x-protobuf").result(response.build().toByteArray());
    }
  }

  /**
   * Base URL for the services' OTLP/HTTP exporters ({@code OTEL_EXPORTER_OTLP_ENDPOINT}); once
   * started.
   */
  public String otlpEndpoint() {
    requireStarted();
    return "http://" + loopbackIfAny() + ":" + otlp.port();
  }

  /** The OTLP/gRPC endpoint ({@code http://host:port}), once started; null without gRPC intake. */
  public String otlpGrpcEndpoint() {
    requireStarted();
    return grpc == null ? null : "http://" + loopbackIfAny() + ":" + grpc.port();
  }

  /** Base URL of the JSON API and {@code /metrics}; once started. */
  public String apiUrl() {
    requireStarted();
    return "http://" + loopbackIfAny() + ":" + api.port();
  }

  private synchronized void requireStarted() {
    if (!started) {
      throw new IllegalStateException("auditor not started: call start() first");
    }
  }

  private String loopbackIfAny() {
    return host.equals("0.0.0.0") ? "127.0.0.1" : host;
  }

  public TraceAssembler assembler() {
    return assembler;
  }

  /**
   * Starts a new run: figures in {@link #report()} count only traces that begin from now on (a
   * trace of the previous run still open keeps out of it, wherever it closes).
   */
  public void startRun(String name, Map<String, String> variants) {
    startRun(run.setup().named(name, variants));
  }

  /**
   * Starts a new run of {@code setup}'s implementations and propagators: the expected shape, the
   * fix files and the propagator diagnosis follow it.
   */
  public void startRun(RunSetup setup) {
    assembler.expect(setup.spec());
    run.reset(assembler.now(), setup);
  }

  /**
   * The generic report of docs/design.md §11.4 for the current run, when the auditor runs in audit
   * mode ({@link Builder#setAuditMode}); null for a lab auditor.
   */
  public AuditReport auditReport() {
    return auditReport(false);
  }

  /**
   * {@link #auditReport()}, with the pairing's pending ends when asked (what {@code audit merge}
   * reads).
   */
  public AuditReport auditReport(boolean pending) {
    return mode == null ? null : run.auditReport(mode, pending);
  }

  /**
   * The current run as the generic report of docs/design.md §11.4, in audit mode or not ({@code GET
   * /api/report?format=audit}: a lab auditor's run as the test kit reads it).
   */
  public AuditReport genericReport() {
    return run.auditReport(mode == null ? "spec" : mode, false);
  }

  /** The broken edges of the current run (docs/design.md §11.3). */
  public List<dev.tracelab.auditor.orphans.BrokenEdge> brokenEdges() {
    return run.brokenEdges();
  }

  /** {@code entry} or {@code spec} in audit mode; null for a lab auditor. */
  public String auditMode() {
    return mode;
  }

  /**
   * Closes every open trace now, as if its quiet window had passed, and settles the pairs only time
   * supports (the input has ended: a file has no more spans, a live auditor stops).
   */
  public void closeAll() {
    assembler.closeAll();
    run.settleAll();
  }

  /** What the current run is. */
  public RunSetup runSetup() {
    return run.setup();
  }

  /** The current run as a scenario object (docs/design.md §5). */
  public ScenarioReport report() {
    return run.report();
  }

  /** The current run's per-service figures (cheap: for /metrics). */
  public Map<String, ScenarioReport.ServiceFigures> serviceFigures() {
    return run.serviceFigures();
  }

  /** Requests of the current run joined by links along the flow (for /metrics). */
  public long linkedRequests() {
    return run.linkedRequests();
  }

  public long rejectedRequests() {
    return rejectedRequests.get();
  }

  /** Spans left out of accepted requests for invalid ids (answered as OTLP partial success). */
  public long rejectedSpans() {
    return rejectedSpans.get();
  }

  /** Most spans (and late spans) an API answer lists per trace. */
  int maxApiSpans() {
    return maxApiSpans;
  }

  /** Counts an API answer that listed fewer spans than its trace holds. */
  void truncatedAnswer() {
    truncatedAnswers.incrementAndGet();
  }

  /** API answers (trace or order) truncated at the cap on spans per answer. */
  public long truncatedAnswers() {
    return truncatedAnswers.get();
  }

  /**
   * Each cap with its limit and how often it was hit, for {@code /metrics} and {@code /api/stats}:
   * {@code spans_per_trace} (spans dropped), {@code late_spans_per_trace} (late spans not kept),
   * {@code service_labels} (spans counted under {@code other}), {@code api_spans} (answers
   * truncated), {@code memory_in_flight} (requests refused 429), {@code traces_in_flight} (traces
   * evicted).
   */
  public Map<String, CapFigures> caps() {
    Map<String, CapFigures> caps = new LinkedHashMap<>();
    caps.put(
        "spans_per_trace", new CapFigures(assembler.maxSpansPerTrace(), assembler.droppedSpans()));
    caps.put(
        "late_spans_per_trace",
        new CapFigures(assembler.maxLateSpansPerTrace(), assembler.droppedLateSpans()));
    caps.put(
        "service_labels", new CapFigures(assembler.labels().max(), assembler.foldedLabelSpans()));
    caps.put("api_spans", new CapFigures(maxApiSpans, truncatedAnswers.get()));
    caps.put("memory_in_flight", new CapFigures(memory.limitBytes(), memory.refusals()));
    caps.put("traces_in_flight", new CapFigures(maxTraces, assembler.evictedTraces()));
    return caps;
  }

  /** A cap's limit and how many times it was hit. */
  public record CapFigures(long limit, long hits) {}

  /** Requests answered 429 because the memory budget for requests in flight was full. */
  public long refusedRequests() {
    return memory.refusals();
  }

  /** Bytes held by requests being ingested right now (0 when idle). */
  public long inFlightBytes() {
    return memory.inFlightBytes();
  }

  public long maxInFlightBytes() {
    return memory.limitBytes();
  }

  public long acceptedRequests() {
    return acceptedRequests.get();
  }

  /** The traces (fragments) of one order, as the API returns them. */
  /** The workshop room view: per learner, which boundaries their requests carried. */
  public Room room() {
    return room;
  }

  public List<AssembledTrace> tracesOfOrder(String orderId) {
    return new ArrayList<>(assembler.tracesOfOrder(orderId));
  }

  /** Stops what {@link #start()} started; harmless when never started or already closed. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    if (grpc != null) {
      grpc.close();
    }
    if (started) {
      for (Javalin app : List.of(otlp, api)) {
        try {
          app.stop();
        } catch (RuntimeException e) {
          // one that failed to start has nothing to stop
        }
      }
    }
  }

  public static final class Builder {
    private String host = "127.0.0.1";
    private int otlpPort = 4318;
    private int apiPort = 8090;
    private Duration quietWindow = Duration.ofSeconds(2);
    private int maxTraces = 100_000;
    private int maxClosedTraces = 200_000;
    private int maxBodyBytes = 8 * 1024 * 1024;
    private int maxInflatedBytes; // 0: 4 x maxBodyBytes
    private long maxInFlightBytes; // 0: a quarter of the heap, at least one largest request
    private int maxSpansPerTrace = 10_000;
    private int maxLateSpansPerTrace = 1_000;
    private int maxServiceLabels = ServiceLabels.DEFAULT_MAX;
    private int maxApiSpans = 1_000;

    /**
     * Most spans one trace holds; later new spans of it are dropped and counted (default 10 000).
     */
    public Builder setMaxSpansPerTrace(int max) {
      this.maxSpansPerTrace = max;
      return this;
    }

    /**
     * Most late spans a closed trace keeps; later ones are counted late, not kept (default 1 000).
     */
    public Builder setMaxLateSpansPerTrace(int max) {
      this.maxLateSpansPerTrace = max;
      return this;
    }

    /**
     * Most distinct {@code service} label values on {@code /metrics} and in the report, the lab's
     * three services included (default 50); spans of later services count under {@code other}.
     */
    public Builder setMaxServiceLabels(int max) {
      this.maxServiceLabels = max;
      return this;
    }

    /**
     * Most spans (and late spans) one API answer lists per trace; more: truncated, flagged (default
     * 1 000).
     */
    public Builder setMaxApiSpans(int max) {
      this.maxApiSpans = Math.max(1, max);
      return this;
    }

    private Set<String> entryPoints = Set.of(); // the run's flow names its entry point
    private RunSetup initialSetup;
    private int otlpGrpcPort = -1;

    /** Also receive OTLP/gRPC on {@code port} (0: any free port); without it, OTLP/HTTP only. */
    public Builder setOtlpGrpcPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("OTLP/gRPC port must be 0-65535: " + port);
      }
      this.otlpGrpcPort = port;
      return this;
    }

    private final List<Consumer<List<ReceivedSpan>>> spanListeners = new ArrayList<>();

    /**
     * Called with the spans of every accepted OTLP request, before they are assembled (e.g. {@code
     * --dump-spans}); on the ingesting thread, so it must be quick and thread-safe.
     */
    public Builder addSpanListener(Consumer<List<ReceivedSpan>> listener) {
      spanListeners.add(listener);
      return this;
    }

    private Duration skew = RunStats.DEFAULT_SKEW;
    private Duration maxLag = RunStats.DEFAULT_MAX_LAG;
    private String mode;

    /**
     * Audit mode (docs/design.md §11): judge by {@code spec} ({@code "spec"}) or, for a spec built
     * from {@code --entry} alone, {@code "entry"}; {@code GET /api/report} answers the generic
     * report.
     */
    public Builder setAuditMode(String mode, dev.tracelab.auditor.spec.FlowSpec spec) {
      this.mode = mode;
      this.initialSetup = RunSetup.of(mode, spec);
      return this;
    }

    /** Clock skew tolerated between hosts when pairing broken edges (default 100 ms). */
    public Builder setSkew(Duration skew) {
      this.skew = skew;
      return this;
    }

    /** The longest a message may wait for its consumer and still pair (default 10 min). */
    public Builder setMaxLag(Duration maxLag) {
      this.maxLag = maxLag;
      return this;
    }

    private final List<Consumer<AssembledTrace>> closeListeners = new ArrayList<>();

    public Builder setHost(String host) {
      this.host = host;
      return this;
    }

    /** 0 picks a free port. */
    public Builder setOtlpPort(int port) {
      this.otlpPort = port;
      return this;
    }

    /** 0 picks a free port. */
    public Builder setApiPort(int port) {
      this.apiPort = port;
      return this;
    }

    /** A trace closes when none of its spans arrived for this long (lab default 2 s). */
    public Builder setQuietWindow(Duration quietWindow) {
      this.quietWindow = quietWindow;
      return this;
    }

    /** Cap on traces in flight (like the collector's num_traces). */
    public Builder setMaxTraces(int maxTraces) {
      this.maxTraces = maxTraces;
      return this;
    }

    public Builder setMaxClosedTraces(int maxClosedTraces) {
      this.maxClosedTraces = maxClosedTraces;
      return this;
    }

    public Builder setMaxBodyBytes(int maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /**
     * Most bytes a gzip body may inflate to (default 4 x the body limit: 32 MiB); more is a 400.
     */
    public Builder setMaxInflatedBytes(int maxInflatedBytes) {
      this.maxInflatedBytes = maxInflatedBytes;
      return this;
    }

    /**
     * The memory ceiling for OTLP requests being ingested: compressed, inflated and decoded bytes
     * of every request in flight together; a request that does not fit is answered 429 with {@code
     * Retry-After}. Default a quarter of the heap; it must hold one request of the largest size
     * ({@code maxBody + 7 x maxInflated}).
     */
    public Builder setMaxInFlightBytes(long maxInFlightBytes) {
      this.maxInFlightBytes = maxInFlightBytes;
      return this;
    }

    /**
     * What the auditor assumes from the start, before anyone starts a run (default {@link
     * RunSetup#DEFAULT}: the all-Java flow): e.g. a run through the mesh sidecar.
     */
    public Builder setInitialRun(RunSetup setup) {
      this.initialSetup = setup;
      return this;
    }

    /**
     * Spans allowed to be roots besides the first span of the run's flow, as {@code service:KIND};
     * default none (the flow's first span: the gateway's SERVER span, or the page's CLIENT span
     * when requests start in the browser).
     */
    public Builder setEntryPoints(Set<String> entryPoints) {
      this.entryPoints = Set.copyOf(entryPoints);
      return this;
    }

    /** Hears each trace as it closes (on the ingesting or sweeping thread). */
    public Builder addCloseListener(Consumer<AssembledTrace> listener) {
      closeListeners.add(listener);
      return this;
    }

    /** A wired auditor, not yet listening: {@link Auditor#start()} binds its ports. */
    public Auditor build() {
      return new Auditor(this);
    }

    /** Shorthand for {@code build().start()}. */
    public Auditor start() {
      return build().start();
    }
  }
}
