// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help}: the command's usage help, generated from its options. */
final class HelpOption {

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "this help")
  private boolean help;
}
