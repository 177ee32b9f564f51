// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.flow.Scenario;
import dev.tracelab.flow.Variant;

/** The checks of option values picocli's types do not make: ranges, scenarios, variants. */
final class Checks {

  private Checks() {}

  /** {@code value}, or bad usage naming {@code --option} when outside [min, max]. */
  static int range(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw new UsageException(
          "--" + option + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /** {@code value}, or bad usage naming {@code --option} when outside [min, max] (or NaN). */
  static double range(String option, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new UsageException(
          "--" + option + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /** The scenario named {@code raw}, {@code defaultValue} when null. */
  static Scenario scenario(String option, String raw, Scenario defaultValue) {
    try {
      return raw == null ? defaultValue : Scenario.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + option + ": " + e.getMessage());
    }
  }

  /** The variant {@code raw} of the service {@code option}-svc ({@code --gateway} ...). */
  static Variant variant(String option, String raw) {
    try {
      Variant v = Variant.parse(raw);
      if (!v.appliesTo(option + "-svc")) {
        throw new UsageException(
            "--" + option + ": only the consumer has a " + v.id() + " variant");
      }
      return v;
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + option + ": " + e.getMessage());
    }
  }
}
