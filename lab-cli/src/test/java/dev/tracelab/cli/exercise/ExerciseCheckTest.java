// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.flow.Language;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check} on a fresh exercise workspace, per language: the stubs are broken with the first
 * hint; each known wrong fix gets its specific hint (recognised from the wire or the trace) and the
 * next hint; code that does not compile is reported as such and uses no hint; the reference fixes
 * pass (exit 0 of the command), applied by {@code solution --apply} too.
 */
class ExerciseCheckTest {

  @TempDir Path tmp;

  @Test
  void java() {
    ExerciseClone clone = ExerciseClone.withNodeModules(tmp);
    clone.workspace.start("java", ExerciseClone.CODE);
    String http = Task.HTTP_JAVA.fixFile();
    String async = Task.ASYNC_JAVA.fixFile();
    String kafka = Task.KAFKA_JAVA.fixFile();

    // wrong fixes, round 1: an id header; binding when the task runs; a link instead of a parent
    clone.edit(
        http,
        clone.todoLine(http, "http"),
        "      traced.header(\"X-Trace-ID\", span.getSpanContext().getTraceId());");
    clone.edit(
        async,
        "contextBound.execute(task);",
        "contextBound.execute(() -> Context.current().wrap(task).run());");
    clone.edit(
        kafka,
        "  /** Reads propagation headers",
        String.join(
            "\n",
            "  @Override",
            "  public io.opentelemetry.api.trace.SpanBuilder lineage(",
            "      io.opentelemetry.api.trace.SpanBuilder builder, ConsumerRecord<String, String> record) {",
            "    Context extracted = propagator.extract(Context.root(), record.headers(), RecordHeaders.INSTANCE);",
            "    return builder.setNoParent().addLink(io.opentelemetry.api.trace.Span.fromContext(extracted).getSpanContext());",
            "  }",
            "",
            "  /** Reads propagation headers"));
    ExerciseClone.Check first = clone.check();
    assertThat(first.of(Task.HTTP_JAVA))
        .isEqualTo(new Checker.Result(Task.HTTP_JAVA, false, WrongFix.ID_HEADER_ONLY, 1));
    assertThat(first.of(Task.ASYNC_JAVA))
        .isEqualTo(new Checker.Result(Task.ASYNC_JAVA, false, WrongFix.BOUND_AT_RUN, 1));
    assertThat(first.of(Task.KAFKA_JAVA))
        .isEqualTo(new Checker.Result(Task.KAFKA_JAVA, false, WrongFix.LINK_NOT_PARENT, 1));
    assertThat(first.output())
        .contains("wrong fix: The request carries an id header (x-trace-id: ")
        .contains(
            "wrong fix: The code binds a context (Context.current().wrap(), but when the task RUNS")
        .contains("wrong fix: The process span starts a new trace with a LINK to the producer span")
        .contains("'process orders' (consumer-svc) starts a new trace with a link, no parent")
        .contains("hint 1/3: Concept:")
        .contains("0 of 3 fixed");

    // round 2: the server span's context injected; extracted but no parent
    clone.workspace.reset();
    clone.edit(
        http,
        "    Span span = ClientSpans.start(tracer, request);",
        "    Context callerContext = Context.current();\n    Span span = ClientSpans.start(tracer, request);");
    clone.edit(
        http,
        clone.todoLine(http, "http"),
        "      propagator.inject(callerContext, traced, RequestHeaders.INSTANCE);");
    clone.edit(
        kafka,
        "    return Context.root();",
        "    Context extracted = propagator.extract(Context.root(), record.headers(), RecordHeaders.INSTANCE);\n    return Context.root();");
    ExerciseClone.Check second = clone.check();
    assertThat(second.of(Task.HTTP_JAVA))
        .isEqualTo(new Checker.Result(Task.HTTP_JAVA, false, WrongFix.SERVER_SPAN_CONTEXT, 1));
    assertThat(second.of(Task.ASYNC_JAVA))
        .isEqualTo(new Checker.Result(Task.ASYNC_JAVA, false, null, 1));
    assertThat(second.of(Task.KAFKA_JAVA))
        .isEqualTo(new Checker.Result(Task.KAFKA_JAVA, false, WrongFix.EXTRACTED_NOT_PARENT, 1));
    assertThat(second.output())
        .contains(
            "'POST /work' (worker-svc) has the parent 'POST /orders' (gateway-svc), not the expected one")
        .contains(
            "wrong fix: The code extracts the context from the record headers (.extract(Context.root(), record.headers(), RecordHeaders.INSTANCE)");

    // a second check of a still-broken boundary reveals the next hint
    ExerciseClone.Check third = clone.check();
    assertThat(third.of(Task.ASYNC_JAVA).hintLevel()).isEqualTo(2);
    assertThat(third.output())
        .contains("hint 2/3: API: io.opentelemetry.context.Context.taskWrapping(ExecutorService)");

    clone.workspace.reset();
    clone.applySolutions();
    ExerciseClone.Check done = clone.check();
    assertThat(done.results()).allMatch(Checker.Result::fixed).hasSize(3);
    assertThat(done.output()).contains("3 of 3 fixed: every chosen boundary carries the context.");
  }

  @Test
  void aCompileErrorUsesNoHintThenTheAppliedSolutionPassesAndTheEditStaysInGit() {
    ExerciseClone clone = ExerciseClone.withNodeModules(tmp);
    clone.workspace.start("java", ExerciseClone.CODE);
    String http = Task.HTTP_JAVA.fixFile();
    String broken = "      tracelabUndefined(traced); // my attempt";
    clone.edit(http, clone.todoLine(http, "http"), broken);
    int line = clone.read(http).lines().toList().indexOf(broken) + 1;
    clone.workspace.applySolution(dev.tracelab.flow.Boundary.ASYNC);

    // http does not compile: no hint; async passes its span-level tests but cannot run end to end
    // without the gateway: not judged, no hint; kafka (the stub) fails its span-level tests: hint 1
    ExerciseClone.Check compileError = clone.check();
    assertThat(compileError.results())
        .containsExactly(
            new Checker.Result(Task.HTTP_JAVA, false, null, 0),
            new Checker.Result(Task.ASYNC_JAVA, false, null, 0),
            new Checker.Result(Task.KAFKA_JAVA, false, null, 1));
    assertThat(compileError.output())
        .contains(
            "== http/java   DOES NOT COMPILE  "
                + http
                + "\n"
                + "   does not compile: "
                + http
                + ":"
                + line
                + ": cannot find symbol\n"
                + "   no hint used: make it compile, then ./lab exercise check http again\n")
        .contains("   not run end to end: " + http + " does not build\n")
        .contains("hint 1/3: Concept: the producer injected traceparent")
        .doesNotContain("running one scenario end to end");
    assertThat(clone.workspace.load().hints).containsExactly(java.util.Map.entry("kafka/java", 1));
    assertThat(clone.workspace.load().results)
        .containsExactly(
            java.util.Map.entry("http/java", "does not compile"),
            java.util.Map.entry("async/java", "not run"),
            java.util.Map.entry("kafka/java", "broken"));

    Workspace.Applied applied = clone.workspace.applySolution(dev.tracelab.flow.Boundary.HTTP);
    ExerciseClone.Check fixed = clone.check("http");
    assertThat(fixed.results()).containsExactly(new Checker.Result(Task.HTTP_JAVA, true, null, 0));
    assertThat(fixed.output()).contains("== http/java   FIXED  " + http, "1 of 1 fixed");
    assertThat(clone.allHistory()).contains("+" + broken + "\n");
    clone.runPrinted(applied.saved().restore());
    assertThat(clone.read(http)).contains(broken);

    // reset: the attempt, restored above and uncommitted, is saved on a new branch before the stub
    // comes back
    Workspace.Reset reset = clone.workspace.reset();
    assertThat(clone.read(http)).doesNotContain(broken);
    assertThat(clone.git("show", reset.saved().branch() + ":" + http)).contains(broken);
  }

  @Test
  void go() {
    ExerciseClone.assumeToolchain(Language.GO);
    ExerciseClone clone = ExerciseClone.withNodeModules(tmp);
    clone.workspace.start("go", ExerciseClone.CODE);
    String http = Task.HTTP_GO.fixFile();
    String kafka = Task.KAFKA_GO.fixFile();

    ExerciseClone.Check stubs = clone.check();
    assertThat(stubs.results())
        .containsExactly(
            new Checker.Result(Task.HTTP_GO, false, null, 1),
            new Checker.Result(Task.KAFKA_GO, false, null, 1));
    assertThat(stubs.output())
        .contains("on the wire, POST /work carried: no trace context header at all");

    clone.edit(
        http, "return otelhttp.NewTransport(base,", "return otelhttp.NewTransport(idHeader{base},");
    clone.edit(http, "import (", "import (\n\t\"context\"");
    appendGo(
        clone,
        http,
        String.join(
            "\n",
            "",
            "type idHeader struct{ base http.RoundTripper }",
            "",
            "func (t idHeader) RoundTrip(r *http.Request) (*http.Response, error) {",
            "\tr = r.Clone(context.WithoutCancel(r.Context()))",
            "\tr.Header.Set(\"X-Request-ID\", trace.SpanContextFromContext(r.Context()).TraceID().String())",
            "\treturn t.base.RoundTrip(r)",
            "}",
            ""));
    clone.edit(
        kafka,
        clone.todoLine(kafka, "kafka"),
        "\t\t_ = prop.Extract(ctx, recordHeaders{kotel.NewRecordCarrier(r), r})");
    ExerciseClone.Check wrong = clone.check();
    assertThat(wrong.results())
        .containsExactly(
            new Checker.Result(Task.HTTP_GO, false, WrongFix.ID_HEADER_ONLY, 2),
            new Checker.Result(Task.KAFKA_GO, false, WrongFix.EXTRACTED_NOT_PARENT, 2));
    assertThat(wrong.output())
        .contains("wrong fix: The request carries an id header (x-request-id: ")
        .contains("hint 2/3: API:");

    clone.workspace.reset();
    clone.applySolutions();
    ExerciseClone.Check done = clone.check();
    assertThat(done.results()).allMatch(Checker.Result::fixed).hasSize(2);
  }

  @Test
  void node() {
    ExerciseClone.assumeToolchain(Language.NODE);
    ExerciseClone clone = ExerciseClone.withNodeModules(tmp);
    clone.workspace.start("node", ExerciseClone.CODE);
    String async = Task.ASYNC_NODE.fixFile();

    clone.edit(
        async,
        "      queue.push(job);",
        "      queue.push((signal) => context.bind(context.active(), job)(signal));");
    ExerciseClone.Check wrong = clone.check();
    assertThat(wrong.results())
        .containsExactly(new Checker.Result(Task.ASYNC_NODE, false, WrongFix.BOUND_AT_RUN, 1));
    assertThat(wrong.output())
        .contains(
            "wrong fix: The code binds a context (context.bind(context.active(), job)(signal))");

    clone.workspace.reset();
    clone.applySolutions();
    ExerciseClone.Check done = clone.check();
    assertThat(done.results()).containsExactly(new Checker.Result(Task.ASYNC_NODE, true, null, 0));
  }

  @Test
  void propagators() {
    ExerciseClone clone = ExerciseClone.withNodeModules(tmp);
    clone.workspace.start("java", java.util.List.of("propagators"));
    String env = Task.PROPAGATORS.fixFile();

    // the stub: the gateway injects B3 only, the worker extracts W3C only
    ExerciseClone.Check stub = clone.check("propagators");
    assertThat(stub.results())
        .containsExactly(new Checker.Result(Task.PROPAGATORS, false, null, 1));
    assertThat(stub.output())
        .contains(
            "span-level tests: config/otel.env reads: gateway-svc b3multi, worker-svc tracecontext,"
                + " consumer-svc tracecontext,baggage")
        .contains("'POST /work' (worker-svc) starts a new trace (no parent)")
        .contains("hint 1/3: Concept: both services propagate");

    // a wrong fix: the worker speaks B3 too; the hop connects, the mismatch moves to Kafka
    clone.edit(env, "WORKER_OTEL_PROPAGATORS=tracecontext", "WORKER_OTEL_PROPAGATORS=b3multi");
    ExerciseClone.Check moved = clone.check("propagators");
    assertThat(moved.results())
        .containsExactly(new Checker.Result(Task.PROPAGATORS, false, WrongFix.MISMATCH_MOVED, 2));
    assertThat(moved.output())
        .contains("'process orders' (consumer-svc) starts a new trace (no parent)")
        .contains("wrong fix: The gateway -> worker hop connects now, but 'process orders'");

    // hostile input: one error naming the file and the line
    clone.edit(env, "WORKER_OTEL_PROPAGATORS=b3multi", "WORKER_OTEL_PROPAGATORS=w3c");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> clone.check("propagators"))
        .isInstanceOf(ExerciseException.class)
        .hasMessage(
            "config/otel.env:9: unknown propagator 'w3c' in WORKER_OTEL_PROPAGATORS (known:"
                + " tracecontext, baggage, b3, b3multi, jaeger, ottrace, none)");

    clone.workspace.applySolution(dev.tracelab.flow.Boundary.PROPAGATORS);
    ExerciseClone.Check done = clone.check("propagators");
    assertThat(done.results()).containsExactly(new Checker.Result(Task.PROPAGATORS, true, null, 2));
    assertThat(done.output()).contains("== propagators FIXED  config/otel.env", "1 of 1 fixed");
  }

  @Test
  void cors() {
    ExerciseClone.assumeBrowser();
    ExerciseClone clone = ExerciseClone.withNodeModules(tmp);
    clone.workspace.start("java", java.util.List.of("cors"));
    String page = Task.CORS.fixFile();

    // the stub: the API origin is not on the allowlist
    ExerciseClone.Check stub = clone.check("cors");
    assertThat(stub.results()).containsExactly(new Checker.Result(Task.CORS, false, null, 1));
    assertThat(stub.output())
        .contains("span-level tests: propagation.test.js failed: fixed: same origin and the API")
        .contains("'POST /orders' (gateway-svc) starts a new trace (no parent)")
        .contains("diagnosis: cors boundary at gateway-svc 'POST /orders'")
        .contains("hint 1/3: Concept: the fetch instrumentation sends traceparent");

    // a wrong fix: a catch-all allowlist; the API gets the context, and so does the third party
    clone.edit(page, "  return [];", "  return [new RegExp('.*')];");
    ExerciseClone.Check leak = clone.check("cors");
    assertThat(leak.results())
        .containsExactly(new Checker.Result(Task.CORS, false, WrongFix.CATCH_ALL_ALLOWLIST, 2));
    assertThat(leak.output())
        .contains("'POST /orders' (gateway-svc) is the child of the span before it, in one trace")
        .contains("the third party (analytics origin) received: ")
        .contains("wrong fix: The API's requests may carry the trace context now, but so do the");

    clone.workspace.applySolution(dev.tracelab.flow.Boundary.CORS);
    ExerciseClone.Check done = clone.check("cors");
    assertThat(done.results()).containsExactly(new Checker.Result(Task.CORS, true, null, 2));
    assertThat(done.output()).contains("1 of 1 fixed");
  }

  private static void appendGo(ExerciseClone clone, String path, String text) {
    try {
      java.nio.file.Files.writeString(
          clone.root.resolve(path), text, java.nio.file.StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
