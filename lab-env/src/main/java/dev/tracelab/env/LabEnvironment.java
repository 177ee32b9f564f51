package dev.tracelab.env;

import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.consumer.ConsumerConfig;
import dev.tracelab.consumer.ConsumerService;
import dev.tracelab.env.kafka.EmbeddedKafka;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import dev.tracelab.flow.Variant;
import dev.tracelab.gateway.GatewayConfig;
import dev.tracelab.gateway.GatewayService;
import dev.tracelab.telemetry.LabTelemetry;
import dev.tracelab.worker.WorkerConfig;
import dev.tracelab.worker.WorkerService;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The embedded lab, no Docker: a real Kafka broker (KRaft, child JVM), the auditor receiving
 * OTLP/HTTP, and the three services in this JVM, each with its own SDK ({@code service.name} =
 * folder name) exporting to the auditor.
 *
 * <pre>{@code
 * try (LabEnvironment lab = LabEnvironment.builder().scenario(Scenario.FIXED).start()) {
 *   lab.gatewayUrl();           // POST /orders here
 *   lab.auditor().assembler();  // query spans by trace id or app.order_id
 *   lab.switchTo(Scenario.BROKEN_KAFKA);
 * }
 * }</pre>
 */
public final class LabEnvironment implements AutoCloseable {

  private final Builder config;
  private final EmbeddedKafka kafka;
  private final Auditor auditor;
  private final Duration startupTime;
  private Services services;

  private LabEnvironment(Builder config) {
    long t0 = System.nanoTime();
    this.config = config;
    this.kafka = EmbeddedKafka.start(config.kafkaPort);
    Auditor started = null;
    try {
      Auditor.Builder auditorBuilder =
          Auditor.builder()
              .setHost(config.bindHost)
              .setOtlpPort(config.auditorOtlpPort)
              .setApiPort(config.auditorApiPort)
              .setQuietWindow(config.quietWindow);
      config.closeListeners.forEach(auditorBuilder::addCloseListener);
      started = auditorBuilder.start();
      this.auditor = started;
      this.services = Services.start(this, config.variants);
    } catch (RuntimeException e) {
      if (started != null) {
        started.close();
      }
      kafka.close();
      throw e;
    }
    this.startupTime = Duration.ofNanos(System.nanoTime() - t0);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Restarts the three services with the variants of {@code scenario}; Kafka and auditor stay. */
  public synchronized void switchTo(Scenario scenario) {
    switchTo(scenario.variants());
  }

  /** Restarts the three services with these variants (service name -> variant). */
  public synchronized void switchTo(Map<String, Variant> variants) {
    services.close();
    services = Services.start(this, variants);
  }

  public synchronized Map<String, Variant> variants() {
    return services.variants;
  }

  public synchronized URI gatewayUrl() {
    return URI.create("http://127.0.0.1:" + services.gateway.port());
  }

  public synchronized URI workerUrl() {
    return URI.create("http://127.0.0.1:" + services.worker.port());
  }

  public synchronized URI consumerHealthUrl() {
    return URI.create("http://127.0.0.1:" + services.consumer.healthPort() + "/health");
  }

  public Auditor auditor() {
    return auditor;
  }

  public String kafkaBootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** From start() to every component ready. */
  public Duration startupTime() {
    return startupTime;
  }

  public Duration kafkaStartupTime() {
    return kafka.startupTime();
  }

  /** Where the services export spans: the auditor, or another OTLP endpoint when configured. */
  String otlpEndpoint() {
    return config.otlpEndpoint != null ? config.otlpEndpoint : auditor.otlpEndpoint();
  }

  @Override
  public synchronized void close() {
    try {
      services.close();
    } finally {
      try {
        auditor.close();
      } finally {
        kafka.close();
      }
    }
  }

  /** The three services of one variant combination, each with its own SDK. */
  private static final class Services implements AutoCloseable {
    final Map<String, Variant> variants;
    final List<OpenTelemetrySdk> sdks = new ArrayList<>();
    ConsumerService consumer;
    WorkerService worker;
    GatewayService gateway;

    private Services(Map<String, Variant> variants) {
      this.variants = Map.copyOf(variants);
    }

    static Services start(LabEnvironment lab, Map<String, Variant> variants) {
      Services s = new Services(variants);
      Builder c = lab.config;
      try {
        s.consumer =
            ConsumerService.start(
                new ConsumerConfig(c.bindHost, c.consumerPort, lab.kafka.bootstrapServers(), variants.get(Flow.CONSUMER)),
                s.sdk(lab, Flow.CONSUMER));
        s.worker =
            WorkerService.start(
                new WorkerConfig(c.bindHost, c.workerPort, lab.kafka.bootstrapServers(), variants.get(Flow.WORKER)),
                s.sdk(lab, Flow.WORKER));
        s.gateway =
            GatewayService.start(
                new GatewayConfig(
                    c.bindHost, c.gatewayPort, URI.create("http://127.0.0.1:" + s.worker.port()), variants.get(Flow.GATEWAY)),
                s.sdk(lab, Flow.GATEWAY));
      } catch (RuntimeException e) {
        s.close();
        throw e;
      }
      return s;
    }

    private OpenTelemetrySdk sdk(LabEnvironment lab, String service) {
      Map<String, String> overrides = new LinkedHashMap<>();
      overrides.put("otel.traces.exporter", "otlp");
      overrides.put("otel.exporter.otlp.protocol", "http/protobuf");
      overrides.put("otel.exporter.otlp.endpoint", lab.otlpEndpoint());
      overrides.putAll(lab.config.sdkOverrides);
      OpenTelemetrySdk sdk = LabTelemetry.create(service, overrides);
      sdks.add(sdk);
      return sdk;
    }

    @Override
    public void close() {
      // entry first, so nothing new flows in while the rest drains
      if (gateway != null) {
        gateway.close();
      }
      if (worker != null) {
        worker.close();
      }
      if (consumer != null) {
        consumer.close();
      }
      sdks.forEach(OpenTelemetrySdk::close); // flushes pending spans to the exporter
    }
  }

  public static final class Builder {
    private Map<String, Variant> variants = Scenario.FIXED.variants();
    private String bindHost = "127.0.0.1";
    private int kafkaPort;
    private int gatewayPort;
    private int workerPort;
    private int consumerPort;
    private int auditorOtlpPort;
    private int auditorApiPort;
    private Duration quietWindow = Duration.ofSeconds(2);
    private String otlpEndpoint;
    private final Map<String, String> sdkOverrides = new LinkedHashMap<>();
    private final List<Consumer<AssembledTrace>> closeListeners = new ArrayList<>();

    public Builder scenario(Scenario scenario) {
      this.variants = scenario.variants();
      return this;
    }

    public Builder variants(Map<String, Variant> variants) {
      this.variants = Map.copyOf(variants);
      return this;
    }

    /**
     * Fixed ports (as {@code ./lab up} uses); 0 (the default for all) picks free ports.
     */
    public Builder ports(int gateway, int worker, int consumer, int kafka, int auditorOtlp, int auditorApi) {
      this.gatewayPort = gateway;
      this.workerPort = worker;
      this.consumerPort = consumer;
      this.kafkaPort = kafka;
      this.auditorOtlpPort = auditorOtlp;
      this.auditorApiPort = auditorApi;
      return this;
    }

    /** The auditor's quiet window: a trace closes when no span of it arrived for this long. */
    public Builder quietWindow(Duration quietWindow) {
      this.quietWindow = quietWindow;
      return this;
    }

    /** Send the services' spans to this OTLP/HTTP endpoint instead of the auditor. */
    public Builder otlpEndpoint(String otlpEndpoint) {
      this.otlpEndpoint = otlpEndpoint;
      return this;
    }

    /** Extra SDK properties for every service (e.g. {@code otel.bsp.schedule.delay}). */
    public Builder sdkProperty(String key, String value) {
      sdkOverrides.put(key, value);
      return this;
    }

    public Builder onTraceClosed(Consumer<AssembledTrace> listener) {
      closeListeners.add(listener);
      return this;
    }

    public LabEnvironment start() {
      return new LabEnvironment(this);
    }
  }
}
