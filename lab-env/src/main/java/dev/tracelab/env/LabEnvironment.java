// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env;

import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.orphans.RunSetup;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.env.frontend.FrontendServer;
import dev.tracelab.env.frontend.FrontendVariant;
import dev.tracelab.env.kafka.EmbeddedKafka;
import dev.tracelab.env.mesh.EnvoySidecar;
import dev.tracelab.env.service.AgentInstrumentation;
import dev.tracelab.env.service.FrontendBundle;
import dev.tracelab.env.service.RunningService;
import dev.tracelab.env.service.ServiceImplementation;
import dev.tracelab.env.service.ServiceSet;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementation;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Instrumentation;
import dev.tracelab.flow.Language;
import dev.tracelab.flow.Scenario;
import dev.tracelab.flow.Variant;
import java.net.URI;
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
 * program, {@link dev.tracelab.env.service.ChildProcessImplementation}); {@link
 * Builder#implementations(Implementations)} picks a language per role ({@code go} and {@code node}
 * are built from this checkout on first use). Each service runs with its scenario's {@code
 * OTEL_PROPAGATORS} ({@link Scenario#propagators()}): the SDK property {@code otel.propagators} in
 * this JVM, the environment variable in a child. With {@link Builder#mesh} (or implementations
 * {@link Implementations#withMesh() with the mesh}) a real Envoy runs as the worker's inbound
 * sidecar ({@link EnvoySidecar}): the gateway's worker URL is the sidecar's.
 *
 * <pre>{@code
 * try (LabEnvironment lab = LabEnvironment.builder()
 *         .scenario(Scenario.FIXED)
 *         .implementations(Implementations.POLYGLOT) // optional: go/node/go
 *         .start()) {
 *   lab.gatewayUrl();           // POST /orders here
 *   lab.auditor().assembler();  // query spans by trace id or app.order_id
 *   lab.switchTo(Scenario.BROKEN_KAFKA);
 *   lab.switchTo(Implementations.JAVA, Scenario.FIXED);
 * }
 * }</pre>
 */
public final class LabEnvironment implements AutoCloseable {

  private final Builder config;
  private final EmbeddedKafka kafka;
  private final LabAuditor auditor;
  private final ServiceStarter starter;
  private final Duration startupTime;
  private ServiceSet services;
  private boolean mesh;
  private Instrumentation instrumentation; // --instrumentation (docs/design.md §14)
  private FrontendServer frontend; // null unless the builder asked for the page

  private LabEnvironment(Builder config) {
    long t0 = System.nanoTime();
    this.config = config;
    this.instrumentation = config.instrumentation;
    this.mesh = config.mesh;
    if (mesh) {
      EnvoySidecar.require(); // before anything starts: a clear error when Envoy is missing
    }
    long step = System.nanoTime();
    this.kafka = EmbeddedKafka.start(config.kafkaPort);
    config.ready("kafka", step);
    LabAuditor started = null;
    ServiceStarter starter = null;
    try {
      step = System.nanoTime();
      started =
          new LabAuditor(this::auditorSettings, config.auditorOtlpPort, config.auditorApiPort);
      config.ready("auditor", step);
      this.auditor = started;
      starter =
          new ServiceStarter(
              config.bindHost,
              config.sdkOverrides,
              config.implementations,
              kafka,
              this::otlpEndpoint);
      this.starter = starter;
      applyInstrumentation();
      this.services =
          ServiceSet.start(
              roles(),
              config.variants,
              config.propagators,
              config.ports,
              reportingReady(starter.nextGeneration()));
      if (config.frontendVariant != null) {
        step = System.nanoTime();
        serveFrontend(config.frontendVariant);
        config.ready(Flow.FRONTEND, step);
      }
    } catch (RuntimeException e) {
      if (services != null) {
        services.close();
      }
      if (started != null) {
        started.close();
      }
      kafka.close();
      if (starter != null) {
        starter.close();
      }
      throw e;
    }
    this.startupTime = Duration.ofNanos(System.nanoTime() - t0);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code starter}, telling the {@link Builder#onReady} listeners of each role it starts. */
  private ServiceSet.Starter reportingReady(ServiceSet.Starter starter) {
    return new ServiceSet.Starter() {
      @Override
      public String implementationId(String role) {
        return starter.implementationId(role);
      }

      @Override
      public RunningService start(String role, int port, ServiceSet started) {
        long step = System.nanoTime();
        RunningService service = starter.start(role, port, started);
        config.ready(role, step);
        return service;
      }
    };
  }

  private Auditor.Builder auditorSettings() {
    Auditor.Builder auditorBuilder =
        Auditor.builder().setHost(config.bindHost).setQuietWindow(config.quietWindow);
    config.closeListeners.forEach(auditorBuilder::addCloseListener);
    config.spanListeners.forEach(auditorBuilder::addSpanListener);
    return auditorBuilder;
  }

  /** The roles this lab runs, in start order: the sidecar in mesh mode only. */
  private List<String> roles() {
    return ServiceSet.START_ORDER.stream()
        .filter(role -> mesh || !role.equals(Flow.SIDECAR))
        .toList();
  }

  // ---- fault injection (./lab chaos): each fault and its repair, the rest of the lab untouched

  /**
   * {@code kill -9} of {@code role}'s child process (it must run as one, e.g. under {@link
   * ServiceImplementation#javaProcess()}): no shutdown hook, no flush, no commit. Returns once the
   * process is gone, with its pid. {@link #restartService} brings the role back.
   */
  public synchronized long killService(String role) {
    return service(role).kill();
  }

  /**
   * Starts {@code role} again as it ran (implementation, variant, propagators, port), after {@link
   * #killService} or a crash; returns once it answers {@code GET /health}. A consumer keeps its
   * ledger file.
   */
  public synchronized RunningService restartService(String role) {
    return services.restartRole(role, starter.nextGeneration());
  }

  /**
   * Stops the Kafka broker, keeping its data; {@link #startKafka()} brings it back on the same
   * port.
   */
  public void stopKafka() {
    kafka.stopBroker();
  }

  /**
   * Starts the broker stopped by {@link #stopKafka()}; returns once its port accepts connections.
   */
  public void startKafka() {
    kafka.startBroker();
  }

  /**
   * Stops the auditor: its OTLP receiver and API go away, so the services' exports fail (their SDKs
   * drop what they cannot send) while orders flow on. {@link #startAuditor()} starts a new one on
   * the same ports; it knows nothing of what came before.
   */
  public synchronized void stopAuditor() {
    auditor.close();
  }

  /** Starts a fresh auditor on the ports of the one {@link #stopAuditor()} stopped. */
  public synchronized Auditor startAuditor() {
    return auditor.restart();
  }

  // ---- what runs

  /**
   * Restarts the three services with the variants and propagators of {@code scenario}; Kafka and
   * auditor stay.
   */
  public synchronized void switchTo(Scenario scenario) {
    restart(scenario.variants(), scenario.propagators());
  }

  /**
   * Restarts the three services with these variants (service name -> variant), default propagators.
   */
  public synchronized void switchTo(Map<String, Variant> variants) {
    restart(variants, Scenario.FIXED.propagators());
  }

  /**
   * Restarts the three services in these languages ({@code java} in this JVM) with the variants and
   * propagators of {@code scenario}.
   */
  public synchronized void switchTo(Implementations languages, Scenario scenario) {
    for (String role : Flow.SERVICES) {
      starter.use(role, AgentInstrumentation.of(languages.languageOf(role), instrumentation));
    }
    if (languages.mesh()) {
      EnvoySidecar.require();
    }
    mesh = languages.mesh();
    restart(scenario.variants(), scenario.propagators());
  }

  /**
   * Restarts the services under {@code instrumentation} (same languages) with {@code scenario}'s
   * variants and propagators ({@code --instrumentation}, docs/design.md §14).
   */
  public synchronized void switchTo(Instrumentation instrumentation, Scenario scenario) {
    this.instrumentation = instrumentation;
    switchTo(implementations().servicesOnly(), scenario);
  }

  /** What the services run under now: {@code sdk}, or {@code agent} (Go roles keep their SDK). */
  public synchronized Instrumentation instrumentation() {
    return instrumentation;
  }

  /** Each service's implementation under the lab's instrumentation (agent: java-agent, ...). */
  private void applyInstrumentation() {
    if (instrumentation == Instrumentation.AGENT) {
      for (String role : Flow.SERVICES) {
        Language language = Language.parse(starter.implementationOf(role).language());
        starter.use(role, AgentInstrumentation.of(language, instrumentation));
      }
    }
  }

  /** True when the services run exactly {@code scenario}'s variants and propagators. */
  public synchronized boolean runs(Scenario scenario) {
    return variants().equals(scenario.variants()) && propagators().equals(scenario.propagators());
  }

  /**
   * Restarts what changed: a role whose variant, propagators or implementation changed, and the
   * gateway whenever the worker restarts (it holds the worker's address). An unchanged consumer
   * keeps running, so a scenario switch does not pay for a Kafka group rejoin.
   */
  private void restart(Map<String, Variant> variants, Map<String, String> propagators) {
    services =
        ServiceSet.restart(
            services, roles(), variants, propagators, config.ports, starter.nextGeneration());
  }

  public synchronized Map<String, Variant> variants() {
    return services.variants();
  }

  /** {@code OTEL_PROPAGATORS} of each service (service name -> value), as they run now. */
  public synchronized Map<String, String> propagators() {
    return services.propagators();
  }

  /**
   * What the lab runs now, as the auditor needs it for a run named {@code name}: each service's
   * variant, implementation and propagators (docs/design.md §5, §7).
   */
  public synchronized RunSetup runSetup(String name) {
    Map<String, String> variantIds = new LinkedHashMap<>();
    variants().forEach((role, v) -> variantIds.put(role, v.id()));
    return LabFlowSpecs.setup(name, variantIds, implementations(), propagators(), instrumentation);
  }

  /**
   * {@link #runSetup} for requests placed from the page ({@link #frontend()}): the flow starts with
   * the page's CLIENT span, the page's variant is the {@code frontend} entry of the variants.
   */
  public synchronized RunSetup browserRunSetup(String name) {
    FrontendServer page = frontend();
    Map<String, String> variantIds = new LinkedHashMap<>();
    variantIds.put(Flow.FRONTEND, page.variant().id());
    variants().forEach((role, v) -> variantIds.put(role, v.id()));
    return LabFlowSpecs.setup(
        name,
        variantIds,
        implementations().with(Implementation.FRONTEND_BROWSER),
        propagators(),
        instrumentation);
  }

  /**
   * Serves the page (bundled first if needed) with {@code variant}'s allowlist, from now on: starts
   * the page's server if this lab has none yet, else switches its variant (the next page load runs
   * it). Returns the server.
   */
  public synchronized FrontendServer serveFrontend(FrontendVariant variant) {
    if (frontend == null) {
      frontend =
          FrontendServer.builder()
              .bundle(FrontendBundle.prepare())
              .gateway(this::gatewayUrl)
              .otlpEndpoint(this::otlpEndpoint)
              .variant(variant)
              .host(config.bindHost)
              .ports(config.frontendPorts[0], config.frontendPorts[1], config.frontendPorts[2])
              .start();
    } else {
      frontend.setVariant(variant);
    }
    return frontend;
  }

  /**
   * The page's server (page, API and analytics origins); once {@link #serveFrontend} started it.
   */
  public synchronized FrontendServer frontend() {
    if (frontend == null) {
      throw new IllegalStateException(
          "this lab serves no page: LabEnvironment.builder().frontend(variant)");
    }
    return frontend;
  }

  /** The language each role runs in now (a child JVM is {@code java}), and the sidecar if any. */
  public synchronized Implementations implementations() {
    Map<String, String> ids = new LinkedHashMap<>();
    for (String role : Flow.SERVICES) {
      ids.put(role, starter.implementationOf(role).language());
    }
    Implementations services = Implementations.fromIds(ids);
    return mesh ? services.withMesh() : services;
  }

  /** True when the gateway reaches the worker through the Envoy sidecar. */
  public synchronized boolean mesh() {
    return mesh;
  }

  /**
   * How long each service took to start (launch, or build check and launch, to ready), in start
   * order.
   */
  public synchronized Map<String, Duration> serviceStartupTimes() {
    return services.startupTimes();
  }

  public synchronized URI gatewayUrl() {
    return services.get(Flow.GATEWAY).url();
  }

  public synchronized URI workerUrl() {
    return services.get(Flow.WORKER).url();
  }

  public synchronized URI consumerHealthUrl() {
    return services.get(Flow.CONSUMER).url().resolve("/health");
  }

  /**
   * The running service of {@code role} ({@code gateway-svc}, {@code worker-svc}, {@code
   * consumer-svc}, or {@code envoy-sidecar} in mesh mode).
   */
  public synchronized RunningService service(String role) {
    return services.get(role);
  }

  public Auditor auditor() {
    return auditor.current();
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
      if (frontend != null) {
        frontend.close();
      }
      services.close();
    } finally {
      try {
        auditor.close();
      } finally {
        kafka.close();
        starter.close();
      }
    }
  }

  public static final class Builder {
    private Map<String, Variant> variants = Scenario.FIXED.variants();
    private Map<String, String> propagators = Scenario.FIXED.propagators();
    private String bindHost = "127.0.0.1";
    private int kafkaPort;
    private final Map<String, Integer> ports = new LinkedHashMap<>(); // role -> port; absent: 0
    private int auditorOtlpPort;
    private int auditorApiPort;
    private boolean mesh;
    private Instrumentation instrumentation = Instrumentation.SDK;
    private Duration quietWindow = Duration.ofSeconds(2);
    private String otlpEndpoint;
    private final Map<String, String> sdkOverrides = new LinkedHashMap<>();
    private final Map<String, ServiceImplementation> implementations = new LinkedHashMap<>();
    private final List<Consumer<AssembledTrace>> closeListeners = new ArrayList<>();
    private final List<java.util.function.BiConsumer<String, Duration>> readyListeners =
        new ArrayList<>();
    private final List<Consumer<List<dev.tracelab.auditor.trace.ReceivedSpan>>> spanListeners =
        new ArrayList<>();
    private FrontendVariant frontendVariant;
    private int[] frontendPorts = {0, 0, 0};

    /**
     * Also serves the page ({@code frontend/}, bundled on first use) with this allowlist variant:
     * its origin forwards {@code /orders} to the gateway and {@code /v1/traces} to where the
     * services export; a second origin is the cross-origin API, a third a fake analytics party.
     */
    public Builder frontend(FrontendVariant variant) {
      this.frontendVariant = variant;
      return this;
    }

    /** The page's, the API's and the analytics' ports (0, the default, picks free ones). */
    public Builder frontendPorts(int page, int api, int analytics) {
      this.frontendPorts = new int[] {page, api, analytics};
      return this;
    }

    /** The variants and propagators of {@code scenario} (default {@code fixed}). */
    public Builder scenario(Scenario scenario) {
      this.variants = scenario.variants();
      this.propagators = scenario.propagators();
      return this;
    }

    /**
     * {@code OTEL_PROPAGATORS} per service (service name -> value), as a deployment sets them; a
     * service not named runs the default. Call after {@link #scenario} / {@link #variants}.
     */
    public Builder propagators(Map<String, String> propagators) {
      Map<String, String> all = new LinkedHashMap<>(Scenario.FIXED.propagators());
      all.putAll(propagators);
      this.propagators = Map.copyOf(all);
      return this;
    }

    /** These variants (service name -> variant), every service with the default propagators. */
    public Builder variants(Map<String, Variant> variants) {
      this.variants = Map.copyOf(variants);
      this.propagators = Scenario.FIXED.propagators();
      return this;
    }

    /** Fixed ports (as {@code ./lab up} uses); 0 (the default for all) picks free ports. */
    public Builder ports(
        int gateway, int worker, int consumer, int kafka, int auditorOtlp, int auditorApi) {
      this.ports.put(Flow.GATEWAY, gateway);
      this.ports.put(Flow.WORKER, worker);
      this.ports.put(Flow.CONSUMER, consumer);
      this.kafkaPort = kafka;
      this.auditorOtlpPort = auditorOtlp;
      this.auditorApiPort = auditorApi;
      return this;
    }

    /**
     * Mesh mode (docs/design.md §8): a real Envoy as the worker's inbound sidecar, on {@code port}
     * (0, the default: a free one). Starting fails with a clear error when Envoy is not installed
     * ({@link EnvoySidecar#missing()}).
     */
    public Builder mesh(boolean mesh) {
      this.mesh = mesh;
      return this;
    }

    /** The sidecar's listener port in mesh mode (as {@code ./lab up} uses); 0 picks a free port. */
    public Builder sidecarPort(int port) {
      this.ports.put(Flow.SIDECAR, port);
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
        throw new IllegalArgumentException(
            "no role " + role + " (expected one of " + Flow.SERVICES + ")");
      }
      implementations.put(role, implementation);
      return this;
    }

    /**
     * Runs each role in its language: {@code java} in this JVM, {@code go} and {@code node} as
     * child processes built from this checkout on first use ({@link ServiceImplementation#of}).
     */
    public Builder implementations(Implementations languages) {
      for (String role : Flow.SERVICES) {
        Language language = languages.languageOf(role);
        implementation(role, ServiceImplementation.of(language));
      }
      if (languages.mesh()) {
        this.mesh = true; // with the mesh; implementations without it leave mesh(...) as set
      }
      return this;
    }

    /**
     * Told, while {@link #start()} runs, of each participant as it becomes ready, with the time it
     * took: {@code kafka}, {@code auditor}, each role in start order (consumer, worker, the sidecar
     * in mesh mode, gateway; a build on first use included), {@code frontend} when served.
     */
    public Builder onReady(java.util.function.BiConsumer<String, Duration> listener) {
      readyListeners.add(listener);
      return this;
    }

    private void ready(String participant, long sinceNanos) {
      Duration took = Duration.ofNanos(System.nanoTime() - sinceNanos);
      readyListeners.forEach(l -> l.accept(participant, took));
    }

    /**
     * {@code sdk} (default) or {@code agent}: the Java services as child JVMs under the
     * OpenTelemetry Java agent, the Node.js worker with the Node.js auto-instrumentations, Go
     * unchanged ({@link AgentInstrumentation}); applied to whatever implementations are chosen.
     */
    public Builder instrumentation(Instrumentation instrumentation) {
      this.instrumentation = instrumentation;
      return this;
    }

    public Builder onTraceClosed(Consumer<AssembledTrace> listener) {
      closeListeners.add(listener);
      return this;
    }

    /**
     * Every span the auditor receives, batch by batch, before it is judged ({@code --dump-spans}).
     */
    public Builder onSpansReceived(
        Consumer<List<dev.tracelab.auditor.trace.ReceivedSpan>> listener) {
      spanListeners.add(listener);
      return this;
    }

    public LabEnvironment start() {
      return new LabEnvironment(this);
    }
  }
}
