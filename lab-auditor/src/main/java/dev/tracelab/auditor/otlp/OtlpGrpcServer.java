// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.otlp;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * OTLP/gRPC trace intake: the unary {@code
 * opentelemetry.proto.collector.trace.v1.TraceService/Export} on a port of its own (4317 by
 * convention), every request handed to an {@link ExportHandler}.
 *
 * <p>Each outcome is answered as the OTLP specification says for gRPC:
 *
 * <ul>
 *   <li>taken: {@code OK} with the handler's {@link ExportTraceServiceResponse} (its {@code
 *       partial_success}, when set, reaches the exporter as is);
 *   <li>not a protobuf {@code ExportTraceServiceRequest} (including a corrupt gzip message), or
 *       {@link OtlpRejection.Kind#MALFORMED}: {@code INVALID_ARGUMENT}, not retryable;
 *   <li>{@link OtlpRejection.Kind#OVERLOADED}: {@code RESOURCE_EXHAUSTED} with a {@code
 *       google.rpc.RetryInfo} detail ({@link Builder#setRetryDelay}), which is what makes {@code
 *       RESOURCE_EXHAUSTED} retryable for an OTLP exporter;
 *   <li>a message larger than {@link Builder#setMaxMessageBytes} (after decompression): {@code
 *       RESOURCE_EXHAUSTED} without {@code RetryInfo}, not retryable; the handler never sees it;
 *   <li>the handler failing otherwise (a bug): {@code INTERNAL}, logged.
 * </ul>
 *
 * <p>Messages may be gzip-compressed ({@code grpc-encoding: gzip}); plaintext only (no TLS).
 * Requests are parsed and handled on a bounded pool of named daemon threads of this server's own.
 *
 * <pre>{@code
 * try (OtlpGrpcServer grpc = OtlpGrpcServer.builder().setPort(0).setHandler(handler).build().start()) {
 *   String endpoint = "http://127.0.0.1:" + grpc.port(); // OTEL_EXPORTER_OTLP_ENDPOINT, protocol grpc
 * }
 * }</pre>
 */
public final class OtlpGrpcServer implements AutoCloseable {

  /** Takes one OTLP/gRPC trace export; called on one of the server's threads, concurrently. */
  @FunctionalInterface
  public interface ExportHandler {

    /**
     * Decodes and ingests {@code request}.
     *
     * @return the answer: empty when every span was taken, else with its {@code partial_success}
     * @throws OtlpRejection when the request is not taken; see {@link OtlpGrpcServer} for the
     *     status each {@link OtlpRejection.Kind} is answered with
     */
    ExportTraceServiceResponse export(ExportTraceServiceRequest request) throws OtlpRejection;
  }

  private static final System.Logger LOG = System.getLogger(OtlpGrpcServer.class.getName());

  /** gRPC's default, and the OpenTelemetry Collector's OTLP receiver's. */
  private static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  /**
   * HTTP/2's recommended least SETTINGS_MAX_CONCURRENT_STREAMS; more calls on one connection wait.
   */
  private static final int MAX_CONCURRENT_CALLS_PER_CONNECTION = 100;

  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
  private static final Duration SHUTDOWN_NOW_WAIT = Duration.ofSeconds(1);
  private static final Duration IDLE_THREAD_KEEP_ALIVE = Duration.ofSeconds(30);

  /**
   * Export as the service describes it, but with a request marshaller that never throws: a request
   * that does not parse is answered by {@link #export} with a status of ours, where grpc-java would
   * answer {@code UNKNOWN} and log the parse failure as an application error.
   */
  private static final MethodDescriptor<ParsedRequest, ExportTraceServiceResponse> EXPORT =
      TraceServiceGrpc.getExportMethod().toBuilder(
              new ParsingMarshaller(),
              ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
          .build();

  private final ExportHandler handler;
  private final Duration retryDelay;
  private final String address;
  private final ThreadPoolExecutor executor;
  private final Server server;
  private boolean started;
  private boolean closed;

  private OtlpGrpcServer(Builder b) {
    this.handler = b.handler;
    this.retryDelay = b.retryDelay;
    this.address = b.host + ":" + b.port;
    this.executor =
        new ThreadPoolExecutor(
            b.threads,
            b.threads,
            IDLE_THREAD_KEEP_ALIVE.toMillis(),
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            new NamedDaemonThreads("otlp-grpc-"));
    executor.allowCoreThreadTimeOut(true);
    ServerServiceDefinition traceService =
        ServerServiceDefinition.builder(TraceServiceGrpc.SERVICE_NAME)
            .addMethod(EXPORT, ServerCalls.asyncUnaryCall(this::export))
            .build();
    this.server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(b.host, b.port), InsecureServerCredentials.create())
            .maxInboundMessageSize(b.maxMessageBytes)
            .maxConcurrentCallsPerConnection(MAX_CONCURRENT_CALLS_PER_CONNECTION)
            .executor(executor)
            .addService(traceService)
            .build();
  }

  /**
   * A builder: host 127.0.0.1, port 4317, messages up to 4 MiB, retry delay 1 s; a handler is
   * required.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the port and starts serving. Once only; on failure (e.g. the port in use) the server is
   * closed again.
   *
   * @return this server, started
   * @throws UncheckedIOException when the port cannot be bound
   * @throws IllegalStateException when already started or closed
   */
  public synchronized OtlpGrpcServer start() {
    if (started || closed) {
      throw new IllegalStateException(
          closed ? "OTLP/gRPC server closed" : "OTLP/gRPC server already started");
    }
    started = true;
    try {
      server.start();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("OTLP/gRPC server cannot listen on " + address, e);
    }
    return this;
  }

  /**
   * The port listened on (the one bound when port 0 was asked for).
   *
   * @throws IllegalStateException when not started, or closed
   */
  public synchronized int port() {
    if (!started || closed) {
      throw new IllegalStateException("OTLP/gRPC server not running");
    }
    return server.getPort();
  }

  /**
   * Stops taking calls, lets those in flight finish for up to 5 s, then cancels what is left and
   * waits up to 1 s more. Harmless when never started or already closed; an interrupt cuts the wait
   * short (and stays set).
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    try {
      if (!server.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(SHUTDOWN_NOW_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      executor
          .shutdownNow(); // idle once the server is terminated; interrupts a handler still stuck
    }
  }

  private void export(ParsedRequest parsed, StreamObserver<ExportTraceServiceResponse> responses) {
    if (parsed.failure() != null) {
      responses.onError(parsed.failure().asRuntimeException());
      return;
    }
    ExportTraceServiceResponse response;
    try {
      response =
          Objects.requireNonNull(handler.export(parsed.request()), "export handler returned null");
    } catch (OtlpRejection e) {
      responses.onError(statusOf(e));
      return;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "OTLP/gRPC export handler failed", e);
      responses.onError(
          Status.INTERNAL.withDescription("the export could not be ingested").asRuntimeException());
      return;
    }
    responses.onNext(response);
    responses.onCompleted();
  }

  private StatusRuntimeException statusOf(OtlpRejection rejection) {
    return switch (rejection.kind()) {
      case MALFORMED ->
          Status.INVALID_ARGUMENT.withDescription(rejection.getMessage()).asRuntimeException();
      case OVERLOADED -> retryLater(rejection.getMessage());
    };
  }

  /**
   * {@code RESOURCE_EXHAUSTED} with {@code RetryInfo}: the OTLP exporter backs off and sends again.
   */
  private StatusRuntimeException retryLater(String message) {
    RetryInfo retry =
        RetryInfo.newBuilder().setRetryDelay(Durations.fromNanos(retryDelay.toNanos())).build();
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
            .setMessage(message)
            .addDetails(Any.pack(retry))
            .build());
  }

  /** An export request as parsed, or the status it is answered with when it did not parse. */
  private record ParsedRequest(ExportTraceServiceRequest request, Status failure) {}

  /** gRPC's protobuf marshaller, its parse failures kept as a {@link ParsedRequest#failure()}. */
  private static final class ParsingMarshaller
      implements MethodDescriptor.Marshaller<ParsedRequest> {

    private final MethodDescriptor.Marshaller<ExportTraceServiceRequest> protobuf =
        ProtoUtils.marshaller(ExportTraceServiceRequest.getDefaultInstance());

    @Override
    public InputStream stream(ParsedRequest value) {
      return protobuf.stream(value.request());
    }

    @Override
    public ParsedRequest parse(InputStream stream) {
      try {
        return new ParsedRequest(protobuf.parse(stream), null);
      } catch (RuntimeException e) {
        // gRPC's marshaller throws INTERNAL for bytes that are no protobuf (gzip that does not
        // inflate among them); a message inflating past the maximum size is RESOURCE_EXHAUSTED
        Status status = Status.fromThrowable(e);
        if (status.getCause() instanceof InvalidProtocolBufferException invalid) {
          status =
              Status.INVALID_ARGUMENT.withDescription(
                  "not an OTLP protobuf ExportTraceServiceRequest: " + invalid.getMessage());
        }
        return new ParsedRequest(null, status);
      }
    }
  }

  /** Daemon threads named {@code prefix} and a number counted per server. */
  private static final class NamedDaemonThreads implements ThreadFactory {

    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    NamedDaemonThreads(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  }

  /** Configures an {@link OtlpGrpcServer}; {@link #setHandler} is required. */
  public static final class Builder {

    private String host = "127.0.0.1";
    private int port = 4317;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private Duration retryDelay = Duration.ofSeconds(1);
    private ExportHandler handler;

    private Builder() {}

    /**
     * The address to listen on, a name or a literal (default 127.0.0.1; 0.0.0.0 for every
     * interface).
     */
    public Builder setHost(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /**
     * The port to listen on, 0 for any free one (see {@link OtlpGrpcServer#port()}); default 4317.
     */
    public Builder setPort(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0-65535: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The largest message taken, counted after decompression (default 4 MiB); a larger one is
     * refused with {@code RESOURCE_EXHAUSTED} before it reaches the handler.
     */
    public Builder setMaxMessageBytes(int maxMessageBytes) {
      if (maxMessageBytes <= 0) {
        throw new IllegalArgumentException("max message size must be positive: " + maxMessageBytes);
      }
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /**
     * How many threads parse and handle requests at most (default the number of processors, at
     * least 2); further requests wait in line.
     */
    public Builder setThreads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("threads must be positive: " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * The delay an {@link OtlpRejection.Kind#OVERLOADED} answer asks the exporter to wait before
     * sending again ({@code google.rpc.RetryInfo}); default 1 s.
     */
    public Builder setRetryDelay(Duration retryDelay) {
      if (retryDelay.isNegative()) {
        throw new IllegalArgumentException("retry delay must not be negative: " + retryDelay);
      }
      this.retryDelay = retryDelay;
      return this;
    }

    /** Takes every export request (required). */
    public Builder setHandler(ExportHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * A server, not yet listening: {@link OtlpGrpcServer#start()} binds the port.
     *
     * @throws IllegalStateException when no handler is set
     */
    public OtlpGrpcServer build() {
      if (handler == null) {
        throw new IllegalStateException("an export handler is required: setHandler(...)");
      }
      return new OtlpGrpcServer(this);
    }
  }
}
