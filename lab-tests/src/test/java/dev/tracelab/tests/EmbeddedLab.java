// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import dev.tracelab.env.LabEnvironment;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import java.net.URI;
import java.time.Duration;

/**
 * The embedded environment, started once per test JVM and closed when the JVM's tests end. A short
 * quiet window keeps the suite quick; the assertions wait for traces to close.
 */
final class EmbeddedLab implements LabTarget {

  /**
   * Longer than the lab's default (2 s): a complete request closes at once, so only incomplete ones
   * wait for it, and a stall of a loaded CI machine (a first request after a service restart, a GC
   * pause) does not close a request's trace before its last span arrives.
   */
  static final Duration QUIET_WINDOW = Duration.ofSeconds(10);

  private static EmbeddedLab instance;

  private final LabEnvironment env;

  private EmbeddedLab(LabEnvironment env) {
    this.env = env;
  }

  static synchronized EmbeddedLab get() {
    if (instance == null) {
      LabEnvironment env = LabEnvironment.builder().quietWindow(QUIET_WINDOW).start();
      System.out.printf(
          "embedded lab started in %d ms (Kafka broker %d ms)%n",
          env.startupTime().toMillis(), env.kafkaStartupTime().toMillis());
      instance = new EmbeddedLab(env);
      Runtime.getRuntime().addShutdownHook(new Thread(env::close));
    }
    return instance;
  }

  LabEnvironment env() {
    return env;
  }

  @Override
  public URI gatewayUrl() {
    return env.gatewayUrl();
  }

  @Override
  public Duration quietWindow() {
    return env.auditor().assembler().quietWindow();
  }

  @Override
  public URI auditorApiUrl() {
    return URI.create(env.auditor().apiUrl());
  }

  /** The all-Java services with {@code scenario}'s variants and propagators. */
  @Override
  public void use(Scenario scenario) {
    use(Implementations.JAVA, scenario);
  }

  /**
   * These languages with {@code scenario}'s variants and propagators (restarts only on a change).
   */
  @Override
  public synchronized void use(Implementations implementations, Scenario scenario) {
    if (!env.implementations().equals(implementations)) {
      Toolchains.assumeAvailable(implementations);
      env.switchTo(implementations, scenario);
      System.out.printf(
          "services %s started: %s%n",
          implementations.label(),
          env.serviceStartupTimes().entrySet().stream()
              .map(e -> e.getKey() + " " + e.getValue().toMillis() + " ms")
              .collect(java.util.stream.Collectors.joining(", ")));
    } else if (!env.runs(scenario)) {
      env.switchTo(scenario);
    }
  }

  /** Restarts every service as it runs now (after a test stopped one). */
  synchronized void restart(Scenario scenario) {
    env.switchTo(env.implementations(), scenario);
  }
}
