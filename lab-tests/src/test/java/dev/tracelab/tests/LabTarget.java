// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import java.net.URI;

/** An environment the shared scenarios run against: embedded, or containers. */
public interface LabTarget {

  URI gatewayUrl();

  /** Base URL of the auditor's JSON API. */
  URI auditorApiUrl();

  /** The auditor's quiet window: a trace closes when no span of it arrived for this long. */
  java.time.Duration quietWindow();

  /** Makes the services run the variants of {@code scenario} (no-op when they already do). */
  void use(Scenario scenario);

  /**
   * Makes the services run in these languages with the variants and propagators of {@code
   * scenario}. Only the all-Java combination unless the target overrides this.
   */
  default void use(Implementations implementations, Scenario scenario) {
    if (!implementations.equals(Implementations.JAVA)) {
      throw new UnsupportedOperationException(
          getClass().getSimpleName() + " runs only " + Implementations.JAVA.label());
    }
    use(scenario);
  }
}
