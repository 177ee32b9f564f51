// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.Defects;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Language;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./lab exercise check [BOUNDARY]}: rebuilds, runs each chosen task's span-level tests and
 * one end-to-end scenario per combination of implementations, and prints per task: fixed or still
 * broken, the observed fragments, the auditor's diagnosis, a recognised wrong fix, and the next
 * hint.
 */
public final class Checker {

  /** One task's verdict. */
  public record Result(Task task, boolean fixed, WrongFix wrongFix, int hintLevel) {}

  private final Workspace workspace;
  private final PrintStream out;

  public Checker(Workspace workspace, PrintStream out) {
    this.workspace = workspace;
    this.out = out;
  }

  /** The chosen tasks: all of the exercise's, or those of one boundary. */
  static List<Task> chosen(Workspace.State s, String boundary) {
    if (boundary == null) {
      return s.tasks();
    }
    Boundary b = parseBoundary(boundary);
    List<Task> tasks = s.tasks().stream().filter(t -> t.boundary() == b).toList();
    if (tasks.isEmpty()) {
      throw new ExerciseException(
          "no "
              + b.id()
              + " exercise in "
              + String.join(", ", s.languages)
              + " (boundaries here: "
              + Workspace.boundaryIds(s)
              + ")");
    }
    return tasks;
  }

  /** An exercise's boundary by id: one of the defect catalog's exercises. */
  public static Boundary parseBoundary(String id) {
    for (Boundary b : Boundary.values()) {
      if (b.id().equals(id) && Defects.exercises().contains(id)) {
        return b;
      }
    }
    throw new ExerciseException(
        "unknown boundary '" + id + "' (" + String.join(", ", Defects.exercises()) + ")");
  }

  public List<Result> check(String boundary) {
    Workspace.State s = workspace.load();
    List<Task> tasks = chosen(s, boundary);
    Git git = new Git(workspace.root());
    if (!s.branch.equals(git.branch())) {
      throw new ExerciseException(
          "the exercise is on branch "
              + s.branch
              + ", this checkout is on "
              + git.branch()
              + ": git checkout "
              + s.branch);
    }
    Map<Task, SpanTests.Outcome> built = new SpanTests(workspace.root()).run(tasks, out);

    EndToEnd e2e = new EndToEnd(workspace.root());
    Map<Task, EndToEnd.Observation> seen = new LinkedHashMap<>();
    Map<Task, EndToEnd.Wire> wires = new LinkedHashMap<>();
    Map<Task, String> notRun = new LinkedHashMap<>();
    List<Language> languages = s.languages.stream().map(Language::parse).toList();
    for (Implementations combination : EndToEnd.combinations(languages)) {
      List<Task> here =
          tasks.stream()
              .filter(Task::isServiceCode)
              .filter(t -> combination.of(t.implementation().role()) == t.implementation())
              .toList();
      if (here.isEmpty()) {
        continue;
      }
      List<Task> unbuilt =
          s.tasks().stream()
              .filter(Task::isServiceCode)
              .filter(t -> combination.of(t.implementation().role()) == t.implementation())
              .filter(t -> built.containsKey(t) && !built.get(t).compiles())
              .toList();
      if (!unbuilt.isEmpty()) {
        here.forEach(
            t ->
                notRun.put(
                    t, "not run end to end: " + unbuilt.get(0).fixFile() + " does not build"));
        continue;
      }
      out.println(
          "running one scenario end to end on "
              + combination.label()
              + " ("
              + EndToEnd.REQUESTS
              + " orders, Kafka and the auditor embedded) ...");
      Map<Boundary, EndToEnd.Wire> wire = new LinkedHashMap<>();
      boolean http = here.stream().anyMatch(t -> t.boundary() == Boundary.HTTP);
      Map<Boundary, EndToEnd.Observation> observed;
      try {
        observed = e2e.run(combination, wire, http ? List.of(Boundary.HTTP) : List.of());
      } catch (RuntimeException e) {
        here.forEach(t -> notRun.put(t, "the end-to-end run failed: " + e.getMessage()));
        continue;
      }
      for (Task t : here) {
        seen.put(t, observed.get(t.boundary()));
        if (wire.containsKey(t.boundary())) {
          wires.put(t, wire.get(t.boundary()));
        }
      }
    }

    Map<Task, List<String>> leaks = new LinkedHashMap<>();
    SharedChecks shared = new SharedChecks(workspace.root());
    for (Task t : tasks) {
      if (t.isServiceCode()) {
        continue;
      }
      if (!built.get(t).compiles()) {
        notRun.put(t, "not run end to end: " + t.fixFile() + " does not build");
        continue;
      }
      out.println(
          t.language() == null
              ? "running the lab end to end with the OTEL_PROPAGATORS of "
                  + OtelEnv.FILE
                  + " ("
                  + EndToEnd.REQUESTS
                  + " orders) ..."
              : "running the page in Chromium, one order through the API origin (the lab embedded) ...");
      try {
        SharedChecks.Seen seenHere =
            t.language() == null
                ? shared.propagators(OtelEnv.read(workspace.root()))
                : shared.cors();
        seen.put(t, seenHere.observation());
        leaks.put(t, seenHere.leaked());
      } catch (RuntimeException e) {
        notRun.put(t, "the end-to-end run failed: " + e.getMessage());
      }
    }

    List<Result> results = new ArrayList<>();
    out.println();
    for (Task t : tasks) {
      SpanTests.Outcome b = built.get(t);
      EndToEnd.Observation o = seen.get(t);
      List<String> leaked = leaks.getOrDefault(t, List.of());
      boolean fixed =
          b.passed() && o != null && o.verdict() == EndToEnd.Verdict.CONNECTED && leaked.isEmpty();
      WrongFix wrong = fixed ? null : recognise(t, o, wires.get(t), leaked);
      int level = s.hints.getOrDefault(t.id(), 0);
      // judged broken: it built, and failed its span-level tests or ran end to end. Code that does
      // not
      // compile (here or in a file the end-to-end run needs) was not judged: it uses no hint.
      boolean judged = b.compiles() && (!b.passed() || o != null);
      if (!fixed && judged) {
        level = Math.min(level + 1, Task.hintLevels());
        s.hints.put(t.id(), level);
      }
      s.results.put(
          t.id(),
          fixed ? "fixed" : b.compileError() ? "does not compile" : judged ? "broken" : "not run");
      results.add(new Result(t, fixed, wrong, level));
      print(s, t, fixed, judged, b, o, notRun.get(t), wires.get(t), leaked, wrong, level);
    }
    workspace.save(s);
    long done = results.stream().filter(Result::fixed).count();
    out.printf(
        "%n%d of %d fixed%s%n",
        done,
        results.size(),
        done == results.size()
            ? ": every chosen boundary carries the context. Well done."
            : " (./lab exercise check again after your next change; ./lab exercise solution BOUNDARY shows the reference"
                + " fix, --apply puts it in place and saves your version)");
    return results;
  }

  private void print(
      Workspace.State s,
      Task t,
      boolean fixed,
      boolean judged,
      SpanTests.Outcome b,
      EndToEnd.Observation o,
      String notRun,
      EndToEnd.Wire wire,
      List<String> leaked,
      WrongFix wrong,
      int level) {
    out.printf(
        "== %-11s %s  %s%n",
        t.id(),
        fixed ? "FIXED" : b.compileError() ? "DOES NOT COMPILE" : "STILL BROKEN",
        t.fixFile());
    if (b.compileError()) {
      out.println("   " + indent(b.detail(), "                     "));
      out.println(
          "   no hint used: make it compile, then ./lab exercise check "
              + t.boundary().id()
              + " again");
      out.println();
      return;
    }
    out.println("   span-level tests: " + indent(b.detail(), "     "));
    if (notRun != null) {
      out.println("   " + notRun);
    }
    if (o != null) {
      out.println("   end to end: " + describe(o) + "; the request's fragments:");
      for (String line : tree(o)) {
        out.println("     " + line);
      }
      if (o.diagnosis() != null && !fixed) {
        out.println(
            "   diagnosis: "
                + o.diagnosis().boundary()
                + " boundary at "
                + o.diagnosis().service()
                + " '"
                + o.diagnosis().span()
                + "': "
                + o.diagnosis().fix());
      }
    }
    if (wire != null && !wire.request().isEmpty()) {
      out.println("   on the wire, POST /work carried: " + interesting(wire.request()));
    }
    if (!leaked.isEmpty()) {
      out.println("   the third party (analytics origin) received: " + String.join("; ", leaked));
    }
    if (wrong != null) {
      out.println("   wrong fix: " + wrong.hint(observedFor(wrong, t, o, wire, leaked)));
    }
    if (!fixed && judged) {
      String reference = t.referenceLines(workspace.reference(s, t)).stripTrailing();
      out.println(
          "   hint "
              + level
              + "/"
              + Task.hintLevels()
              + ": "
              + indent(t.hint(level, reference), "     "));
    }
    out.println();
  }

  private static String describe(EndToEnd.Observation o) {
    ReceivedSpan s = o.span();
    return switch (o.verdict()) {
      case CONNECTED ->
          "'"
              + s.name()
              + "' ("
              + s.service()
              + ") is the child of the span before it, in one trace";
      case ROOT -> "'" + s.name() + "' (" + s.service() + ") starts a new trace (no parent)";
      case LINKED ->
          "'" + s.name() + "' (" + s.service() + ") starts a new trace with a link, no parent";
      case WRONG_PARENT ->
          "'"
              + s.name()
              + "' ("
              + s.service()
              + ") has the parent "
              + (o.actualParent() == null
                  ? s.parentSpanId() + " (not received)"
                  : "'" + o.actualParent().name() + "' (" + o.actualParent().service() + ")")
              + ", not the expected one";
      case NOT_SEEN -> "the span was not received";
    };
  }

  /**
   * The recognised wrong fix of a broken task, from the wire and the trace first, the code where
   * they cannot tell.
   */
  private WrongFix recognise(
      Task t, EndToEnd.Observation o, EndToEnd.Wire wire, List<String> leaked) {
    switch (t.boundary()) {
      case CORS -> {
        return leaked.isEmpty() ? null : WrongFix.CATCH_ALL_ALLOWLIST;
      }
      case PROPAGATORS -> {
        if (o != null
            && o.span() != null
            && o.verdict() == EndToEnd.Verdict.ROOT
            && !o.span().service().equals(Flow.WORKER)) {
          return WrongFix.MISMATCH_MOVED;
        }
        return null;
      }
      case HTTP -> {
        if (o != null
            && o.verdict() == EndToEnd.Verdict.WRONG_PARENT
            && o.actualParent() != null
            && o.actualParent().kind() == io.opentelemetry.api.trace.SpanKind.SERVER) {
          return WrongFix.SERVER_SPAN_CONTEXT;
        }
        if (wire != null && !wire.request().containsKey("traceparent")) {
          if (!idHeaders(wire.request()).isEmpty()) {
            return WrongFix.ID_HEADER_ONLY;
          }
          if (wire.request().keySet().stream()
              .anyMatch(k -> k.startsWith("x-b3-") || k.equals("b3"))) {
            return WrongFix.B3_ONLY;
          }
          if (wire.response().containsKey("traceparent")) {
            return WrongFix.INJECTED_ON_SERVER;
          }
        }
        return null;
      }
      case ASYNC -> {
        if (o != null && o.verdict() == EndToEnd.Verdict.ROOT && bindingCall(t) != null) {
          return WrongFix.BOUND_AT_RUN;
        }
        return null;
      }
      case KAFKA -> {
        if (o != null && o.verdict() == EndToEnd.Verdict.LINKED) {
          return WrongFix.LINK_NOT_PARENT;
        }
        if (o != null && o.verdict() == EndToEnd.Verdict.ROOT && extractCall(t) != null) {
          return WrongFix.EXTRACTED_NOT_PARENT;
        }
        return null;
      }
      default -> {
        return null;
      }
    }
  }

  private String observedFor(
      WrongFix wrong, Task t, EndToEnd.Observation o, EndToEnd.Wire wire, List<String> leaked) {
    return switch (wrong) {
      case CATCH_ALL_ALLOWLIST -> String.join("; ", leaked);
      case MISMATCH_MOVED -> "'" + o.span().name() + "' (" + o.span().service() + ")";
      case ID_HEADER_ONLY -> String.join(", ", idHeaders(wire.request()));
      case B3_ONLY -> interesting(wire.request());
      case INJECTED_ON_SERVER -> t.fixFile();
      case SERVER_SPAN_CONTEXT -> o.actualParent().name();
      case BOUND_AT_RUN -> bindingCall(t);
      case EXTRACTED_NOT_PARENT -> extractCall(t);
      case LINK_NOT_PARENT ->
          o.span().links().isEmpty() ? "" : "link -> span " + o.span().links().get(0).spanId();
    };
  }

  private static final Pattern ID_HEADER =
      Pattern.compile(
          "(?i)^x-(b3-)?(trace|request|correlation|span)[-_]?id$|^x-(trace|request)-?id$");

  private static List<String> idHeaders(Map<String, String> headers) {
    List<String> out = new ArrayList<>();
    headers.forEach(
        (k, v) -> {
          if (ID_HEADER.matcher(k).matches() && !k.startsWith("x-b3-")) {
            out.add(k + ": " + v);
          }
        });
    return out;
  }

  /** The propagation-related headers of a request (not Host, Content-Type ...). */
  private static String interesting(Map<String, String> headers) {
    List<String> out = new ArrayList<>();
    headers.forEach(
        (k, v) -> {
          if (k.equals("traceparent")
              || k.equals("tracestate")
              || k.equals("baggage")
              || k.startsWith("x-b3-")
              || k.equals("b3")
              || ID_HEADER.matcher(k).matches()) {
            out.add(k + ": " + v);
          }
        });
    return out.isEmpty() ? "no trace context header at all" : String.join(", ", out);
  }

  private static final Pattern BIND =
      Pattern.compile(
          "Context\\.taskWrapping\\([^)]*\\)|Context\\.current\\(\\)\\.wrap\\(|\\.wrap\\(|context\\.bind\\([^;]*|context\\.with\\(");
  private static final Pattern EXTRACT = Pattern.compile("\\.(extract|Extract)\\([^;\\n]*");

  private String bindingCall(Task t) {
    return firstMatch(BIND, code(workspace.current(t)));
  }

  private String extractCall(Task t) {
    return firstMatch(EXTRACT, code(workspace.current(t)));
  }

  private static String firstMatch(Pattern p, String code) {
    Matcher m = p.matcher(code);
    return m.find() ? m.group().strip() : null;
  }

  /**
   * Source without comments (block and line comments; good enough for Java, Go and JavaScript
   * here).
   */
  static String code(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)//.*$", "");
  }

  /** The fragments of the request as small trees: one line per span, name, service, kind, links. */
  static List<String> tree(EndToEnd.Observation o) {
    List<String> lines = new ArrayList<>();
    List<AssembledTrace> fragments = new ArrayList<>(o.fragments());
    fragments.sort(
        Comparator.comparingLong(
            t -> t.spans().stream().mapToLong(ReceivedSpan::startEpochNanos).min().orElse(0)));
    for (AssembledTrace t : fragments) {
      List<ReceivedSpan> spans = new ArrayList<>(t.spans());
      spans.sort(Comparator.comparingLong(ReceivedSpan::startEpochNanos));
      lines.add(
          "trace "
              + t.traceId().substring(0, 8)
              + "… ("
              + spans.size()
              + " span"
              + (spans.size() == 1 ? "" : "s")
              + ")");
      Set<String> ids = new HashSet<>();
      spans.forEach(s -> ids.add(s.spanId()));
      Map<String, List<ReceivedSpan>> children = new LinkedHashMap<>();
      List<ReceivedSpan> roots = new ArrayList<>();
      for (ReceivedSpan s : spans) {
        if (s.parentSpanId() == null || !ids.contains(s.parentSpanId())) {
          roots.add(s);
        } else {
          children.computeIfAbsent(s.parentSpanId(), k -> new ArrayList<>()).add(s);
        }
      }
      for (ReceivedSpan r : roots) {
        render(r, 0, children, lines, o.span());
      }
    }
    return lines;
  }

  private static void render(
      ReceivedSpan s,
      int depth,
      Map<String, List<ReceivedSpan>> children,
      List<String> lines,
      ReceivedSpan boundarySpan) {
    String indent = "  " + (depth == 0 ? "" : "   ".repeat(depth - 1) + "└─ ");
    String mark =
        boundarySpan != null && s.spanId().equals(boundarySpan.spanId())
            ? "   <- this boundary"
            : "";
    lines.add(
        indent
            + s.name()
            + "  ("
            + s.service()
            + " "
            + s.kind()
            + ")"
            + (s.isRoot() && depth == 0 && s.links().isEmpty() ? "" : "")
            + (s.links().isEmpty() ? "" : "  link -> span " + s.links().get(0).spanId())
            + mark);
    for (ReceivedSpan c : children.getOrDefault(s.spanId(), List.of())) {
      render(c, depth + 1, children, lines, boundarySpan);
    }
  }

  private static String indent(String text, String prefix) {
    return text.replace("\n", "\n" + prefix);
  }
}
