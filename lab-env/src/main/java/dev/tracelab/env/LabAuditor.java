// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env;

import dev.tracelab.auditor.Auditor;
import java.net.URI;
import java.util.function.Supplier;

/**
 * The lab's auditor, which a fault can stop and {@link #restart()} brings back on the same ports: a
 * fresh one, knowing nothing of what came before. Its first OTLP endpoint stays where services
 * export, also while it is down.
 */
final class LabAuditor implements AutoCloseable {

  private final Supplier<Auditor.Builder> settings; // host, quiet window, listeners
  private final int otlpPort;
  private final int apiPort;
  private final String otlpEndpoint;
  private volatile Auditor auditor;

  /** Starts an auditor as {@code settings} say, on these ports (0: free ones). */
  LabAuditor(Supplier<Auditor.Builder> settings, int otlpPort, int apiPort) {
    this.settings = settings;
    this.auditor = settings.get().setOtlpPort(otlpPort).setApiPort(apiPort).start();
    this.otlpEndpoint = auditor.otlpEndpoint();
    this.otlpPort = URI.create(otlpEndpoint).getPort();
    this.apiPort = URI.create(auditor.apiUrl()).getPort();
  }

  Auditor current() {
    return auditor;
  }

  /** Where the services export spans to it (also while it is stopped). */
  String otlpEndpoint() {
    return otlpEndpoint;
  }

  /** Starts a fresh auditor on the ports of the stopped one. */
  synchronized Auditor restart() {
    if (auditor.isStarted()) {
      throw new IllegalStateException("the auditor is running");
    }
    auditor = settings.get().setOtlpPort(otlpPort).setApiPort(apiPort).start();
    return auditor;
  }

  /** Stops it: its OTLP receiver and API go away. */
  @Override
  public void close() {
    auditor.close();
  }
}
