package dev.tracelab.env;

import java.io.IOException;
import java.io.InputStream;

/**
 * Runs in the broker's child JVM: formats the KRaft storage, then runs {@code kafka.Kafka}. The
 * broker exits when its standard input closes, so it never outlives the JVM that started it, even
 * if that one is killed.
 *
 * <p>Arguments: {@code <server.properties> <cluster-id>}.
 */
public final class KafkaBrokerMain {

  private KafkaBrokerMain() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: KafkaBrokerMain <server.properties> <cluster-id>");
      System.exit(2);
    }
    Thread watchdog =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() != -1) {
                  // nothing is sent; EOF means the parent is gone or asked us to stop
                }
              } catch (IOException ignored) {
                // treat as EOF
              }
              System.exit(0); // runs Kafka's shutdown hook: a clean, controlled shutdown
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    int rc =
        kafka.tools.StorageTool.execute(
            new String[] {"format", "-t", args[1], "-c", args[0], "--ignore-formatted"}, System.out);
    if (rc != 0) {
      System.err.println("kafka storage format failed: " + rc);
      System.exit(1);
    }
    kafka.Kafka.main(new String[] {args[0]});
  }
}
