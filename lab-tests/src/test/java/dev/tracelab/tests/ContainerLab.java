// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import dev.tracelab.env.Versions;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Language;
import dev.tracelab.flow.Scenario;
import dev.tracelab.flow.Variant;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.GroupState;
import org.awaitility.Awaitility;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * The lab in containers on one Docker network: Kafka ({@link KafkaContainer}, official {@code
 * apache/kafka} image), the auditor and the three services from the project's images
 * (compose/build-images.sh), one image per role and language ({@link #image}). Switching scenario
 * or implementations recreates the service containers whose language, {@code TRACELAB_VARIANT} or
 * {@code OTEL_PROPAGATORS} changes (and the gateway with the worker); {@link #freshRun} then starts
 * a new auditor run, so its report covers only that scenario.
 */
final class ContainerLab implements LabTarget, AutoCloseable {

  static final String TAG = System.getProperty("tracelab.image.tag", "dev");
  static final String KAFKA_IMAGE = "apache/kafka:" + Versions.KAFKA;
  static final String AUDITOR_IMAGE = "tracelab/lab-auditor:" + TAG;

  /** The combinations this suite runs; {@link ContainerLabAvailable} checks all their images. */
  static final List<Implementations> IMPLEMENTATIONS =
      List.of(Implementations.JAVA, Implementations.POLYGLOT);

  /** The auditor's quiet window in the containers; as short as the embedded suite's. */
  static final Duration QUIET_WINDOW = EmbeddedLab.QUIET_WINDOW;

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
  private static final int PARTITIONS = 3;
  private static final Map<String, String> ALIASES =
      Map.of(Flow.GATEWAY, "gateway", Flow.WORKER, "worker", Flow.CONSUMER, "consumer");
  private static final Map<String, Integer> PORTS =
      Map.of(Flow.GATEWAY, 8080, Flow.WORKER, 8081, Flow.CONSUMER, 8082);

  private final Network network = Network.newNetwork();
  private final KafkaContainer kafka;
  private GenericContainer<?> auditor;
  private final Map<String, GenericContainer<?>> services = new LinkedHashMap<>();
  private final Map<String, Variant> variants = new LinkedHashMap<>();
  private final Map<String, Language> languages = new LinkedHashMap<>();
  private Implementations implementations = Implementations.JAVA;

  /**
   * OTEL_PROPAGATORS per service, as the running containers got it (default for all until a
   * scenario says otherwise).
   */
  private final Map<String, String> propagators = new LinkedHashMap<>(Scenario.FIXED.propagators());

  private ContainerLab() {
    kafka =
        new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
            .withNetwork(network)
            .withNetworkAliases("kafka")
            .withListener("kafka:19092")
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
            .withStartupTimeout(STARTUP_TIMEOUT);
  }

  /**
   * The image of {@code role} in {@code language}: {@code tracelab/<role>-<language>:<tag>}, as
   * compose/build-images.sh tags them (the Java ones also without the suffix) and compose picks
   * them with GATEWAY_LANG, WORKER_LANG, CONSUMER_LANG.
   */
  static String image(String role, Language language) {
    return "tracelab/" + role + "-" + language.id() + ":" + TAG;
  }

  /** Every service image of {@link #IMPLEMENTATIONS}. */
  static List<String> serviceImages() {
    return IMPLEMENTATIONS.stream()
        .flatMap(i -> Flow.SERVICES.stream().map(role -> image(role, i.languageOf(role))))
        .distinct()
        .toList();
  }

  /**
   * Starts Kafka (topics {@code orders}, {@code orders.dlq}), the auditor and the Java services of
   * {@code scenario}.
   */
  static ContainerLab start(Scenario scenario) {
    ContainerLab lab = new ContainerLab();
    long t0 = System.nanoTime();
    try {
      Startables.deepStart(lab.kafka, lab.auditor = lab.newAuditor()).join();
      long kafkaMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      lab.createTopics();
      lab.propagators.putAll(scenario.propagators());
      lab.startServices(scenario.variants());
      lab.awaitConsumerAssigned();
      System.out.printf(
          "container lab started in %d ms (Kafka + auditor %d ms)%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), kafkaMs);
      return lab;
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  @Override
  public URI gatewayUrl() {
    GenericContainer<?> gateway = services.get(Flow.GATEWAY);
    return URI.create("http://" + gateway.getHost() + ":" + gateway.getMappedPort(8080));
  }

  @Override
  public Duration quietWindow() {
    return QUIET_WINDOW;
  }

  @Override
  public URI auditorApiUrl() {
    return URI.create("http://" + auditor.getHost() + ":" + auditor.getMappedPort(8090));
  }

  @Override
  public void use(Scenario scenario) {
    use(implementations, scenario);
  }

  @Override
  public void use(Implementations wantedImplementations, Scenario scenario) {
    implementations = wantedImplementations;
    Map<String, Variant> wanted = scenario.variants();
    Map<String, String> wantedPropagators = scenario.propagators();
    Map<String, Variant> changed = new LinkedHashMap<>();
    wanted.forEach(
        (service, variant) -> {
          if (variants.get(service) != variant
              || languages.get(service) != wantedImplementations.languageOf(service)
              || !wantedPropagators.get(service).equals(propagators.get(service))) {
            changed.put(service, variant);
          }
        });
    propagators.putAll(wantedPropagators);
    // a new worker container has a new address: the gateway starts afresh too, rather than
    // trusting its resolver and connection pool to notice
    if (changed.containsKey(Flow.WORKER) && !changed.containsKey(Flow.GATEWAY)) {
      changed.put(Flow.GATEWAY, wanted.get(Flow.GATEWAY));
    }
    if (!changed.isEmpty()) {
      java.util.Set<String> before =
          changed.containsKey(Flow.CONSUMER) ? consumerMembers() : java.util.Set.of();
      changed.keySet().forEach(this::stopService);
      startServices(changed);
      if (changed.containsKey(Flow.CONSUMER)) {
        awaitConsumerAssigned(before);
      }
    }
  }

  /** The services of {@code scenario}, and a new auditor run ({@code POST /api/runs}) for it. */
  void freshRun(Scenario scenario) {
    use(scenario);
    new AuditorClient(auditorApiUrl()).startRun(scenario);
  }

  private GenericContainer<?> newAuditor() {
    return new GenericContainer<>(DockerImageName.parse(AUDITOR_IMAGE))
        .withNetwork(network)
        .withNetworkAliases("auditor")
        .withEnv("AUDITOR_QUIET_MS", Long.toString(QUIET_WINDOW.toMillis()))
        .withExposedPorts(8090, 4318)
        .waitingFor(Wait.forHttp("/health").forPort(8090).forStatusCode(200))
        .withStartupTimeout(STARTUP_TIMEOUT);
  }

  private void startServices(Map<String, Variant> toStart) {
    List<GenericContainer<?>> started = new ArrayList<>();
    toStart.forEach(
        (service, variant) -> {
          GenericContainer<?> c = newService(service, variant);
          services.put(service, c);
          variants.put(service, variant);
          languages.put(service, implementations.languageOf(service));
          started.add(c);
        });
    Startables.deepStart(started).join();
  }

  private GenericContainer<?> newService(String service, Variant variant) {
    int port = PORTS.get(service);
    GenericContainer<?> c =
        new GenericContainer<>(
                DockerImageName.parse(image(service, implementations.languageOf(service))))
            .withNetwork(network)
            .withNetworkAliases(ALIASES.get(service))
            .withEnv("TRACELAB_VARIANT", variant.name().toLowerCase(java.util.Locale.ROOT))
            .withEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://auditor:4318")
            .withEnv(
                "OTEL_PROPAGATORS", propagators.getOrDefault(service, Scenario.DEFAULT_PROPAGATORS))
            .withExposedPorts(port)
            .waitingFor(Wait.forHttp("/health").forPort(port).forStatusCode(200))
            .withStartupTimeout(STARTUP_TIMEOUT);
    switch (service) {
      case Flow.GATEWAY -> c.withEnv("WORKER_URL", "http://worker:8081");
      default -> c.withEnv("KAFKA_BOOTSTRAP_SERVERS", "kafka:19092");
    }
    return c;
  }

  private void stopService(String service) {
    GenericContainer<?> c = services.remove(service);
    variants.remove(service);
    languages.remove(service);
    if (c != null) {
      stopGracefully(c);
    }
  }

  /**
   * SIGTERM first (Testcontainers' stop() kills): the service's shutdown hook flushes its spans and
   * the consumer leaves its group, so the next consumer gets the partitions at once instead of
   * after the broker's session timeout.
   */
  private static void stopGracefully(GenericContainer<?> c) {
    if (c.isRunning()) {
      try {
        DockerClientFactory.instance()
            .client()
            .stopContainerCmd(c.getContainerId())
            .withTimeout(15)
            .exec();
      } catch (RuntimeException e) {
        System.out.println(
            "graceful stop of " + c.getDockerImageName() + " failed (" + e + "); killing it");
      }
    }
    c.stop();
  }

  /**
   * {@code orders} and the consumers' dead-letter topic {@code orders.dlq} (auto-creation is off).
   */
  private void createTopics() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
    try (Admin admin = Admin.create(props)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(Flow.TOPIC, PARTITIONS, (short) 1),
                  new NewTopic(Flow.DEAD_LETTER_TOPIC, 1, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot create topics "
              + Flow.TOPIC
              + ", "
              + Flow.DEAD_LETTER_TOPIC
              + " on "
              + kafka.getBootstrapServers(),
          e);
    }
  }

  /**
   * Waits until the consumer's group is stable with every partition of the topic assigned. A
   * consumer container answers /health once its poll loop runs, which can be well before the group
   * coordinator hands it the partitions (seconds on a busy machine); an order placed in between is
   * consumed late, after the auditor closed its trace without the consumer span.
   */
  private void awaitConsumerAssigned() {
    awaitConsumerAssigned(java.util.Set.of());
  }

  /** The group's current member ids (none when it has none yet). */
  private java.util.Set<String> consumerMembers() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
    try (Admin admin = Admin.create(props)) {
      return admin
          .describeConsumerGroups(List.of(Flow.CONSUMER_GROUP))
          .all()
          .get(10, TimeUnit.SECONDS)
          .get(Flow.CONSUMER_GROUP)
          .members()
          .stream()
          .map(m -> m.consumerId())
          .collect(java.util.stream.Collectors.toSet());
    } catch (Exception e) {
      return java.util.Set.of();
    }
  }

  /**
   * As {@link #awaitConsumerAssigned()}, and no member of {@code previous} (the replaced consumer)
   * is left: a stopped container's membership can look stable until its session ends.
   */
  private void awaitConsumerAssigned(java.util.Set<String> previous) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
    try (Admin admin = Admin.create(props)) {
      Awaitility.await(
              "consumer group "
                  + Flow.CONSUMER_GROUP
                  + " stable with the "
                  + PARTITIONS
                  + " partitions of "
                  + Flow.TOPIC
                  + " assigned")
          .atMost(STARTUP_TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                ConsumerGroupDescription group =
                    admin
                        .describeConsumerGroups(List.of(Flow.CONSUMER_GROUP))
                        .all()
                        .get(10, TimeUnit.SECONDS)
                        .get(Flow.CONSUMER_GROUP);
                long assigned =
                    group.members().stream()
                        .flatMap(m -> m.assignment().topicPartitions().stream())
                        .filter(tp -> tp.topic().equals(Flow.TOPIC))
                        .count();
                return group.groupState() == GroupState.STABLE
                    && assigned == PARTITIONS
                    && group.members().stream().noneMatch(m -> previous.contains(m.consumerId()));
              });
    }
  }

  /** Container logs of the lab, for a failing test's report. */
  String logs() {
    StringBuilder sb = new StringBuilder();
    services.forEach(
        (s, c) ->
            sb.append("----- ")
                .append(s)
                .append(" (")
                .append(languages.get(s).id())
                .append(")\n")
                .append(c.getLogs()));
    sb.append("----- auditor\n").append(auditor.getLogs());
    return sb.toString();
  }

  @Override
  public void close() {
    List.copyOf(services.keySet()).forEach(this::stopService);
    if (auditor != null) {
      auditor.stop();
    }
    kafka.stop();
    network.close();
  }
}
