// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env;

import dev.tracelab.env.kafka.EmbeddedKafka;
import dev.tracelab.env.mesh.EnvoySidecar;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.env.service.RunningService;
import dev.tracelab.env.service.ServiceImplementation;
import dev.tracelab.env.service.ServiceSet;
import dev.tracelab.env.service.ServiceSpec;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Starts one role of the embedded lab as it is configured now: each service under its role's {@link
 * ServiceImplementation} with the lab's SDK settings and Kafka, the sidecar as a real Envoy;
 * child-process logs and the consumer's ledger in the run directory (created on first use, deleted
 * by {@link #close()}).
 */
final class ServiceStarter implements ServiceSet.Starter, AutoCloseable {

  private final String bindHost;
  private final Map<String, String> sdkOverrides;
  private final EmbeddedKafka kafka;
  private final Supplier<String> otlpEndpoint;
  private final Map<String, ServiceImplementation> implementations;
  private Path runDir;
  private int generation;

  ServiceStarter(
      String bindHost,
      Map<String, String> sdkOverrides,
      Map<String, ServiceImplementation> implementations,
      EmbeddedKafka kafka,
      Supplier<String> otlpEndpoint) {
    this.bindHost = bindHost;
    this.sdkOverrides = Map.copyOf(sdkOverrides);
    this.implementations = new LinkedHashMap<>(implementations);
    this.kafka = kafka;
    this.otlpEndpoint = otlpEndpoint;
  }

  /** Numbers the logs of what starts from now on (one number per start of a set or a role). */
  ServiceStarter nextGeneration() {
    generation++;
    return this;
  }

  /** Runs {@code role} under {@code implementation} from its next start on. */
  void use(String role, ServiceImplementation implementation) {
    implementations.put(role, implementation);
  }

  /** The role's implementation: {@link ServiceImplementation#inProcess()} unless set. */
  ServiceImplementation implementationOf(String role) {
    return implementations.getOrDefault(role, ServiceImplementation.inProcess());
  }

  @Override
  public String implementationId(String role) {
    return role.equals(Flow.SIDECAR) ? EnvoySidecar.ID : implementationOf(role).id();
  }

  @Override
  public RunningService start(String role, int port, ServiceSet started) {
    return switch (role) {
      case Flow.CONSUMER -> startConsumer(port, started);
      case Flow.WORKER -> startService(role, port, started, null);
      case Flow.SIDECAR -> startSidecar(started.get(Flow.WORKER).url(), port);
      case Flow.GATEWAY -> startService(role, port, started, started.hopTarget());
      default -> throw new IllegalArgumentException("no role " + role);
    };
  }

  /**
   * A consumer is ready when it answers /health AND its group owns every partition of the topic.
   */
  private RunningService startConsumer(int port, ServiceSet started) {
    RunningService consumer = startService(Flow.CONSUMER, port, started, null);
    try {
      kafka.awaitConsumerAssigned(java.time.Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
    return consumer;
  }

  /** The worker's inbound Envoy, exporting where the services export; its log in the run dir. */
  private RunningService startSidecar(URI worker, int port) {
    return EnvoySidecar.start(
        bindHost,
        port,
        worker,
        otlpEndpoint.get(),
        runDir().resolve(Flow.SIDECAR + "-" + generation + ".log"));
  }

  private RunningService startService(String role, int port, ServiceSet started, URI workerUrl) {
    Map<String, String> otel = new LinkedHashMap<>();
    otel.put("otel.traces.exporter", "otlp");
    otel.put("otel.exporter.otlp.protocol", "http/protobuf");
    otel.put("otel.exporter.otlp.endpoint", otlpEndpoint.get());
    otel.put(
        "otel.propagators", started.propagators().getOrDefault(role, Scenario.DEFAULT_PROPAGATORS));
    otel.putAll(sdkOverrides);
    ServiceImplementation implementation = implementationOf(role);
    String kafkaServers = role.equals(Flow.GATEWAY) ? null : kafka.bootstrapServers();
    Path log =
        implementation == ServiceImplementation.inProcess()
            ? null
            : runDir().resolve(role + "-" + generation + ".log");
    // one ledger per run, whatever the consumer's implementation or generation: a restarted
    // consumer keeps what its predecessor processed
    Path ledger = role.equals(Flow.CONSUMER) ? runDir().resolve(Flow.CONSUMER + ".ledger") : null;
    return implementation.start(
        new ServiceSpec(
            role,
            started.variants().get(role),
            bindHost,
            port,
            workerUrl,
            kafkaServers,
            otel,
            log,
            ledger));
  }

  /** Where child-process services write their logs (created on first use, deleted by close). */
  private Path runDir() {
    if (runDir == null) {
      runDir = LocalHost.tempDir("tracelab-lab-");
    }
    return runDir;
  }

  /** Deletes the run directory. */
  @Override
  public void close() {
    if (runDir != null) {
      LocalHost.deleteTree(runDir);
    }
  }
}
