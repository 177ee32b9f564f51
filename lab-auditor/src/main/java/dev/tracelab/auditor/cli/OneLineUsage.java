// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Bad usage in one line on stderr, exit 2: {@code lab: unknown option '--foo' (./lab demo --help)}
 * instead of picocli's message followed by the whole usage help; a value that is not a number and a
 * missing value said as before picocli ({@code --requests must be an integer, was 'x'}). The prefix
 * is {@code audit: } inside {@code audit} (as the standalone auditor says it), the given one
 * elsewhere.
 */
public final class OneLineUsage implements CommandLine.IParameterExceptionHandler {

  private final String prefix;

  /** {@code prefix}: what starts each message outside {@code audit}, e.g. {@code "lab: "}. */
  public OneLineUsage(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cl = ex.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println(prefix(cl) + message(ex) + " (" + helpCommand(cl) + ")");
    err.flush();
    return cl.getCommandSpec().exitCodeOnInvalidInput();
  }

  private String prefix(CommandLine cl) {
    for (CommandLine c = cl; c != null; c = c.getParent()) {
      if (c.getCommandSpec().userObject() instanceof AuditCommand) {
        return "audit: ";
      }
    }
    return prefix;
  }

  /** picocli's message, first line, and a shorter one for an unknown option or argument. */
  static String message(ParameterException ex) {
    if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().get(0);
      CommandSpec spec = ex.getCommandLine().getCommandSpec();
      if (first.startsWith("-")) {
        return "unknown option '" + first + "'" + suggestion(u);
      }
      if (!spec.subcommands().isEmpty() && spec.positionalParameters().isEmpty()) {
        return "unknown command '" + first + "'" + suggestion(u);
      }
      return "unexpected argument '" + first + "'";
    }
    if (ex.getArgSpec() instanceof OptionSpec option && ex.getValue() != null) {
      Class<?> type = option.type();
      if (type == int.class || type == Integer.class) {
        return option.longestName() + " must be an integer, was '" + ex.getValue() + "'";
      }
      if (type == double.class || type == Double.class) {
        return option.longestName() + " must be a number, was '" + ex.getValue() + "'";
      }
    }
    if (ex instanceof MissingParameterException missing
        && missing.getMissing().size() == 1
        && missing.getMissing().get(0) instanceof OptionSpec option
        && ex.getMessage() != null
        && ex.getMessage().startsWith("Missing required parameter for option")) {
      return option.longestName() + " needs a value";
    }
    String m = ex.getMessage() == null ? "bad usage" : ex.getMessage();
    return m.lines().findFirst().orElse(m);
  }

  private static String suggestion(UnmatchedArgumentException u) {
    List<String> s = u.getSuggestions();
    return s.isEmpty()
        ? ""
        : "; did you mean " + String.join(" or ", s.subList(0, Math.min(3, s.size()))) + "?";
  }

  /** {@code ./lab demo --help}: the qualified name of the command, then --help. */
  private static String helpCommand(CommandLine cl) {
    return cl.getCommandSpec().qualifiedName() + " --help";
  }
}
