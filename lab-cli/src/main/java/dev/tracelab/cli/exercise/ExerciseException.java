// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

/** Bad input or a workspace the command cannot work in: exit 2 with this one-line message. */
public final class ExerciseException extends RuntimeException {

  ExerciseException(String message) {
    super(message);
  }
}
