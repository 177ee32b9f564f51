// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.health;

import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Readiness of a service that needs Kafka: the broker answers a cluster description within a
 * second. Liveness ({@code GET /health}) never asks Kafka; readiness ({@code GET /health/ready})
 * does, so a broker restart makes a service unready, not dead. Results are kept for half a second,
 * so probes polled in a tight loop do not each reach the broker.
 *
 * <pre>{@code
 * KafkaReadiness kafka = KafkaReadiness.create(bootstrapServers);
 * Optional<String> why = kafka.notReadyReason(); // empty: ready
 * }</pre>
 */
public final class KafkaReadiness implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final long CACHE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final Admin admin;
  private long checkedAt;
  private Optional<String> last = Optional.of("not checked yet");

  private KafkaReadiness(Admin admin) {
    this.admin = admin;
  }

  public static KafkaReadiness create(String bootstrapServers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "readiness");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    return new KafkaReadiness(Admin.create(props));
  }

  /** Empty when the broker answered now (or within the last half second); else why not. */
  public synchronized Optional<String> notReadyReason() {
    long now = System.nanoTime();
    if (checkedAt != 0 && now - checkedAt < CACHE_NANOS) {
      return last;
    }
    last = check();
    checkedAt = System.nanoTime();
    return last;
  }

  private Optional<String> check() {
    try {
      int nodes =
          admin
              .describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
              .nodes()
              .get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS)
              .size();
      return nodes > 0 ? Optional.empty() : Optional.of("Kafka cluster has no brokers");
    } catch (ExecutionException e) {
      return Optional.of("Kafka unreachable: " + e.getCause().getClass().getSimpleName());
    } catch (TimeoutException e) {
      return Optional.of("Kafka unreachable: no answer within " + TIMEOUT.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  /**
   * {@code GET /health/ready} for a Javalin app: 200 {@code {"status":"UP"}} or a 503 problem
   * naming why. Registers on {@code app} and closes with it. Not traced.
   */
  public static void route(io.javalin.Javalin app, String bootstrapServers) {
    KafkaReadiness kafka = create(bootstrapServers);
    app.get(
        "/health/ready",
        ctx -> {
          Optional<String> why = kafka.notReadyReason();
          if (why.isEmpty()) {
            ctx.json(java.util.Map.of("status", "UP", "kafka", "UP"));
          } else {
            dev.tracelab.http.Problem.of(503, "Service Unavailable", why.get()).writeTo(ctx);
          }
        });
    app.events(events -> events.serverStopped(kafka::close));
  }

  /** The JSON body and status of a readiness answer, for servers other than Javalin. */
  public Answer answer() {
    Optional<String> why = notReadyReason();
    return why.isEmpty()
        ? new Answer(200, "application/json", "{\"status\":\"UP\",\"kafka\":\"UP\"}")
        : new Answer(
            503,
            dev.tracelab.http.Problem.CONTENT_TYPE,
            "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,\"detail\":"
                + quote(why.get())
                + ",\"instance\":\"/health/ready\"}");
  }

  /** One readiness answer. */
  public record Answer(int status, String contentType, String body) {}

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(1));
  }
}
