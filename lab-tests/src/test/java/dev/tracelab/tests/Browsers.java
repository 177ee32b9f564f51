// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import dev.tracelab.env.browser.Chromium;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether this machine can run the browser tests: Debian's Chromium (driven over the DevTools
 * protocol through its executable path) and Node.js (to bundle the page). Missing: the test is
 * skipped with the reason, unless {@code -Dtracelab.browser=required} (CI), where it fails.
 */
final class Browsers {

  static final boolean REQUIRED = "required".equals(System.getProperty("tracelab.browser"));

  private Browsers() {}

  /** The Chromium to launch; skips (or, when required, fails) the test if there is none. */
  static Path assumeChromium() {
    String missing = null;
    Path chromium = Chromium.find().orElse(null);
    if (chromium == null) {
      missing =
          "Chromium (no chromium on PATH or in /usr/bin; apt-get install chromium, or set TRACELAB_CHROMIUM)";
    } else if (!onPath("node")) {
      missing = "Node.js to bundle the page (node not found on PATH)";
    }
    if (missing != null) {
      String reason = "the browser tests need " + missing;
      if (REQUIRED) {
        throw new AssertionError(reason + " and -Dtracelab.browser=required is set");
      }
      Assumptions.abort(reason);
    }
    return chromium;
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
