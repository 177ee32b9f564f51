// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.kafka;

/**
 * Runs in the broker's child JVM: formats the KRaft storage, then runs {@code kafka.Kafka}. The JVM
 * is started under {@link dev.tracelab.env.process.ChildProcess}'s guard, which sends SIGTERM when
 * the parent JVM goes away; Kafka's own shutdown hook then stops the broker cleanly.
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
    int rc =
        kafka.tools.StorageTool.execute(
            new String[] {"format", "-t", args[1], "-c", args[0], "--ignore-formatted"},
            System.out);
    if (rc != 0) {
      System.err.println("kafka storage format failed: " + rc);
      System.exit(1);
    }
    kafka.Kafka.main(new String[] {args[0]});
  }
}
