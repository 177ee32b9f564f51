// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import java.time.Duration;
import org.assertj.core.api.WritableAssertionInfo;

/**
 * The AssertionError of a kit assertion: its own text, AssertJ's description and override honoured.
 */
final class Failures {

  private Failures() {}

  static AssertionError failure(WritableAssertionInfo info, String message) {
    String override = info.overridingErrorMessage();
    String text = override != null ? override : message;
    String description = info.descriptionText();
    return new AssertionError(
        description == null || description.isEmpty() ? text : "[" + description + "] " + text);
  }

  /** {@code 500 ms}, {@code 30 s}. */
  static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
