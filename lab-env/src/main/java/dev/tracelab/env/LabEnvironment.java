package dev.tracelab.env;

import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.env.kafka.EmbeddedKafka;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.env.service.RunningService;
import dev.tracelab.env.service.ServiceImplementation;
import dev.tracelab.env.service.ServiceSpec;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import dev.tracelab.flow.Variant;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The embedded lab, no Docker: a real Kafka broker (KRaft, child JVM), the auditor receiving
 * OTLP/HTTP, and the three services, each with its own SDK ({@code service.name} = folder name)
 * exporting to the auditor. Each role runs under a {@link ServiceImplementation}: by default the
 * Java service in this JVM ({@code java}); {@link Builder#implementation} makes a role a child
 * process instead (a child JVM, {@link ServiceImplementation#javaProcess()}, or a Go or Node.js
 * program, {@link dev.tracelab.env.service.ChildProcessImplementation}).
 *
 * <pre>{@code
 * try (LabEnvironment lab = LabEnvironment.builder()
 *         .scenario(Scenario.FIXED)
 *         .implementation(Flow.WORKER, ServiceImplementation.javaProcess()) // optional
 *         .start()) {
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
  private Path runDir;
  private int generation;

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
    return services.gateway.url();
  }

  public synchronized URI workerUrl() {
    return services.worker.url();
  }

  public synchronized URI consumerHealthUrl() {
    return services.consumer.url().resolve("/health");
  }

  /** The running service of {@code role} ({@code gateway-svc}, {@code worker-svc}, {@code consumer-svc}). */
  public synchronized RunningService service(String role) {
    return switch (role) {
      case Flow.GATEWAY -> services.gateway;
      case Flow.WORKER -> services.worker;
      case Flow.CONSUMER -> services.consumer;
      default -> throw new IllegalArgumentException("no role " + role + " (expected one of " + Flow.SERVICES + ")");
    };
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

  /** Where child-process services write their logs (created on first use, deleted by close). */
  private synchronized Path runDir() {
    if (runDir == null) {
      runDir = LocalHost.tempDir("tracelab-lab-");
    }
    return runDir;
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
        if (runDir != null) {
          LocalHost.deleteTree(runDir);
        }
      }
    }
  }

  /** The three services of one variant combination, each under its role's implementation. */
  private static final class Services implements AutoCloseable {
    final Map<String, Variant> variants;
    RunningService consumer;
    RunningService worker;
    RunningService gateway;

    private Services(Map<String, Variant> variants) {
      this.variants = Map.copyOf(variants);
    }

    static Services start(LabEnvironment lab, Map<String, Variant> variants) {
      Services s = new Services(variants);
      Builder c = lab.config;
      int generation = ++lab.generation;
      try {
        s.consumer = lab.startService(Flow.CONSUMER, c.consumerPort, variants, null, generation);
        s.worker = lab.startService(Flow.WORKER, c.workerPort, variants, null, generation);
        s.gateway = lab.startService(Flow.GATEWAY, c.gatewayPort, variants, s.worker.url(), generation);
      } catch (RuntimeException e) {
        s.close();
        throw e;
      }
      return s;
    }

    @Override
    public void close() {
      // entry first, so nothing new flows in while the rest drains; each flushes its spans
      if (gateway != null) {
        gateway.close();
      }
      if (worker != null) {
        worker.close();
      }
      if (consumer != null) {
        consumer.close();
      }
    }
  }

  private RunningService startService(String role, int port, Map<String, Variant> variants, URI workerUrl, int generation) {
    Map<String, String> otel = new LinkedHashMap<>();
    otel.put("otel.traces.exporter", "otlp");
    otel.put("otel.exporter.otlp.protocol", "http/protobuf");
    otel.put("otel.exporter.otlp.endpoint", otlpEndpoint());
    otel.putAll(config.sdkOverrides);
    ServiceImplementation implementation = config.implementations.getOrDefault(role, ServiceImplementation.inProcess());
    String kafkaServers = role.equals(Flow.GATEWAY) ? null : kafka.bootstrapServers();
    Path log = implementation == ServiceImplementation.inProcess() ? null : runDir().resolve(role + "-" + generation + ".log");
    return implementation.start(
        new ServiceSpec(role, variants.get(role), config.bindHost, port, workerUrl, kafkaServers, otel, log));
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
    private final Map<String, ServiceImplementation> implementations = new LinkedHashMap<>();
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

    /**
     * Runs {@code role} ({@code Flow.GATEWAY}, {@code Flow.WORKER}, {@code Flow.CONSUMER}) under
     * {@code implementation} instead of in this JVM; kept across {@link LabEnvironment#switchTo}.
     */
    public Builder implementation(String role, ServiceImplementation implementation) {
      if (!Flow.SERVICES.contains(role)) {
        throw new IllegalArgumentException("no role " + role + " (expected one of " + Flow.SERVICES + ")");
      }
      implementations.put(role, implementation);
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
