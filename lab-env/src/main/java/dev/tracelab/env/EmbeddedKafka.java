package dev.tracelab.env;

import dev.tracelab.flow.Flow;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker + controller, one node), run from the
 * Maven Central jars in a child JVM on loopback: free ports, a temp data dir, topic {@code orders}
 * created. {@link #close()} stops the broker and deletes the data dir.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Process process;
  private final Path dataDir;
  private final int port;
  private final OutputStream lifeline;
  private final Duration startup;

  private EmbeddedKafka(Process process, Path dataDir, int port, Duration startup) {
    this.process = process;
    this.dataDir = dataDir;
    this.port = port;
    this.lifeline = process.getOutputStream();
    this.startup = startup;
  }

  /** Starts a broker on a free port (or {@code port} when > 0) and creates the lab's topic. */
  public static EmbeddedKafka start(int port) {
    long t0 = System.nanoTime();
    Path dir;
    try {
      dir = Files.createTempDirectory("tracelab-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Kafka data dir", e);
    }
    int brokerPort = port > 0 ? port : freePort();
    int controllerPort = freePort();
    Properties config = new Properties();
    config.putAll(
        Map.ofEntries(
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", "1"),
            Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
            Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort),
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
      throw new UncheckedIOException(e);
    }

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true", "-Dlog4j2.level=WARN",
            "-cp", System.getProperty("java.class.path"),
            KafkaBrokerMain.class.getName(), propsFile.toString(), Uuid.randomUuid().toString()));
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("broker.log").toFile())
              .start();
    } catch (IOException e) {
      deleteQuietly(dir);
      throw new UncheckedIOException("cannot start the Kafka broker JVM", e);
    }
    EmbeddedKafka kafka = new EmbeddedKafka(process, dir, brokerPort, Duration.ZERO);
    try {
      kafka.createTopic();
    } catch (RuntimeException e) {
      String log = kafka.logTail();
      kafka.close();
      throw new IllegalStateException("Kafka broker did not start: " + e.getMessage() + "\n" + log, e);
    }
    return new EmbeddedKafka(process, dir, brokerPort, Duration.ofNanos(System.nanoTime() - t0));
  }

  private void createTopic() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) START_TIMEOUT.toMillis());
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    awaitListening(deadline);
    try (Admin admin = Admin.create(props)) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException("broker JVM exited with " + process.exitValue());
        }
        try {
          admin.createTopics(List.of(new NewTopic(Flow.TOPIC, 3, (short) 1))).all().get(10, TimeUnit.SECONDS);
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

  /** Waits for the broker port to accept connections, so the admin client does not log retries. */
  private void awaitListening(long deadline) {
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("broker JVM exited with " + process.exitValue());
      }
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
    }
    throw new IllegalStateException("broker not listening within " + START_TIMEOUT);
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

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("broker.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no broker log)";
    }
  }

  @Override
  public void close() {
    try {
      lifeline.close(); // the broker's watchdog sees EOF and shuts down cleanly
    } catch (IOException ignored) {
      // already closed
    }
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    deleteQuietly(dataDir);
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  static void deleteQuietly(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
