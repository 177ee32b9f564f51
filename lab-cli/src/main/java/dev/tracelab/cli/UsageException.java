// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

/** Bad command-line usage: printed as one line, exit code 2. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
