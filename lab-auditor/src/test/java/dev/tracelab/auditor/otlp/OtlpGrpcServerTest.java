// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.Durations;
import com.google.rpc.RetryInfo;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.grpc.CallOptions;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OTLP/gRPC intake over real loopback connections: the OpenTelemetry Java SDK's own {@link
 * OtlpGrpcSpanExporter} (an OkHttp-based gRPC client, not grpc-java) for what an instrumented
 * service sends, and a raw grpc-java channel for the exact statuses.
 */
class OtlpGrpcServerTest {

  private static final String SERVICE = "checkout-svc";
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** The exporter retries fast, so a retry (or the lack of one) shows within the test. */
  private static final RetryPolicy FAST_RETRY =
      RetryPolicy.builder().setMaxAttempts(3).setInitialBackoff(Duration.ofMillis(10)).build();

  /** Export on the wire with a request of raw bytes, for requests that are no protobuf. */
  private static final MethodDescriptor<byte[], ExportTraceServiceResponse> RAW_EXPORT =
      TraceServiceGrpc.getExportMethod().toBuilder(
              new RawBytes(), TraceServiceGrpc.getExportMethod().getResponseMarshaller())
          .build();

  private final List<ExportTraceServiceRequest> received = new CopyOnWriteArrayList<>();
  private final List<Thread> handlerThreads = new CopyOnWriteArrayList<>();
  private final CapturedLogs serverLogs = new CapturedLogs("io.grpc", "dev.tracelab");
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private OtlpGrpcServer server;
  private ManagedChannel channel;

  @BeforeEach
  void captureServerLogs() {
    serverLogs.attach();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    serverLogs.detach();
  }

  @ParameterizedTest(name = "compression {0}")
  @ValueSource(strings = {"none", "gzip"})
  void exporterDeliversExactlyTheSpansItEnded(String compression) {
    start(OtlpGrpcServer.builder().setHandler(this::take));
    // the processor owns the exporter: closing the provider shuts both down
    SdkTracerProvider tracing =
        tracing(SimpleSpanProcessor.create(newExporter(b -> b.setCompression(compression))));
    Tracer tracer = tracing.get("otlp-grpc-test");

    Span root = tracer.spanBuilder("GET /checkout").setSpanKind(SpanKind.SERVER).startSpan();
    Context inRoot = Context.root().with(root);
    Span stock = tracer.spanBuilder("reserve stock").setParent(inRoot).startSpan();
    stock.end();
    Span pay =
        tracer.spanBuilder("POST /pay").setParent(inRoot).setSpanKind(SpanKind.CLIENT).startSpan();
    pay.end();
    root.end();

    // SimpleSpanProcessor exports each span as it ends; the flush succeeds once every export did
    assertThat(tracing.forceFlush().join(WAIT.toSeconds(), TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(received).hasSize(3);
    String trace = root.getSpanContext().getTraceId();
    String rootId = root.getSpanContext().getSpanId();
    assertThat(receivedSpans()) // three requests on concurrent streams: in any order
        .containsExactlyInAnyOrder(
            new Seen(
                trace,
                stock.getSpanContext().getSpanId(),
                rootId,
                SERVICE,
                "reserve stock",
                SpanKind.INTERNAL),
            new Seen(
                trace,
                pay.getSpanContext().getSpanId(),
                rootId,
                SERVICE,
                "POST /pay",
                SpanKind.CLIENT),
            new Seen(trace, rootId, null, SERVICE, "GET /checkout", SpanKind.SERVER));
    assertThat(handlerThreads)
        .allSatisfy(
            t -> {
              assertThat(t.getName()).startsWith("otlp-grpc-");
              assertThat(t.isDaemon()).isTrue();
            });
  }

  @Test
  void exporterGzipReachesTheServerCompressed() {
    start(OtlpGrpcServer.builder().setMaxMessageBytes(4096).setHandler(this::take));
    OtlpGrpcSpanExporter exporter = exporter(b -> b.setCompression("gzip"));

    // a few hundred bytes on the wire, past the limit once inflated: only a compressed message
    // is refused with the message of the decompressing path
    CompletableResultCode result =
        exporter.export(endedSpans("x".repeat(8192))).join(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(result.isSuccess()).isFalse();
    assertThat(result.getFailureThrowable())
        .isInstanceOfSatisfying(
            FailedExportException.GrpcExportException.class,
            failure -> {
              assertThat(failure.getResponse().getStatusCode())
                  .isEqualTo(GrpcStatusCode.RESOURCE_EXHAUSTED);
              assertThat(failure.getResponse().getStatusDescription())
                  .isEqualTo("Decompressed gRPC message exceeds maximum size 4096");
            });
    assertThat(received).isEmpty();
  }

  @Test
  void malformedRejectionFailsTheExportOnceWithInvalidArgumentAndLogsNothing() {
    start(
        OtlpGrpcServer.builder()
            .setHandler(
                request -> {
                  received.add(request);
                  throw new OtlpRejection(OtlpRejection.Kind.MALFORMED, "no spans in here");
                }));
    OtlpGrpcSpanExporter exporter = exporter(b -> b.setCompression("gzip"));

    CompletableResultCode result =
        exporter.export(endedSpans("GET /orders")).join(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(result.isDone()).isTrue();
    assertThat(result.isSuccess()).isFalse();
    assertThat(result.getFailureThrowable())
        .isInstanceOfSatisfying(
            FailedExportException.GrpcExportException.class,
            failure -> {
              assertThat(failure.getResponse().getStatusCode())
                  .isEqualTo(GrpcStatusCode.INVALID_ARGUMENT);
              assertThat(failure.getResponse().getStatusDescription())
                  .isEqualTo("no spans in here");
            });
    assertThat(received).hasSize(1); // not retryable: the exporter did not send it again
    server.close();
    assertThat(serverLogs.records()).isEmpty();
  }

  @Test
  void bytesThatAreNoProtobufAreInvalidArgumentAndNeverReachTheHandler() {
    start(OtlpGrpcServer.builder().setHandler(this::take));
    // field 1 (resource_spans), length-delimited, says 100 bytes follow; 2 do
    byte[] truncated = {0x0a, 100, 0x0a, 0x00};

    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel(), RAW_EXPORT, CallOptions.DEFAULT, truncated))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "not an OTLP protobuf ExportTraceServiceRequest: While parsing a protocol message,"
                          + " the input ended unexpectedly in the middle of a field.  This could mean either that"
                          + " the input has been truncated or that an embedded message misreported its own length.");
            });
    assertThat(received).isEmpty();
    server.close();
    assertThat(serverLogs.records()).isEmpty();
  }

  @ParameterizedTest(name = "gzip header {0}")
  @ValueSource(booleans = {false, true})
  void gzipThatDoesNotInflateIsInvalidArgumentAndNeverReachesTheHandler(boolean gzipHeader) {
    start(OtlpGrpcServer.builder().setHandler(this::take));
    // says grpc-encoding gzip, sends the message as is: not even a gzip header, or a header and a
    // deflate block of the reserved type 3
    CompressorRegistry notDeflating = CompressorRegistry.newEmptyInstance();
    notDeflating.register(
        new Compressor() {
          @Override
          public String getMessageEncoding() {
            return "gzip";
          }

          @Override
          public OutputStream compress(OutputStream os) throws IOException {
            if (gzipHeader) {
              os.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff, 0b111});
            }
            return os;
          }
        });
    ManagedChannel lying =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", server.port(), InsecureChannelCredentials.create())
            .compressorRegistry(notDeflating)
            .build();
    toClose.add(lying::shutdownNow);

    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    lying,
                    TraceServiceGrpc.getExportMethod(),
                    CallOptions.DEFAULT.withCompression("gzip"),
                    request(span("GET /a", "0f"))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "not an OTLP protobuf ExportTraceServiceRequest: "
                          + (gzipHeader ? "invalid block type" : "Not in GZIP format"));
            });
    assertThat(received).isEmpty();
    server.close();
    assertThat(serverLogs.records()).isEmpty();
  }

  @Test
  void overloadedIsResourceExhaustedWithRetryInfo() {
    start(
        OtlpGrpcServer.builder()
            .setRetryDelay(Duration.ofMillis(250))
            .setHandler(
                request -> {
                  received.add(request);
                  throw new OtlpRejection(OtlpRejection.Kind.OVERLOADED, "memory budget full");
                }));

    assertThatThrownBy(() -> export(request(span("GET /a", "01")), CallOptions.DEFAULT))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription()).isEqualTo("memory budget full");
              com.google.rpc.Status details = StatusProto.fromThrowable(e);
              assertThat(details).isNotNull();
              assertThat(details.getDetailsList())
                  .containsExactly(
                      Any.pack(
                          RetryInfo.newBuilder().setRetryDelay(Durations.fromMillis(250)).build()));
            });
    assertThat(received).hasSize(1);
  }

  @Test
  void exporterSendsAgainAfterOverloadedAndTheSecondAttemptIsTaken() {
    AtomicInteger attempts = new AtomicInteger();
    start(
        OtlpGrpcServer.builder()
            .setRetryDelay(Duration.ofMillis(10))
            .setHandler(
                request -> {
                  if (attempts.incrementAndGet() == 1) {
                    throw new OtlpRejection(OtlpRejection.Kind.OVERLOADED, "memory budget full");
                  }
                  return take(request);
                }));
    OtlpGrpcSpanExporter exporter = exporter(b -> b);
    List<SpanData> spans = endedSpans("GET /retry");

    CompletableResultCode result = exporter.export(spans).join(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(result.isSuccess()).isTrue();
    assertThat(attempts).hasValue(2);
    SpanData span = spans.get(0);
    assertThat(receivedSpans())
        .containsExactly(
            new Seen(
                span.getTraceId(),
                span.getSpanId(),
                null,
                SERVICE,
                "GET /retry",
                SpanKind.INTERNAL));
  }

  @Test
  void partialSuccessOfTheHandlerReachesTheClientAsIs() {
    start(
        OtlpGrpcServer.builder()
            .setHandler(request -> OtlpDecoder.decodeRequest(request).response()));
    ExportTraceServiceRequest request =
        request(
            span("GET /valid", "0a"),
            span("GET /zero", "0b").toBuilder()
                .setTraceId(ByteString.copyFrom(new byte[16]))
                .build());

    ExportTraceServiceResponse response =
        export(request, CallOptions.DEFAULT.withCompression("gzip"));

    assertThat(response)
        .isEqualTo(
            ExportTraceServiceResponse.newBuilder()
                .setPartialSuccess(
                    ExportTracePartialSuccess.newBuilder()
                        .setRejectedSpans(1)
                        .setErrorMessage(
                            "1 span(s) rejected, first: span 'GET /zero' of "
                                + SERVICE
                                + ": invalid trace id (all zero)"))
                .build());
  }

  @ParameterizedTest(name = "compression {0}")
  @ValueSource(strings = {"identity", "gzip"})
  void messageOverTheMaximumSizeIsResourceExhaustedAndNeverReachesTheHandler(String compression) {
    start(OtlpGrpcServer.builder().setMaxMessageBytes(4096).setHandler(this::take));
    // compresses to a few hundred bytes: over the limit only once inflated
    ExportTraceServiceRequest big = request(span("x".repeat(8192), "0c"));
    ExportTraceServiceRequest small = request(span("GET /small", "0d"));
    CallOptions options = CallOptions.DEFAULT.withCompression(compression);

    assertThatThrownBy(() -> export(big, options))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      compression.equals("gzip")
                          ? "Decompressed gRPC message exceeds maximum size 4096"
                          : "gRPC message exceeds maximum size 4096: " + big.getSerializedSize());
              // no RetryInfo: sending it again cannot help
              assertThat(StatusProto.fromThrowable(e).getDetailsList()).isEmpty();
            });
    assertThat(received).isEmpty();
    assertThat(export(small, options)).isEqualTo(ExportTraceServiceResponse.getDefaultInstance());
    assertThat(received).containsExactly(small);
  }

  @Test
  void handlerFailureIsInternalAndLogged() {
    start(
        OtlpGrpcServer.builder()
            .setHandler(
                request -> {
                  throw new IllegalStateException("assembler broke");
                }));

    assertThatThrownBy(() -> export(request(span("GET /a", "0e")), CallOptions.DEFAULT))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("the export could not be ingested");
            });
    server.close();
    assertThat(serverLogs.records())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getLevel()).isEqualTo(Level.WARNING);
              assertThat(r.getMessage()).isEqualTo("OTLP/gRPC export handler failed");
              assertThat(r.getThrown()).hasMessage("assembler broke");
            });
  }

  @Test
  void lifecycle() throws IOException {
    OtlpGrpcServer idle = OtlpGrpcServer.builder().setPort(0).setHandler(this::take).build();
    assertThatThrownBy(idle::port).isInstanceOf(IllegalStateException.class);
    idle.close(); // never started: harmless
    assertThatThrownBy(idle::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("OTLP/gRPC server closed");
    assertThatThrownBy(() -> OtlpGrpcServer.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("an export handler is required: setHandler(...)");

    start(OtlpGrpcServer.builder().setHandler(this::take));
    assertThat(server.port()).isPositive();
    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("OTLP/gRPC server already started");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      OtlpGrpcServer clash =
          OtlpGrpcServer.builder().setPort(taken.getLocalPort()).setHandler(this::take).build();
      assertThatThrownBy(clash::start)
          .isInstanceOf(UncheckedIOException.class)
          .hasMessage("OTLP/gRPC server cannot listen on 127.0.0.1:" + taken.getLocalPort());
      assertThatThrownBy(clash::port).isInstanceOf(IllegalStateException.class);
    }
    server.close();
    server.close();
    assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
  }

  // --- the handler, the server and its clients ---

  /** Takes every span: records the request and the thread it came on. */
  private ExportTraceServiceResponse take(ExportTraceServiceRequest request) {
    received.add(request);
    handlerThreads.add(Thread.currentThread());
    return OtlpDecoder.decodeRequest(request).response();
  }

  private void start(OtlpGrpcServer.Builder builder) {
    server = builder.setHost("127.0.0.1").setPort(0).build().start();
    toClose.add(server);
  }

  /** An exporter to the server, closed after the test. */
  private OtlpGrpcSpanExporter exporter(UnaryOperator<OtlpGrpcSpanExporterBuilder> options) {
    OtlpGrpcSpanExporter exporter = newExporter(options);
    toClose.add(exporter::close);
    return exporter;
  }

  private OtlpGrpcSpanExporter newExporter(UnaryOperator<OtlpGrpcSpanExporterBuilder> options) {
    return options
        .apply(
            OtlpGrpcSpanExporter.builder()
                .setEndpoint("http://127.0.0.1:" + server.port())
                .setTimeout(WAIT)
                .setRetryPolicy(FAST_RETRY))
        .build();
  }

  private SdkTracerProvider tracing(SpanProcessor processor) {
    SdkTracerProvider tracing =
        SdkTracerProvider.builder()
            .setResource(
                io.opentelemetry.sdk.resources.Resource.create(
                    Attributes.of(AttributeKey.stringKey("service.name"), SERVICE)))
            .addSpanProcessor(processor)
            .build();
    toClose.add(tracing::close);
    return tracing;
  }

  /** One root span per name, ended, as the SDK hands them to an exporter. */
  private List<SpanData> endedSpans(String... names) {
    List<SpanData> ended = new CopyOnWriteArrayList<>();
    Tracer tracer =
        tracing(
                new SpanProcessor() {
                  @Override
                  public void onStart(Context parentContext, ReadWriteSpan span) {}

                  @Override
                  public boolean isStartRequired() {
                    return false;
                  }

                  @Override
                  public void onEnd(ReadableSpan span) {
                    ended.add(span.toSpanData());
                  }

                  @Override
                  public boolean isEndRequired() {
                    return true;
                  }
                })
            .get("otlp-grpc-test");
    for (String name : names) {
      tracer.spanBuilder(name).setNoParent().startSpan().end();
    }
    return List.copyOf(ended);
  }

  /** A grpc-java channel to the server, one per test. */
  private ManagedChannel channel() {
    if (channel == null) {
      ManagedChannel opened =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1", server.port(), InsecureChannelCredentials.create())
              .build();
      toClose.add(
          () -> {
            opened.shutdownNow();
            opened.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS);
          });
      channel = opened;
    }
    return channel;
  }

  private ExportTraceServiceResponse export(
      ExportTraceServiceRequest request, CallOptions options) {
    return ClientCalls.blockingUnaryCall(
        channel(),
        TraceServiceGrpc.getExportMethod(),
        options.withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS),
        request);
  }

  private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  // --- spans ---

  private static ExportTraceServiceRequest request(io.opentelemetry.proto.trace.v1.Span... spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(
                            KeyValue.newBuilder()
                                .setKey("service.name")
                                .setValue(AnyValue.newBuilder().setStringValue(SERVICE))))
                .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans))))
        .build();
  }

  /** A root span of trace 4bf9…4736 whose span id ends in {@code idSuffix} (two hex digits). */
  private static io.opentelemetry.proto.trace.v1.Span span(String name, String idSuffix) {
    return io.opentelemetry.proto.trace.v1.Span.newBuilder()
        .setTraceId(ByteString.fromHex("4bf92f3577b34da6a3ce929d0e0e4736"))
        .setSpanId(ByteString.fromHex("00f067aa0ba902" + idSuffix))
        .setName(name)
        .build();
  }

  /** What the handler saw of one span, by way of the auditor's own decoder. */
  private record Seen(
      String traceId,
      String spanId,
      String parentSpanId,
      String service,
      String name,
      SpanKind kind) {}

  private List<Seen> receivedSpans() {
    return received.stream()
        .flatMap(request -> OtlpDecoder.decodeRequest(request).spans().stream())
        .map(OtlpGrpcServerTest::seen)
        .toList();
  }

  private static Seen seen(ReceivedSpan span) {
    return new Seen(
        span.traceId(),
        span.spanId(),
        span.parentSpanId(),
        span.service(),
        span.name(),
        span.kind());
  }

  /**
   * java.util.logging records of INFO and above under the given logger names (grpc-java logs
   * there).
   */
  private static final class CapturedLogs extends Handler {

    private final List<Logger> loggers; // held: JUL keeps loggers weakly
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    CapturedLogs(String... names) {
      this.loggers = Arrays.stream(names).map(Logger::getLogger).toList();
      setLevel(Level.INFO);
    }

    void attach() {
      loggers.forEach(logger -> logger.addHandler(this));
    }

    void detach() {
      loggers.forEach(logger -> logger.removeHandler(this));
    }

    List<LogRecord> records() {
      return List.copyOf(records);
    }

    @Override
    public void publish(LogRecord record) {
      if (isLoggable(record)) {
        records.add(record);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
