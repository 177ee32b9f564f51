// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * What the environment needs from this machine: free loopback ports, temp dirs, the java binary.
 */
public final class LocalHost {

  private LocalHost() {}

  /** Where {@link #freePort} looks when the kernel's ephemeral range is unknown. */
  private static final int LOWEST = 10_000;

  /** The first port of the kernel's ephemeral range, read once. */
  private static final int EPHEMERAL_LOW = ephemeralLow();

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  /**
   * A loopback port free right now, for a process that must be told its port up front. It is chosen
   * below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}), where no {@code
   * bind(0)} and no outgoing connection of another process can take it before the process binds it
   * (a port from {@code bind(0)} could be: seen as "port is already allocated" when suites run side
   * by side); never the same one twice in this JVM. Falls back to {@code bind(0)}.
   */
  public static int freePort() {
    int below = EPHEMERAL_LOW;
    if (below > LOWEST + 1_000) {
      for (int attempt = 0; attempt < 200; attempt++) {
        int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
        if (HANDED_OUT.add(port)) {
          if (bindable(port)) {
            return port;
          }
          HANDED_OUT.remove(port);
        }
      }
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first port of the kernel's ephemeral range (Linux), or 0 when it cannot be read. */
  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir " + prefix + "*", e);
    }
  }

  /** Deletes a directory tree, best effort. */
  public static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }

  /** The java binary of this JVM, for child JVMs. */
  public static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
