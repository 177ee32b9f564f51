// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.auditor.cli.AuditCommand;
import dev.tracelab.auditor.cli.OneLineUsage;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;
import picocli.CommandLine.ScopeType;

/**
 * {@code ./lab <command> [options]}: demo, up, load, gate, trace, ... (picocli; each command's help
 * is generated from its options). Exit codes: 0 ok, 1 gate failed or runtime failure, 2 bad usage
 * (one-line message).
 */
@Command(
    name = "./lab",
    synopsisSubcommandLabel = "<command>",
    description = "tracelab: orphan spans, measured by the auditor (README.md, docs/workshop.md).",
    commandListHeading = "%nCommands (./lab <command> --help for each one's options):%n")
public final class Lab implements Callable<Integer> {

  static final String MISSING_COMMAND =
      "missing command (demo, up, load, gate, trace, audit, sampling, chaos, longrun, exercise,"
          + " screenshot, bench; ./lab help)";

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "this help")
  private boolean help;

  @Option(
      names = "--offline",
      scope = ScopeType.INHERIT,
      description =
          "(any command) never fetch an optional part (Zipkin jar, collector build, Envoy); also"
              + " TRACELAB_OFFLINE=1")
  private boolean offline;

  private Lab() {}

  /** The text after the command list: LANG, the scenarios and the defects. */
  static String footer() {
    return String.join(
        "\n",
        "",
        "LANG (demo, up, gate, trace, longrun, bench overhead; each service's implementation,"
            + " java by default):",
        "  [--gateway-lang java|go] [--worker-lang java|node] [--consumer-lang java|go] [--polyglot]",
        "  [--mesh] [--instrumentation sdk|agent]  (--polyglot = go/node/go; --mesh: the gateway ->"
            + " worker hop through Envoy)",
        "scenarios: " + dev.tracelab.flow.Scenario.ids(),
        "defects (docs/orphans.md; switch each on alone):",
        defects(),
        "");
  }

  /** One line per defect of the catalog: its id and its switch. */
  private static String defects() {
    StringBuilder sb = new StringBuilder();
    for (dev.tracelab.flow.Defect d : dev.tracelab.flow.Defects.ALL) {
      if (!sb.isEmpty()) {
        sb.append('\n');
      }
      sb.append(String.format("  %-15s %s", d.id(), d.switchText()));
      if (d.scenario() != null) {
        sb.append("; scenario ").append(d.scenario());
      }
      if (d.exercise() != null) {
        sb.append("; exercise ").append(d.exercise());
      }
    }
    return sb.toString();
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  @Override
  public Integer call() {
    throw new UsageException(MISSING_COMMAND);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    dev.tracelab.env.Steps.listen(new Progress.Steps(err)); // builds on first use, with their time
    return commandLine(out, err).execute(args);
  }

  /** {@code ./lab} and its commands, writing to {@code out} and {@code err}. */
  static CommandLine commandLine(PrintStream out, PrintStream err) {
    Lab lab = new Lab();
    CommandLine cl =
        new CommandLine(lab)
            .addSubcommand(new CommandLine.HelpCommand())
            .addSubcommand(new DemoCommand(out, err))
            .addSubcommand(new UpCommand(out, err))
            .addSubcommand(new LoadCommand(out, err))
            .addSubcommand(new GateCommand(out, err))
            .addSubcommand(new TraceCommand(out, err))
            .addSubcommand(new AuditCommand(out, err))
            .addSubcommand(new SamplingCommand(out, err))
            .addSubcommand(new ChaosCommand(out, err))
            .addSubcommand(ExerciseCommand.commandLine(ExerciseCommand.root(), out))
            .addSubcommand(new LongrunCommand(out, err))
            .addSubcommand(new ScreenshotCommand(out, err))
            .addSubcommand(
                new CommandLine(new BenchCommand())
                    .addSubcommand(new BenchCommand.Ingest(out, err))
                    .addSubcommand(new BenchScale(out, err))
                    .addSubcommand(new BenchOverhead(out, err)));
    // the footer as written: picocli would wrap the defect lines without their indentation
    cl.getHelpSectionMap()
        .put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> footer());
    cl.setExecutionStrategy(parsed -> execute(parsed, lab, err));
    return configure(cl, out, err);
  }

  /**
   * {@code cl} writing to {@code out} and {@code err}, a usage error in one line (exit 2), a
   * failure in one line (exit 1).
   */
  static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
    cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cl.setUsageHelpWidth(100);
    cl.setOverwrittenOptionsAllowed(true); // --requests 5 --requests 6: the last one, as always
    cl.setParameterExceptionHandler(new OneLineUsage("lab: "));
    cl.setExecutionExceptionHandler(
        (e, failed, parsed) -> {
          if (e instanceof UsageException) {
            err.println("lab: " + e.getMessage());
            return 2;
          }
          err.println("lab: " + command(failed) + " failed: " + e.getMessage());
          return 1;
        });
    return cl;
  }

  /** The help when asked for; else the optional parts the command needs, then the command. */
  private static int execute(ParseResult parsed, Lab lab, PrintStream err) {
    Integer help = CommandLine.executeHelpRequest(parsed);
    if (help != null) {
      return help;
    }
    List<CommandLine> chain = parsed.asCommandLineList();
    // ./lab bench without ingest, scale or overhead is bad usage: no collector built for it
    boolean benchAlone =
        chain.get(chain.size() - 1).getCommandSpec().userObject() instanceof BenchCommand;
    if (parsed.hasSubcommand() && !benchAlone) {
      CommandLine command = parsed.subcommand().commandSpec().commandLine();
      String name = command.getCommandName();
      List<String> rest = new ArrayList<>(parsed.originalArgs());
      rest.removeIf(a -> a.equals("--offline"));
      rest.remove(name);
      try {
        OptionalParts.ensure(
            name,
            OptionalParts.needed(name, rest.toArray(String[]::new)),
            OptionalParts.offline(lab.offline),
            err);
      } catch (RuntimeException e) {
        throw new CommandLine.ExecutionException(command, e.getMessage(), e);
      }
    }
    return new RunLast().execute(parsed);
  }

  /** The top-level command {@code cl} is or is under: {@code bench} for {@code bench scale}. */
  private static String command(CommandLine cl) {
    CommandLine c = cl;
    while (c.getParent() != null && c.getParent().getParent() != null) {
      c = c.getParent();
    }
    return c.getCommandName();
  }

  static String version() {
    String v = Lab.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
