// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.kafka;

import dev.tracelab.env.process.ChildProcess;
import dev.tracelab.env.process.LocalHost;
import dev.tracelab.flow.Flow;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker + controller, one node), run from the
 * Maven Central jars in a child JVM on loopback: free ports, a temp data dir, topics {@code orders}
 * and {@code orders.dlq} created. The JVM runs under {@link ChildProcess}'s guard, so it never
 * outlives this one; {@link #close()} stops the broker and deletes the data dir.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);

  private ChildProcess broker; // guarded by this: replaced by restartBroker
  private final List<String> command;
  private final Path dataDir;
  private final int port;
  private Duration startup = Duration.ZERO;

  private EmbeddedKafka(ChildProcess broker, List<String> command, Path dataDir, int port) {
    this.broker = broker;
    this.command = command;
    this.dataDir = dataDir;
    this.port = port;
  }

  /** Starts a broker on a free port (or {@code port} when > 0) and creates the lab's topic. */
  public static EmbeddedKafka start(int port) {
    long t0 = System.nanoTime();
    Path dir = LocalHost.tempDir("tracelab-kafka-");
    int brokerPort = port > 0 ? port : LocalHost.freePort();
    int controllerPort = LocalHost.freePort();
    Properties config = new Properties();
    config.putAll(
        Map.ofEntries(
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", "1"),
            Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
            Map.entry(
                "listeners",
                "PLAINTEXT://127.0.0.1:"
                    + brokerPort
                    + ",CONTROLLER://127.0.0.1:"
                    + controllerPort),
            Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry("log.dirs", dir.resolve("data").toString()),
            Map.entry("num.partitions", "3"),
            Map.entry("auto.create.topics.enable", "false"),
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("offsets.topic.num.partitions", "3"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("group.initial.rebalance.delay.ms", "0")));
    Path propsFile = dir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(propsFile)) {
      config.store(out, "tracelab embedded broker");
    } catch (IOException e) {
      LocalHost.deleteTree(dir);
      throw new UncheckedIOException(e);
    }

    List<String> command =
        List.of(
            LocalHost.javaBin(),
            "-Xms128m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            "-Dlog4j2.level=WARN",
            "-cp",
            System.getProperty("java.class.path"),
            KafkaBrokerMain.class.getName(),
            propsFile.toString(),
            Uuid.randomUuid().toString());
    EmbeddedKafka kafka;
    try {
      kafka =
          new EmbeddedKafka(
              launch(command, dir, brokerPort, "broker.log"), command, dir, brokerPort);
    } catch (RuntimeException e) {
      LocalHost.deleteTree(dir);
      throw e;
    }
    try {
      kafka.broker
          .awaitReady(); // the port accepts connections, so the admin client does not log retries
      kafka.createTopic();
    } catch (RuntimeException e) {
      String log = kafka.broker.logTail(30);
      kafka.close();
      throw new IllegalStateException(
          "Kafka broker did not start: " + e.getMessage() + "\n" + log, e);
    }
    kafka.startup = Duration.ofNanos(System.nanoTime() - t0);
    return kafka;
  }

  private static ChildProcess launch(
      List<String> command, Path dir, int brokerPort, String logName) {
    return ChildProcess.builder("kafka", command)
        .log(dir.resolve(logName))
        .listening("127.0.0.1", brokerPort)
        .startTimeout(START_TIMEOUT)
        .stopGrace(STOP_GRACE)
        .start();
  }

  /**
   * Stops the broker (SIGTERM: controlled shutdown), keeping its data dir, so that {@link
   * #startBroker()} brings the same broker back: same port, same topics and offsets. For fault
   * injection; clients see the broker gone meanwhile.
   */
  public synchronized void stopBroker() {
    broker.stop(STOP_GRACE);
  }

  /** Starts the broker stopped by {@link #stopBroker()} again and waits until its port accepts. */
  public synchronized void startBroker() {
    if (broker.isAlive()) {
      throw new IllegalStateException("the broker is running");
    }
    broker = launch(command, dataDir, port, "broker-" + System.currentTimeMillis() + ".log");
    try {
      broker.awaitReady();
    } catch (RuntimeException e) {
      throw new IllegalStateException("Kafka broker did not restart: " + e.getMessage(), e);
    }
  }

  public synchronized boolean isBrokerRunning() {
    return broker.isAlive();
  }

  /**
   * Waits until the consumer group {@code consumer-svc} is stable with every partition of {@code
   * orders} assigned. A consumer answers /health once its poll loop runs, which can be seconds
   * before the group coordinator hands it the partitions (a previous member leaving, the
   * rebalance); an order placed in between is consumed late, after the auditor closed its trace
   * without the consumer span.
   */
  public void awaitConsumerAssigned(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    try (Admin admin = Admin.create(props)) {
      while (true) {
        requireAlive();
        try {
          org.apache.kafka.clients.admin.ConsumerGroupDescription group =
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
          if (group.groupState() == org.apache.kafka.common.GroupState.STABLE && assigned == 3) {
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          // not known yet: ask again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted waiting for the consumer group", e);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "consumer group "
                  + Flow.CONSUMER_GROUP
                  + " not stable with the 3 partitions of "
                  + Flow.TOPIC
                  + " assigned after "
                  + timeout.toSeconds()
                  + " s");
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted waiting for the consumer group", e);
        }
      }
    }
  }

  private void createTopic() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) START_TIMEOUT.toMillis());
    try (Admin admin = Admin.create(props)) {
      while (true) {
        requireAlive();
        try {
          // orders.dlq: where the consumer dead-letters what it cannot process
          admin
              .createTopics(
                  List.of(
                      new NewTopic(Flow.TOPIC, 3, (short) 1),
                      new NewTopic(Flow.DEAD_LETTER_TOPIC, 1, (short) 1)))
              .all()
              .get(10, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof TopicExistsException) {
            return;
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("topic creation failed: " + e.getCause(), e);
          }
        } catch (java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("broker not ready within " + START_TIMEOUT);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
    }
  }

  private void requireAlive() {
    if (!broker.isAlive()) {
      throw new IllegalStateException("broker JVM exited");
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** From launch to topic created. */
  public Duration startupTime() {
    return startup;
  }

  /** Stops the broker (SIGTERM: Kafka's controlled shutdown) and deletes its data dir. */
  @Override
  public synchronized void close() {
    broker.stop(STOP_GRACE);
    LocalHost.deleteTree(dataDir);
  }
}
