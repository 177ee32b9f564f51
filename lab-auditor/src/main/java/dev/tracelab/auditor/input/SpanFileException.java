// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.input;

/**
 * A trace dump that cannot be read, located the way a compiler locates an error. The message is one
 * line, {@code <file>:<line>:<column>: <what is wrong>}, for example {@code spans.json:3:17: span
 * "id" must be 16 hex digits, was "xyz"}; lines and columns count from 1 (in a gzip file, within
 * its decompressed text), and text quoted from the file is escaped and shortened.
 */
public final class SpanFileException extends Exception {

  private static final long serialVersionUID = 1L;

  SpanFileException(String file, long line, long column, String problem, Throwable cause) {
    super(
        oneLine(file)
            + ":"
            + Math.max(1, line)
            + ":"
            + Math.max(1, column)
            + ": "
            + oneLine(problem),
        cause);
  }

  /** {@code text} with every control character (a line break above all) written as an escape. */
  static String oneLine(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
