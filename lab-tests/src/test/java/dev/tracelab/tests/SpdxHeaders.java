// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The SPDX license line every tracked source file starts with (after a shebang line where there is
 * one): {@code SPDX-License-Identifier: Apache-2.0} in the comment syntax of its language. Java, Go
 * and JavaScript/TypeScript get {@code // ...} and a blank line (so that in Go it never joins the
 * package doc comment); shell scripts, {@code ./lab} and YAML get {@code # ...} directly above
 * their own header comment. Checked by {@code SpdxHeadersTest}; JDK only, so that it also runs as a
 * single-file program from the repository root (the fix the test prints):
 *
 * <pre>
 * java lab-tests/src/test/java/dev/tracelab/tests/SpdxHeaders.java          # list, exit 1 if any
 * java lab-tests/src/test/java/dev/tracelab/tests/SpdxHeaders.java --fix    # add the missing ones
 * </pre>
 */
public final class SpdxHeaders {

  static final String IDENTIFIER = "SPDX-License-Identifier: Apache-2.0";
  static final String FIX_COMMAND =
      "java lab-tests/src/test/java/dev/tracelab/tests/SpdxHeaders.java --fix";

  /** Shell files without a shebang line (sourced by other scripts), named one by one. */
  private static final Set<String> SOURCED_SHELL =
      Set.of(
          "compose/standins/kafka/docker/bash-config",
          "compose/standins/kafka/docker/configureDefaults");

  private SpdxHeaders() {}

  /** How a file's license line is written; null for files that carry none (JSON, docs, ...). */
  enum Syntax {
    SLASHES("// " + IDENTIFIER, true),
    HASH("# " + IDENTIFIER, false);

    final String line;
    final boolean blankAfter;

    Syntax(String line, boolean blankAfter) {
      this.line = line;
      this.blankAfter = blankAfter;
    }
  }

  /** The syntax of a tracked file (a path relative to the root, '/'-separated) or null. */
  static Syntax syntaxOf(String path, String firstLine) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    String ext = dot > 0 ? name.substring(dot + 1) : "";
    switch (ext) {
      case "java", "go", "js", "mjs", "cjs", "ts", "mts", "cts" -> {
        return Syntax.SLASHES;
      }
      case "sh", "bash", "yaml", "yml" -> {
        return Syntax.HASH;
      }
      case "" -> {
        boolean shellShebang =
            firstLine.startsWith("#!") && firstLine.matches("#!\\S*/(env\\s+)?(ba)?sh\\b.*");
        return shellShebang || SOURCED_SHELL.contains(path) ? Syntax.HASH : null;
      }
      default -> {
        return null;
      }
    }
  }

  /** Every tracked source file under {@code root} whose license line is not at the top. */
  static List<String> check(Path root) {
    List<String> out = new ArrayList<>();
    for (String path : trackedFiles(root)) {
      Path file = root.resolve(path);
      if (!Files.isRegularFile(file)) {
        continue; // deleted in the work tree, not yet in the index
      }
      String text = read(file);
      Syntax syntax = syntaxOf(path, firstLine(text));
      if (syntax == null || hasHeader(text, syntax)) {
        continue;
      }
      out.add(path);
    }
    return out;
  }

  /** True when the license line is the first line, or the second after a shebang line. */
  static boolean hasHeader(String text, Syntax syntax) {
    String first = firstLine(text);
    if (first.startsWith("#!")) {
      String rest = text.substring(Math.min(text.length(), first.length() + 1));
      return firstLine(rest).equals(syntax.line);
    }
    return first.equals(syntax.line);
  }

  /** {@code text} with the license line added at the top (after a shebang line). */
  static String withHeader(String text, Syntax syntax) {
    String nl = text.contains("\r\n") ? "\r\n" : "\n";
    String header = syntax.line + nl + (syntax.blankAfter ? nl : "");
    String first = firstLine(text);
    if (first.startsWith("#!")) {
      int cut = text.indexOf('\n');
      if (cut < 0) {
        return text + nl + syntax.line + nl;
      }
      return text.substring(0, cut + 1) + header + text.substring(cut + 1);
    }
    return header + text;
  }

  /** Adds the license line to every file {@link #check} finds missing; returns those files. */
  static List<String> fix(Path root) {
    List<String> fixed = new ArrayList<>();
    for (String path : check(root)) {
      Path file = root.resolve(path);
      String text = read(file);
      write(file, withHeader(text, syntaxOf(path, firstLine(text))));
      fixed.add(path);
    }
    return fixed;
  }

  /** {@code git ls-files} at {@code root}: the tracked files, '/'-separated, relative. */
  static List<String> trackedFiles(Path root) {
    try {
      Process git =
          new ProcessBuilder("git", "-C", root.toString(), "ls-files", "-z")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      byte[] out = git.getInputStream().readAllBytes();
      if (!git.waitFor(60, TimeUnit.SECONDS) || git.exitValue() != 0) {
        throw new IllegalStateException("git ls-files failed in " + root);
      }
      List<String> files = new ArrayList<>();
      for (String p : new String(out, StandardCharsets.UTF_8).split("\0")) {
        if (!p.isEmpty()) {
          files.add(p);
        }
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("git ls-files in " + root, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    String line = nl < 0 ? text : text.substring(0, nl);
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  // ISO-8859-1 maps every byte to one char and back: files round-trip byte for byte
  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(file.toString(), e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(file.toString(), e);
    }
  }

  /** From the repository root: lists what lacks the line (exit 1), or adds it with --fix. */
  public static void main(String[] args) {
    Path root = Path.of("").toAbsolutePath();
    if (args.length == 1 && args[0].equals("--fix")) {
      List<String> fixed = fix(root);
      fixed.forEach(p -> System.out.println("added: " + p));
      List<String> left = check(root);
      left.forEach(f -> System.out.println("left: " + f));
      System.out.println(fixed.size() + " files given the SPDX line, " + left.size() + " left");
      System.exit(left.isEmpty() ? 0 : 1);
    } else if (args.length == 0) {
      List<String> missing = check(root);
      missing.forEach(System.out::println);
      System.out.println(missing.size() + " tracked source files lack '" + IDENTIFIER + "'");
      System.exit(missing.isEmpty() ? 0 : 1);
    } else {
      System.err.println("usage: java SpdxHeaders.java [--fix]   (from the repository root)");
      System.exit(2);
    }
  }
}
