// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.SpanKind;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlowSpecYamlTest {

  private static final String SHOP =
      """
      name: shop
      entryPoints: [frontend:SERVER]
      correlation: app.request_id
      services:
        frontend: {propagators: tracecontext}
        customer:
      spans:
        - {id: in, service: frontend, kind: SERVER, name: GET /dispatch}
        - {id: out, service: frontend, kind: CLIENT, name: HTTP GET, parent: in}
        - {id: cust, service: customer, kind: SERVER, name: GET /customer, parent: out}
      hops:
        - {from: out, to: cust, boundary: http, side: caller, fix: "Use otelhttp.NewTransport."}
        - {from: "customer:PRODUCER", to: "billing:CONSUMER", boundary: messaging, link: true, id: billing-queue}
      """;

  @Test
  void aSpecReadsIntoTheModelFieldByField() throws Exception {
    FlowSpec spec = FlowSpecYaml.parse("shop.yaml", new StringReader(SHOP));

    assertThat(spec.name()).isEqualTo("shop");
    assertThat(spec.services()).containsExactly("frontend", "customer", "billing");
    assertThat(spec.entryPoints())
        .containsExactly(new SpanSelector("frontend", SpanKind.SERVER, null));
    assertThat(spec.correlation()).isEqualTo("app.request_id");
    assertThat(spec.spanCount()).isEqualTo(3);
    assertThat(spec.spans())
        .containsExactly(
            new SpanSpec("in", "frontend", SpanKind.SERVER, "GET /dispatch", null),
            new SpanSpec("out", "frontend", SpanKind.CLIENT, "HTTP GET", "in"),
            new SpanSpec("cust", "customer", SpanKind.SERVER, "GET /customer", "out"));
    assertThat(spec.hops())
        .containsExactly(
            new Hop(
                "http",
                Hop.Boundary.HTTP,
                new SpanSelector("frontend", SpanKind.CLIENT, "HTTP GET"),
                new SpanSelector("customer", SpanKind.SERVER, "GET /customer"),
                false,
                Hop.Side.CALLER,
                "Use otelhttp.NewTransport.",
                null),
            new Hop(
                "billing-queue",
                Hop.Boundary.MESSAGING,
                new SpanSelector("customer", SpanKind.PRODUCER, null),
                new SpanSelector("billing", SpanKind.CONSUMER, null),
                true,
                null,
                null,
                null));
    assertThat(spec.propagators()).isEqualTo(Map.of("frontend", "tracecontext"));
  }

  @Test
  void entryPointsAloneAreASpec() throws Exception {
    FlowSpec spec = FlowSpecYaml.parse("min.yaml", new StringReader("entryPoints: [web]\n"));
    assertThat(spec.entryPoints()).containsExactly(new SpanSelector("web", null, null));
    assertThat(spec.hasShape()).isFalse();
    assertThat(spec.spanCount()).isZero();
    assertThat(spec.correlation()).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      empty file                | ''                                                                    | bad.yaml:1: empty file: a flow spec needs at least entryPoints
      no entry points           | 'name: x'                                                             | bad.yaml:1: entryPoints: required: the spans that may start a trace, e.g. [frontend:SERVER]
      unknown field             | 'entryPoints: [a]\\nentrypoint: [b]'                                  | bad.yaml:2: entrypoint: unknown field (expected one of [correlation, entryPoints, hops, name, services, spanCount, spans])
      bad kind                  | 'entryPoints: [a:SEVER]'                                              | bad.yaml:1: entryPoints[0]: kind must be SERVER, CLIENT, PRODUCER, CONSUMER or INTERNAL, was 'SEVER' (write service[:KIND[:name]])
      bad boundary              | 'entryPoints: [a]\\nhops:\\n  - {from: a, to: b, boundary: tcp}'      | bad.yaml:3: hops[0].boundary: boundary must be http, rpc, messaging or async, was 'tcp'
      missing to                | 'entryPoints: [a]\\nhops:\\n  - {from: a, boundary: http}'            | bad.yaml:3: hops[0].to: required
      unknown parent            | 'entryPoints: [a]\\ncorrelation: c\\nspans:\\n  - {id: x, service: a, kind: SERVER, name: n}\\n  - {id: y, service: a, kind: CLIENT, name: m, parent: z}' | bad.yaml:5: spans[1].parent: no span 'z' listed before it (list spans in flow order, parents first)
      shape without correlation | 'entryPoints: [a]\\nspans:\\n  - {id: x, service: a, kind: SERVER, name: n}' | bad.yaml:3: spans: a request's shape needs a correlation attribute to find the request's spans (e.g. correlation: app.request_id)
      span count disagrees      | 'entryPoints: [a]\\ncorrelation: c\\nspanCount: 2\\nspans:\\n  - {id: x, service: a, kind: SERVER, name: n}' | bad.yaml:3: spanCount: 2 disagrees with the 1 spans listed (leave it out: it follows from spans)
      link not a boolean        | 'entryPoints: [a]\\nhops:\\n  - {from: a, to: b, boundary: http, link: yes please}' | bad.yaml:3: hops[0].link: must be true or false, was 'yes please'
      not yaml                  | 'entryPoints: [a\\n  b: {'                                            | bad.yaml:2:
      duplicate key             | 'entryPoints: [a]\\nentryPoints: [b]'                                 | bad.yaml:2: entryPoints: given twice
      an alias bomb             | 'a: &a [x]\\nentryPoints: *a'                                         | bad.yaml:
      """)
  void aBadSpecIsOneLineNamingFileLineAndField(String what, String yaml, String message) {
    String text = yaml.replace("\\n", "\n");
    assertThatThrownBy(() -> FlowSpecYaml.parse("bad.yaml", new StringReader(text)))
        .isInstanceOf(FlowSpecException.class)
        .hasMessageStartingWith(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void aSpanOfTheListedShapeMatchesByIdentityNameWithoutCase() throws Exception {
    FlowSpec spec = FlowSpecYaml.parse("shop.yaml", new StringReader(SHOP));
    assertThat(spec.span("cust").matches("customer", SpanKind.SERVER, "get /customer")).isTrue();
    assertThat(spec.fragments(java.util.Set.of("http")))
        .isEqualTo(List.of(List.of(1, 2), List.of(3)));
  }
}
