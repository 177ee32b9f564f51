// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.Defect;
import dev.tracelab.flow.Defects;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementation;
import dev.tracelab.flow.Language;
import dev.tracelab.flow.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One exercise: a boundary fixed in one implementation, e.g. {@code http/go}. What the learner
 * starts from is generated from the fixed source: the lines between the marker comments {@code
 * tracelab:exercise <boundary> begin} and {@code ... end} in {@link Implementation#fixFile()} are
 * rewritten by this task's {@link Edit}s (so they behave like the broken variant in {@code
 * broken-variants/}) under a TODO naming the boundary and the docs section. The markers stay, so
 * the learner sees where to work and the reference fix is a diff of those lines only.
 */
public enum Task {
  HTTP_JAVA(
      "http/java",
      "docs/w3c-trace-context.md (traceparent) and docs/orphans.md (1. HTTP boundary)",
      List.of(Edit.dropAll()),
      List.of(
          "Concept: the worker's SERVER span can only continue the trace if the request carries the"
              + " trace context in a header its propagator reads: W3C traceparent. Our own CLIENT span"
              + " exists, but nothing of it leaves this process.",
          "API: the SDK's TextMapPropagator (otel.getPropagators().getTextMapPropagator(), already in"
              + " the field 'propagator') writes the headers: propagator.inject(context, carrier, setter)."
              + " The carrier is the request builder 'traced', the setter RequestHeaders.INSTANCE.",
          "Exact lines: inside the CLIENT span's scope, before client.send(...)"),
      "gateway-svc",
      "HttpBoundarySpansTest"),
  HTTP_GO(
      "http/go",
      "docs/w3c-trace-context.md (traceparent) and docs/orphans.md (The same boundaries in Go and Node.js)",
      List.of(Edit.dropAll()),
      List.of(
          "Concept: otelhttp makes the CLIENT span, but the trace context only reaches the worker if"
              + " the transport injects it into the request headers with a propagator that writes W3C"
              + " traceparent. Without one, otelhttp falls back to the global propagator, which this lab"
              + " never sets: a no-op.",
          "API: otelhttp.NewTransport takes options; otelhttp.WithPropagators(p) chooses the propagator"
              + " it injects with. The service's configured propagator is the parameter 'prop'.",
          "Exact lines: one option in the otelhttp.NewTransport(...) call"),
      "gateway-svc",
      "TestFixedGatewayPropagatesTheClientSpanToTheWorker|TestIncomingTraceparentIsContinued"),
  ASYNC_JAVA(
      "async/java",
      "docs/orphans.md (2. In-process async boundary)",
      List.of(Edit.replace("Context.taskWrapping(pool)", "pool")),
      List.of(
          "Concept: the context is a thread-local of the request thread. The pool thread that runs the"
              + " task has none, so the deferred-work span starts a new trace. The context must be"
              + " captured when the task is SUBMITTED (on the request thread) and made current while it"
              + " runs.",
          "API: io.opentelemetry.context.Context.taskWrapping(ExecutorService) returns an executor that"
              + " does exactly that for every task; Context.current().wrap(runnable) does it for one.",
          "Exact lines: where the constructor sets 'contextBound'"),
      "worker-svc",
      "AsyncBoundarySpansTest"),
  ASYNC_NODE(
      "async/node",
      "docs/orphans.md (The same boundaries in Go and Node.js)",
      List.of(Edit.replace("context.bind(context.active(), job)", "job")),
      List.of(
          "Concept: AsyncLocalStorage follows the chain of awaits that created the work. The queue's"
              + " loops were started at boot, so a job they run sees their (empty) boot-time context,"
              + " not the request's. Capture the request's context when the job is SUBMITTED.",
          "API: context.bind(ctx, fn) from @opentelemetry/api returns fn bound to ctx;"
              + " context.active() is the request's context at submit time.",
          "Exact lines: the queue.push(...) in submit(job)"),
      "worker-svc",
      "async-boundary"),
  KAFKA_JAVA(
      "kafka/java",
      "docs/orphans.md (3. Kafka boundary; A link instead of a parent)",
      List.of(
          Edit.replace(
              "propagator.extract(Context.root(), record.headers(), RecordHeaders.INSTANCE)",
              "Context.root()")),
      List.of(
          "Concept: the producer injected traceparent into the record headers. The consumer must"
              + " read it back and make the producer's span the PARENT of the process span (this"
              + " service handles each record on its own; links are for batches).",
          "API: propagator.extract(Context.root(), record.headers(), getter) with the getter"
              + " RecordHeaders.INSTANCE (already in this file) returns the producer's context; parentOf"
              + " returns it and the caller uses it as setParent(...).",
          "Exact lines: the return statement of parentOf(record)"),
      "consumer-svc",
      "KafkaBoundarySpansTest"),
  KAFKA_GO(
      "kafka/go",
      "docs/orphans.md (The same boundaries in Go and Node.js)",
      List.of(
          Edit.replace(
              "prop.Extract(ctx, recordHeaders{kotel.NewRecordCarrier(r), r})",
              "context.Background()")),
      List.of(
          "Concept: the producer injected traceparent into the record headers. The process span must"
              + " start from the context extracted from them, so it is the producer span's child.",
          "API: prop.Extract(ctx, carrier) with a propagation.TextMapCarrier over the record headers:"
              + " recordHeaders{kotel.NewRecordCarrier(r), r} (already in this file).",
          "Exact lines: the return statement of the func recordParent returns"),
      "consumer-svc",
      "TestProcessSpanIsTheChildOfTheProducerSpan|TestRecordWithoutContextIsARoot"),
  /**
   * Configuration only: the stub sets each side's {@code OTEL_PROPAGATORS} as the catalog's {@code
   * propagators} defect does (the gateway B3 only, the worker W3C only).
   */
  PROPAGATORS(
      "propagators",
      "docs/orphans.md (5. Propagators that disagree)",
      propagatorEdits(),
      List.of(
          "Concept: both services propagate, in formats the other does not read. The gateway's"
              + " OTEL_PROPAGATORS writes only B3 headers (X-B3-TraceId ...); the worker's reads only W3C"
              + " traceparent, finds none and starts a new trace. No code is wrong: the configuration of"
              + " the two sides of the hop disagrees.",
          "API: OTEL_PROPAGATORS is a comma-separated list; every listed propagator injects its format"
              + " and extracts it. tracecontext = W3C traceparent, baggage = W3C baggage, b3multi = B3"
              + " headers. Give both sides the same format (tracecontext,baggage), or, during a migration,"
              + " both formats on both sides (tracecontext,baggage,b3multi). Mind the worker's next hop:"
              + " it injects into the Kafka record with its own list, and the consumer reads W3C.",
          "Exact lines: the GATEWAY_ and WORKER_ lines of " + OtelEnv.FILE),
      null,
      null),
  /** The page's allowlist: the stub is the catalog's {@code cors} defect (no API origin listed). */
  CORS(
      "cors/browser",
      "docs/browser.md (The rule: same origin, or explicitly allowed)",
      List.of(Edit.replace("[originPattern(config.apiOrigin)]", "[]")),
      List.of(
          "Concept: the fetch instrumentation sends traceparent to the page's own origin always, and"
              + " to another origin only when the URL matches an entry of propagateTraceHeaderCorsUrls."
              + " The API is another origin (another port): its requests carry no trace context, so the"
              + " gateway's SERVER span starts a new trace. List the API's origin, and only it: a"
              + " catch-all sends the trace context to every third party the page calls.",
          "API: originPattern(origin) (in this file) returns a RegExp matching exactly that origin"
              + " (scheme, host, port); config.apiOrigin is the API's origin. apiOnlyAllowlist returns"
              + " the allowlist, an array of such patterns.",
          "Exact lines: the return statement of apiOnlyAllowlist(config)"),
      "frontend",
      "propagation");

  static final String MARKER = "tracelab:exercise";

  private final String defect;
  private final String docs;
  private final List<Edit> edits;
  private final List<String> hints;
  private final String module;
  private final String spanTests;

  Task(
      String defect,
      String docs,
      List<Edit> edits,
      List<String> hints,
      String module,
      String spanTests) {
    this.defect = defect;
    this.docs = docs;
    this.edits = edits;
    this.hints = hints;
    this.module = module;
    this.spanTests = spanTests;
  }

  /** The catalog's defect this task is the exercise of ({@link Defects}). */
  public Defect defect() {
    return Defects.get(defect);
  }

  /** The boundary this task fixes: its defect's. */
  public Boundary boundary() {
    return defect().boundary();
  }

  /** The language of the code the learner fixes; null for configuration. */
  public Language language() {
    return defect().language();
  }

  /** The implementation the learner fixes; null for configuration. */
  public Implementation implementation() {
    Defect d = defect();
    return d.language() == null ? null : Implementation.of(d.role(), d.language());
  }

  /** True for the code of a lab service (Java, Go, Node.js): built, tested, run end to end. */
  public boolean isServiceCode() {
    return language() != null && Flow.SERVICES.contains(defect().role());
  }

  /** {@code http/java}, {@code async/node}, {@code cors/browser}, {@code propagators} ... */
  public String id() {
    return defect().id();
  }

  public String fixFile() {
    return defect().fixFile();
  }

  public String docs() {
    return docs;
  }

  /** The role folder (a Maven module for Java) the fix file lives in. */
  String module() {
    return module;
  }

  /**
   * The span-level tests of the boundary: a JUnit class (Java), a {@code go test -run} pattern
   * (Go), a test file under {@code test/} without {@code .test.js} (Node.js).
   */
  String spanTests() {
    return spanTests;
  }

  /** Hint {@code level} (1 concept, 2 API, 3 the exact lines, followed by them). */
  String hint(int level, String referenceLines) {
    String hint = hints.get(Math.min(level, hints.size()) - 1);
    return level >= hints.size() ? hint + ":\n" + referenceLines : hint;
  }

  static int hintLevels() {
    return 3;
  }

  public static List<Task> of(Language language) {
    List<Task> tasks = new ArrayList<>();
    for (Task t : values()) {
      if (t.language() == language) {
        tasks.add(t);
      }
    }
    return tasks;
  }

  /** The tasks every exercise has, whatever its languages: configuration and the browser page. */
  public static List<Task> shared() {
    List<Task> tasks = new ArrayList<>();
    for (Task t : values()) {
      if (!t.isServiceCode()) {
        tasks.add(t);
      }
    }
    return tasks;
  }

  /**
   * The stub's edits of {@link OtelEnv#FILE}: each role's line gets the value the catalog's {@code
   * propagators} defect runs it with.
   */
  private static List<Edit> propagatorEdits() {
    List<Edit> edits = new ArrayList<>();
    Defects.get("propagators").propagators().entrySet().stream()
        .sorted(java.util.Map.Entry.comparingByKey())
        .forEach(
            e ->
                edits.add(
                    Edit.replace(
                        OtelEnv.key(e.getKey()) + "=" + Scenario.DEFAULT_PROPAGATORS,
                        OtelEnv.key(e.getKey()) + "=" + e.getValue())));
    return edits;
  }

  public static Task of(Boundary boundary, Language language) {
    for (Task t : values()) {
      if (t.boundary() == boundary && t.language() == language) {
        return t;
      }
    }
    return null;
  }

  // ---- stub generation ----

  /**
   * The learner's starting point for {@code fixed}, the fixed source: the marked lines rewritten by
   * this task's edits, under a TODO line. Fails when the markers or an edit's text are missing (the
   * fixed source changed under the exercise: the test of every task catches it).
   */
  String stub(String fixed) {
    Region r = Region.find(fixed, boundary().id(), fixFile());
    String body = r.body();
    for (Edit e : edits) {
      body = e.apply(body, fixFile());
    }
    String todo =
        r.indent()
            + r.comment()
            + " TODO(exercise "
            + boundary().id()
            + "): "
            + todoText()
            + " See "
            + docs
            + ".\n";
    return fixed.substring(0, r.bodyStart()) + todo + body + fixed.substring(r.bodyEnd());
  }

  /** The reference lines between the markers of the fixed source, as they stand there. */
  String referenceLines(String fixed) {
    return Region.find(fixed, boundary().id(), fixFile()).body();
  }

  /**
   * The lines between the markers of any version of the file (the learner's), or null without
   * markers.
   */
  static String regionOf(String source, Boundary boundary) {
    try {
      return Region.find(source, boundary.id(), "").body();
    } catch (IllegalStateException e) {
      return null;
    }
  }

  private String todoText() {
    return switch (boundary()) {
      case HTTP -> "the worker's SERVER span starts a new trace: this call sends no trace context.";
      case ASYNC ->
          "the deferred-work span starts a new trace: the task runs without the request's context.";
      case KAFKA -> "the process span starts a new trace: the record headers' context is ignored.";
      case PROPAGATORS ->
          "the worker's SERVER span starts a new trace: the two sides propagate in formats the"
              + " other does not read.";
      case CORS ->
          "the gateway's SERVER span starts a new trace: the page sends no trace context to the"
              + " API's origin.";
    };
  }

  /** The lines strictly between a begin and an end marker line of one boundary. */
  record Region(String indent, String comment, int bodyStart, int bodyEnd, String text) {

    String body() {
      return text.substring(bodyStart, bodyEnd);
    }

    static Region find(String source, String boundary, String file) {
      Matcher begin =
          Pattern.compile(
                  "(?m)^([ \\t]*)(\\S+) "
                      + Pattern.quote(MARKER + " " + boundary)
                      + " begin[ \\t]*\\R")
              .matcher(source);
      if (!begin.find()) {
        throw new IllegalStateException(
            "no '" + MARKER + " " + boundary + " begin' marker in " + file);
      }
      Matcher end =
          Pattern.compile(
                  "(?m)^[ \\t]*\\S+ " + Pattern.quote(MARKER + " " + boundary) + " end[ \\t]*$")
              .matcher(source);
      if (!end.find(begin.end())) {
        throw new IllegalStateException(
            "no '" + MARKER + " " + boundary + " end' marker after its begin in " + file);
      }
      return new Region(begin.group(1), begin.group(2), begin.end(), end.start(), source);
    }
  }

  /** One rewrite of the marked lines: a literal replacement, or dropping them all. */
  record Edit(String from, String to) {

    static Edit replace(String from, String to) {
      return new Edit(from, to);
    }

    static Edit dropAll() {
      return new Edit(null, null);
    }

    String apply(String body, String file) {
      if (from == null) {
        return "";
      }
      if (!body.contains(from)) {
        throw new IllegalStateException(
            "the fix in " + file + " no longer contains '" + from + "': update the exercise");
      }
      return body.replace(from, to);
    }
  }
}
