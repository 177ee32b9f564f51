// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.http;

import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server side of every HTTP boundary ({@link ServerTracing}) against the W3C Trace Context
 * specification, case by case. Section numbers: "TC1" is the Level 1 Recommendation, "TC2" the
 * Level 2 Candidate Recommendation (random-trace-id flag), "traceresponse draft" the response
 * header as last drafted; docs/w3c-trace-context.md quotes each rule and lists where the
 * OpenTelemetry Java SDK deviates.
 *
 * <p>Each request carries header lines written byte for byte ({@link RawHttp}); the handler then
 * injects {@code Context.current()} into a map, which is what any outgoing call of the service
 * sends (the wire-level check of the gateway's client is in gateway-svc).
 */
class ServerTracingW3cTraceContextTest {

  @RegisterExtension static final OpenTelemetryExtension testing = OpenTelemetryExtension.create();

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT_ID = "00f067aa0ba902b7";
  static final String VALID = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";

  private Javalin app;
  private final AtomicReference<Map<String, String>> outgoing = new AtomicReference<>();

  @BeforeEach
  void start() {
    startWith(testing.getOpenTelemetry());
  }

  private void startWith(OpenTelemetry otel) {
    ServerTracing tracing = ServerTracing.builder(otel).setEmitTraceResponse(true).build();
    app = Javalin.create(cfg -> cfg.showJavalinBanner = false);
    app.post(
        "/orders",
        tracing.wrap(
            "/orders",
            ctx -> {
              Map<String, String> headers = new LinkedHashMap<>();
              otel.getPropagators()
                  .getTextMapPropagator()
                  .inject(Context.current(), headers, Map::put);
              outgoing.set(headers);
              ctx.status(202);
            }));
    app.post("/bad", tracing.wrap("/bad", ctx -> ctx.status(400)));
    app.get("/health", ctx -> ctx.result("UP"));
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  private RawHttp.Response post(String... headerLines) throws IOException {
    return RawHttp.send(app.port(), "POST", "/orders", List.of(headerLines));
  }

  private SpanData onlyServerSpan() {
    assertThat(testing.getSpans()).hasSize(1);
    SpanData span = testing.getSpans().get(0);
    assertThat(span).hasKind(SpanKind.SERVER).hasName("POST /orders");
    return span;
  }

  /** The caller's context was used: the SERVER span is the child of the caller's remote span. */
  private SpanData assertContinued(String traceId, String parentId) {
    SpanData span = onlyServerSpan();
    assertThat(span).hasTraceId(traceId).hasParentSpanId(parentId);
    assertThat(span.getParentSpanContext().isRemote()).isTrue();
    assertThat(outgoing.get().get("traceparent"))
        .matches("00-" + traceId + "-" + span.getSpanId() + "-0[13]");
    return span;
  }

  /** The header was ignored: a new trace, no parent, and no tracestate carried on. */
  private void assertRestarted() {
    SpanData span = onlyServerSpan();
    assertThat(span).hasNoParent();
    assertThat(span.getTraceId()).isNotEqualTo(TRACE_ID);
    assertThat(span.getSpanContext().getTraceState().isEmpty()).isTrue();
    assertThat(outgoing.get())
        .containsOnlyKeys("traceparent")
        .containsEntry("traceparent", "00-" + span.getTraceId() + "-" + span.getSpanId() + "-03");
  }

  // ---- traceparent: header name ----

  @ParameterizedTest(
      name = "[TC1 §3.2.1 Header Name] \"{0}\" is the same header (ASCII case-insensitive)")
  @ValueSource(strings = {"traceparent", "TRACEPARENT", "TraceParent"})
  void traceparentNameIsCaseInsensitive(String name) throws IOException {
    post(name + ": " + VALID);
    assertContinued(TRACE_ID, PARENT_ID);
  }

  @ParameterizedTest(
      name = "[TC1 §3.3.1 Header Name] \"{0}\" is the same header (ASCII case-insensitive)")
  @ValueSource(strings = {"tracestate", "TRACESTATE", "TraceState"})
  void tracestateNameIsCaseInsensitive(String name) throws IOException {
    post("traceparent: " + VALID, name + ": congo=t61rcWkgMzE");
    SpanData span = assertContinued(TRACE_ID, PARENT_ID);
    assertThat(span.getSpanContext().getTraceState().asMap())
        .containsExactly(Map.entry("congo", "t61rcWkgMzE"));
    assertThat(outgoing.get()).containsEntry("tracestate", "congo=t61rcWkgMzE");
  }

  // ---- traceparent: invalid values restart the trace ----

  @ParameterizedTest(name = "[{0}] {1} -> restart the trace, tracestate not parsed")
  @CsvSource(
      delimiter = '|',
      value = {
        "TC1 §3.2.2.3 trace-id | trace-id all zeroes is forbidden | 00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "TC1 §3.2.2.3 trace-id | trace-id in uppercase hex (HEXDIGLC only) | 00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "TC1 §3.2.2.3 trace-id | trace-id with a non-hex character | 00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01",
        "TC1 §3.2.2.4 parent-id | parent-id all zeroes is forbidden | 00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "TC1 §3.2.2.4 parent-id | parent-id in uppercase hex | 00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "TC1 §3.2.2.1 version | version ff is forbidden | ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "TC1 §3.2.2.1 version | version in uppercase hex | 0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "TC1 §3.2.4 Versioning | version prefix not 2 hex characters and a dash | 0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "TC1 §3.2.2.2 version-format | trace-id of 31 characters | 00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "TC1 §3.2.2.2 version-format | parent-id of 15 characters | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
        "TC1 §3.2.2.2 version-format | trace-flags of 1 character | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        "TC1 §3.2.2.2 version-format | version 00 with a fifth field | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "TC1 §3.2.2.2 version-format | a delimiter other than dash | 00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "TC1 §3.2.2.5 trace-flags | trace-flags not hex | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "TC1 §3.2.2.5 trace-flags | trace-flags in uppercase hex | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
        "TC1 §3.2.4 Versioning | higher version shorter than 55 characters | cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        "TC1 §3.2.4 Versioning | higher version, flags followed by neither end nor dash | cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.future",
        "TC1 §3.2.4 Versioning | higher version with an all-zero trace-id | cc-00000000000000000000000000000000-00f067aa0ba902b7-01-future",
      })
  void invalidTraceparentRestartsTheTrace(String section, String what, String traceparent)
      throws IOException {
    // TC1 §3.3: "If the vendor failed to parse traceparent, it MUST NOT attempt to parse
    // tracestate"
    post("traceparent: " + traceparent, "tracestate: congo=t61rcWkgMzE");
    assertRestarted();
  }

  @Test
  @DisplayName(
      "[TC1 §3.2.2 traceparent Header Field Values; RFC 7230 §3.2.2] two traceparent fields: a single value,"
          + " not a list, so the combined value is invalid -> restart the trace")
  void twoTraceparentFieldsRestartTheTrace() throws IOException {
    post(
        "traceparent: " + VALID,
        "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "tracestate: congo=t61rcWkgMzE");
    assertRestarted();
  }

  // ---- traceparent: valid values are continued ----

  @Test
  @DisplayName(
      "[TC1 §3.2.4 Versioning; §3.4 Downgrade the version] a higher version with extra fields is parsed"
          + " (trace-id, parent-id, sampled) and sent on as version 00")
  void higherVersionWithExtraFieldsIsContinuedAsVersion00() throws IOException {
    post("traceparent: cc-" + TRACE_ID + "-" + PARENT_ID + "-01-what-the-future-will-be-like");
    assertContinued(TRACE_ID, PARENT_ID);
    assertThat(outgoing.get().get("traceparent")).startsWith("00-").hasSize(55);
  }

  @Test
  @DisplayName(
      "[TC1 §3.2.2.5.2 Other Flags] unknown flag bits are accepted on receipt and sent as zero"
          + " (09 = sampled + reserved 08 -> 01)")
  void unknownFlagBitsAreAcceptedAndZeroedOnTheWayOut() throws IOException {
    post("traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-09");
    SpanData span = assertContinued(TRACE_ID, PARENT_ID);
    assertThat(outgoing.get().get("traceparent"))
        .isEqualTo("00-" + TRACE_ID + "-" + span.getSpanId() + "-01");
  }

  @ParameterizedTest(
      name =
          "[TC2 §3.2.2.5.2 Random Trace ID Flag] incoming flags {0} -> outgoing flags {0} (random bit kept as received)")
  @ValueSource(strings = {"01", "03"})
  void randomTraceIdFlagIsKeptWhenContinuing(String flags) throws IOException {
    post("traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-" + flags);
    SpanData span = assertContinued(TRACE_ID, PARENT_ID);
    assertThat(outgoing.get().get("traceparent"))
        .isEqualTo("00-" + TRACE_ID + "-" + span.getSpanId() + "-" + flags);
  }

  @Test
  @DisplayName(
      "[TC1 §3.2.2.5.1 Sampled flag] sampled=0 is respected: not recorded, trace continued with flags 00,"
          + " parent-id updated (§3.4)")
  void unsampledCallerIsRespected() throws IOException {
    post("traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-00");
    assertThat(testing.getSpans()).isEmpty();
    assertThat(outgoing.get().get("traceparent"))
        .matches("00-" + TRACE_ID + "-[0-9a-f]{16}-00")
        .doesNotContain(PARENT_ID);
  }

  @Test
  @DisplayName(
      "[TC1 §4.2 No traceparent Received; TC2 §3.2.2.5.2] a new trace-id and parent-id; the SDK's ids are"
          + " random, so the random-trace-id flag is set (03)")
  void noTraceparentStartsATraceWithTheRandomFlag() throws IOException {
    post();
    assertRestarted();
  }

  // ---- tracestate ----

  @Test
  @DisplayName(
      "[TC1 §4.2 No traceparent Received, step 3] a tracestate without a traceparent is invalid and MUST be"
          + " discarded")
  void tracestateWithoutTraceparentIsDiscarded() throws IOException {
    post("tracestate: congo=t61rcWkgMzE");
    assertRestarted();
  }

  @Test
  @DisplayName(
      "[TC1 §3.3 tracestate Header Field Values; RFC 7230 §3.2.2] multiple tracestate fields MUST be"
          + " combined into one list, in order, and sent on unchanged (§3.5)")
  void multipleTracestateFieldsAreCombinedInOrder() throws IOException {
    post(
        "traceparent: " + VALID,
        "tracestate: rojo=00f067aa0ba902b7",
        "tracestate: congo=t61rcWkgMzE",
        "tracestate: fw529a3039@dt=aGVsbG8");
    SpanData span = assertContinued(TRACE_ID, PARENT_ID);
    assertThat(span.getSpanContext().getTraceState().asMap().keySet())
        .containsExactly("rojo", "congo", "fw529a3039@dt");
    assertThat(outgoing.get())
        .containsEntry(
            "tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,fw529a3039@dt=aGVsbG8");
  }

  @Test
  @DisplayName(
      "[TC1 §3.3 tracestate › list; tracestate Limits] 32 list-members (the maximum, 543 characters >= the 512"
          + " to propagate) are sent on unchanged")
  void thirtyTwoMembersArePropagatedUnchanged() throws IOException {
    String tracestate = members(32);
    assertThat(tracestate.length()).isGreaterThanOrEqualTo(512);
    post("traceparent: " + VALID, "tracestate: " + tracestate);
    SpanData span = assertContinued(TRACE_ID, PARENT_ID);
    assertThat(span.getSpanContext().getTraceState().size()).isEqualTo(32);
    assertThat(outgoing.get()).containsEntry("tracestate", tracestate);
  }

  @ParameterizedTest(
      name = "[{0}] {1} -> the tracestate is discarded, the traceparent still continued")
  @CsvSource(
      delimiter = '|',
      value = {
        "TC1 §3.3 tracestate › list | 33 list-members, over the maximum of 32 | 33",
        "TC1 §3.3 › Combined Header Value | a duplicate key (only one entry per key is allowed) | congo=1,rojo=2,congo=3",
        "TC1 §3.3 › Key | a key with an uppercase letter | Congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
        "TC1 §3.3 › Key | a key starting with a character other than lcalpha or DIGIT | _congo=t61rcWkgMzE",
        "TC1 §3.3 › Value | a value containing '=' | congo=t61=rcWkgMzE",
        "TC1 §3.3 › list | a list-member without '=' | congo",
      })
  void invalidTracestateIsDiscarded(String section, String what, String tracestate)
      throws IOException {
    // TC1 §4.3 step 3: "If the tracestate header cannot be parsed the vendor MAY discard the entire
    // header";
    // §3.3: "failure to parse tracestate MUST NOT affect the parsing of traceparent"
    post(
        "traceparent: " + VALID,
        "tracestate: " + (tracestate.equals("33") ? members(33) : tracestate));
    SpanData span = assertContinued(TRACE_ID, PARENT_ID);
    assertThat(span.getSpanContext().getTraceState()).isEqualTo(TraceState.getDefault());
    assertThat(outgoing.get()).containsOnlyKeys("traceparent");
  }

  @Test
  @DisplayName(
      "[TC1 §3.3 tracestate Header Field Values] spaces and tabs surrounding list-members are ignored")
  void whitespaceAroundMembersIsIgnored() throws IOException {
    post("traceparent: " + VALID, "tracestate: congo=t61rcWkgMzE \t,\t rojo=00f067aa0ba902b7");
    assertContinued(TRACE_ID, PARENT_ID);
    assertThat(outgoing.get())
        .containsEntry("tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  }

  @Test
  @DisplayName(
      "[TC1 §3.3 tracestate Header Field Values] an empty tracestate MUST be accepted (and SHOULD NOT be sent)")
  void emptyTracestateIsAccepted() throws IOException {
    post("traceparent: " + VALID, "tracestate:");
    assertContinued(TRACE_ID, PARENT_ID);
    assertThat(outgoing.get()).containsOnlyKeys("traceparent");
  }

  @Test
  @DisplayName(
      "[TC1 §3.3 tracestate Header Field Values] empty and whitespace-only list-members are allowed: skipped,"
          + " the others kept in order")
  void emptyListMembersAreSkipped() throws IOException {
    post("traceparent: " + VALID, "tracestate: congo=t61rcWkgMzE, ,,rojo=00f067aa0ba902b7");
    SpanData span = assertContinued(TRACE_ID, PARENT_ID);
    assertThat(span.getSpanContext().getTraceState().asMap().keySet())
        .containsExactly("congo", "rojo");
    assertThat(outgoing.get())
        .containsEntry("tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  }

  @Test
  @DisplayName(
      "[TC1 §3.3 tracestate Header Field Values; RFC 7230 §3.2.2] an empty tracestate field beside a"
          + " non-empty one: the combined list has an empty member, which is allowed")
  void emptyTracestateFieldBesideAnotherIsAllowed() throws IOException {
    post("traceparent: " + VALID, "tracestate:", "tracestate: rojo=00f067aa0ba902b7");
    assertContinued(TRACE_ID, PARENT_ID);
    assertThat(outgoing.get()).containsEntry("tracestate", "rojo=00f067aa0ba902b7");
  }

  @Test
  @DisplayName(
      "[TC1 §3.3 › Value; TC2 §3.3 › Value] leading spaces are part of the value and preserved")
  void leadingSpaceOfAValueIsPreserved() throws IOException {
    post("traceparent: " + VALID, "tracestate: congo= t61rcWkgMzE");
    assertContinued(TRACE_ID, PARENT_ID);
    assertThat(outgoing.get()).containsEntry("tracestate", "congo= t61rcWkgMzE");
  }

  @ParameterizedTest(
      name =
          "[TC2 §3.3 › Key] \"{0}\" is a Level 2 key but not a Level 1 key -- the SDK applies the Level 1"
              + " grammar and discards the tracestate (docs/w3c-trace-context.md)")
  @ValueSource(strings = {"1congo", "tenant@sys@extra", "tenant@a-system-id-of-15"})
  void level2OnlyKeysAreDiscardedByTheSdk(String key) throws IOException {
    post("traceparent: " + VALID, "tracestate: " + key + "=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    SpanData span = assertContinued(TRACE_ID, PARENT_ID);
    // Level 1 (the Recommendation): simple-key starts with lcalpha; multi-tenant-key is one '@' and
    // a
    // system-id of at most 14 characters. Level 2 allows any ( lcalpha / DIGIT ) 0*255( keychar ).
    // OpenTelemetry Java 1.67 follows Level 1, and one invalid member drops the whole header.
    assertThat(span.getSpanContext().getTraceState()).isEqualTo(TraceState.getDefault());
    assertThat(outgoing.get()).containsOnlyKeys("traceparent");
  }

  // ---- traceresponse ----

  @Test
  @DisplayName(
      "[traceresponse draft: Header Name, version-format, child-id, trace-flags] lowercase name,"
          + " 00-<trace-id>-<server span id>-<flags>; a trace started here has sampled + random-trace-id (03)")
  void traceresponseNamesTheServerSpan() throws IOException {
    RawHttp.Response response = post();
    SpanData span = onlyServerSpan();
    assertThat(response.namesOnWire("traceresponse")).containsExactly("traceresponse");
    assertThat(response.values("traceresponse"))
        .containsExactly("00-" + span.getTraceId() + "-" + span.getSpanId() + "-03");
  }

  @ParameterizedTest(
      name =
          "[traceresponse draft: trace-flags] incoming traceparent flags {0} -> traceresponse flags {1}")
  @CsvSource({
    // sampled as decided here (parent-based: the caller's choice), random bit as received (MUST)
    "01, 01",
    "03, 03",
    "00, 00",
    "02, 02",
    // other flags: "Tracing systems MUST set those to zero"
    "09, 01",
    "ff, 03",
  })
  void traceresponseFlags(String incoming, String expected) throws IOException {
    RawHttp.Response response =
        post("traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-" + incoming);
    assertThat(response.values("traceresponse"))
        .singleElement()
        .asString()
        .matches("00-" + TRACE_ID + "-[0-9a-f]{16}-" + expected)
        .doesNotContain(PARENT_ID);
  }

  @Test
  @DisplayName(
      "[traceresponse draft: Traceresponse Header] a completed request that was traced, also a 4xx one")
  void traceresponseOnAClientError() throws IOException {
    RawHttp.Response response = RawHttp.send(app.port(), "POST", "/bad", List.of());
    assertThat(response.status()).isEqualTo(400);
    SpanData span = testing.getSpans().get(0);
    assertThat(response.values("traceresponse"))
        .containsExactly("00-" + span.getTraceId() + "-" + span.getSpanId() + "-03");
  }

  @Test
  @DisplayName(
      "[traceresponse draft: Traceresponse Header] an untraced route (GET /health) sends none")
  void noTraceresponseWithoutASpan() throws IOException {
    RawHttp.Response response = RawHttp.send(app.port(), "GET", "/health", List.of());
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.values("traceresponse")).isEmpty();
    assertThat(testing.getSpans()).isEmpty();
  }

  @Test
  @DisplayName(
      "[traceresponse draft: trace-id, child-id] all-zero ids are invalid, so with no SDK (no valid span)"
          + " no traceresponse is sent")
  void noTraceresponseFromANoopSdk() throws IOException {
    app.stop();
    startWith(OpenTelemetry.noop());
    RawHttp.Response response = post("traceparent: " + VALID);
    assertThat(response.status()).isEqualTo(202);
    assertThat(response.values("traceresponse")).isEmpty();
  }

  /** {@code n} list-members of 16 characters each: k00=value-000000, k01=... */
  static String members(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> String.format("k%02d=value-%06d", i, i))
        .collect(Collectors.joining(","));
  }
}
