// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.workshop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ./lab ...} commands a learner meets in the docs, in document order, as {@link
 * WorkshopRunTest} runs them:
 *
 * <ul>
 *   <li>docs/workshop.md: every code span (inline, in tables, or a line of a fenced block) that
 *       starts with {@code ./lab};
 *   <li>README.md: the first code span of each row of its command tables (a table whose first
 *       header cell is {@code command}).
 * </ul>
 *
 * A synopsis is run in its shortest form: optional parts ({@code [...]}) dropped. What still holds
 * a placeholder ({@code N}, {@code FILE...}, {@code <boundary>}) or alternatives ({@code a | b}) is
 * not runnable and is listed as such. A marker {@code <!-- workshop-test: skip (reason) -->}
 * excludes the commands of its line (or, alone on its line, of the next line with a command), with
 * the reason; {@code <!-- workshop-test: exit N -->} says the exit code the doc expects there. A
 * command preceded in its table cell (or line) by the word "edit" follows the learner's edit:
 * {@link Command#afterEdit()}.
 */
final class WorkshopDocs {

  /** One command as the doc shows it, and what the test makes of it. */
  record Command(
      String file,
      int line,
      String section,
      String text,
      String runnable, // the form run, or null when it is not runnable
      String skipReason, // a marker's reason, or why it cannot run (placeholders), or null
      Integer expectedExit, // a marker's exit code, or null (the test's model decides)
      boolean afterEdit) { // "edit ..., `./lab exercise check B`": the learner wrote the fix first

    boolean runs() {
      return runnable != null && skipReason == null;
    }

    String where() {
      return file + ":" + line;
    }
  }

  private static final Pattern SPAN = Pattern.compile("`([^`]+)`");
  private static final Pattern EDIT = Pattern.compile("(?i)\\bedit\\b");
  private static final Pattern MARKER =
      Pattern.compile("<!--\\s*workshop-test:\\s*(?:skip\\s*\\((.+?)\\)|exit\\s+(\\d+))\\s*-->");
  private static final Pattern PLACEHOLDER =
      Pattern.compile("(^|\\s)([A-Z][A-Z_]*(\\.\\.\\.)?|<[^>]+>|\\S*\\.\\.\\.)(?=\\s|$)");

  private WorkshopDocs() {}

  /** The commands of docs/workshop.md, then README.md's command tables, under {@code root}. */
  static List<Command> commands(Path root) {
    List<Command> all = new ArrayList<>();
    all.addAll(parse("docs/workshop.md", read(root.resolve("docs/workshop.md")), false));
    all.addAll(parse("README.md", read(root.resolve("README.md")), true));
    return all;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @param tablesOnly only the first code span of the rows of command tables (README)
   */
  static List<Command> parse(String file, String markdown, boolean tablesOnly) {
    List<Command> out = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    boolean fence = false;
    boolean commandTable = false;
    boolean inTable = false;
    String section = "(top)";
    Matcher pending = null; // a marker alone on its line, for the next line with commands
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String trimmed = line.strip();
      if (trimmed.startsWith("```")) {
        fence = !fence;
        continue;
      }
      List<String> found = new ArrayList<>();
      List<Boolean> edits = new ArrayList<>();
      if (fence) {
        if (!tablesOnly && (trimmed.startsWith("./lab ") || trimmed.equals("./lab"))) {
          found.add(trimmed.replaceFirst("\\s+#.*$", ""));
          edits.add(false);
        }
      } else {
        if (trimmed.startsWith("## ")) {
          section = trimmed.substring(3).strip();
        }
        boolean tableLine = trimmed.startsWith("|");
        if (tableLine && !inTable) {
          commandTable = firstCell(trimmed).equals("command");
        }
        inTable = tableLine;
        if (tablesOnly) {
          if (tableLine && commandTable && !trimmed.matches("\\|[-| :]+\\|?")) {
            Matcher m = SPAN.matcher(firstCell(trimmed));
            if (m.find() && m.group(1).startsWith("./lab")) {
              found.add(m.group(1));
              edits.add(false);
            }
          }
        } else {
          Matcher m = SPAN.matcher(line);
          while (m.find()) {
            if (m.group(1).startsWith("./lab ") || m.group(1).equals("./lab")) {
              found.add(m.group(1));
              String before = line.substring(0, m.start());
              String cell = before.substring(before.lastIndexOf('|') + 1);
              edits.add(EDIT.matcher(cell).find());
            }
          }
        }
      }
      Matcher marker = MARKER.matcher(line);
      boolean hasMarker = marker.find();
      if (found.isEmpty()) {
        if (hasMarker) {
          pending = marker;
        }
        continue;
      }
      Matcher applies = hasMarker ? marker : pending;
      pending = null;
      for (int k = 0; k < found.size(); k++) {
        out.add(
            command(
                file,
                i + 1,
                section,
                found.get(k).replace("\\|", "|").strip(),
                applies,
                edits.get(k)));
      }
    }
    return out;
  }

  private static String firstCell(String row) {
    String r = row.startsWith("|") ? row.substring(1) : row;
    // a cell ends at an unescaped |
    StringBuilder cell = new StringBuilder();
    for (int i = 0; i < r.length(); i++) {
      char c = r.charAt(i);
      if (c == '\\' && i + 1 < r.length() && r.charAt(i + 1) == '|') {
        cell.append("\\|");
        i++;
      } else if (c == '|') {
        break;
      } else {
        cell.append(c);
      }
    }
    return cell.toString().strip();
  }

  private static Command command(
      String file, int line, String section, String text, Matcher marker, boolean afterEdit) {
    String skip = null;
    Integer exit = null;
    if (marker != null) {
      if (marker.group(1) != null) {
        skip = marker.group(1).strip();
      } else {
        exit = Integer.parseInt(marker.group(2));
      }
    }
    String reduced = shortest(text);
    String runnable = reduced;
    if (reduced.contains("|")) {
      runnable = null;
      skip = skip != null ? skip : "a synopsis of several commands (alternatives)";
    } else {
      Matcher p = PLACEHOLDER.matcher(reduced);
      if (p.find()) {
        runnable = null;
        skip = skip != null ? skip : "a synopsis: placeholder " + p.group(2).strip();
      }
    }
    return new Command(file, line, section, text, runnable, skip, exit, afterEdit);
  }

  /** The synopsis without its optional parts: every {@code [...]} removed, innermost first. */
  static String shortest(String text) {
    String s = text;
    String before;
    do {
      before = s;
      s = s.replaceAll("\\s*\\[[^\\[\\]]*\\]", "");
    } while (!s.equals(before));
    return s.replaceAll("\\s+", " ").strip();
  }
}
