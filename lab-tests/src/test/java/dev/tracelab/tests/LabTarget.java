package dev.tracelab.tests;

import dev.tracelab.flow.Scenario;
import java.net.URI;

/** An environment the shared scenarios run against: embedded, or containers. */
public interface LabTarget {

  URI gatewayUrl();

  /** Base URL of the auditor's JSON API. */
  URI auditorApiUrl();

  /** Makes the services run the variants of {@code scenario} (no-op when they already do). */
  void use(Scenario scenario);
}
