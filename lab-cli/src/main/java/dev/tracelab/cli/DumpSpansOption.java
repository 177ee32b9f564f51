// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import picocli.CommandLine.Option;

/** {@code --dump-spans F} (demo, gate, trace). */
final class DumpSpansOption {

  @Option(
      names = "--dump-spans",
      paramLabel = "F",
      description =
          "every span the auditor received, as OTLP JSON Lines (demo: one file per scenario)")
  private String file;

  /** The file, or null. */
  String file() {
    return file;
  }
}
