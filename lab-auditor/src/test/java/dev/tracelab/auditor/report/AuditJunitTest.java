// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.report;

import static dev.tracelab.auditor.report.CraftedReports.CALL_SPAN;
import static dev.tracelab.auditor.report.CraftedReports.CALL_TRACE;
import static dev.tracelab.auditor.report.CraftedReports.EDGE_FIX;
import static dev.tracelab.auditor.report.CraftedReports.EVIDENCE;
import static dev.tracelab.auditor.report.CraftedReports.HOSTILE;
import static dev.tracelab.auditor.report.CraftedReports.HTTP_FIX;
import static dev.tracelab.auditor.report.CraftedReports.MAX;
import static dev.tracelab.auditor.report.CraftedReports.ROOT_SPAN;
import static dev.tracelab.auditor.report.CraftedReports.ROOT_TRACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.ScenarioReport.DiagnosisCount;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class AuditJunitTest {

  @Test
  void oneCasePerServiceAndPerBrokenEdge() throws Exception {
    Document doc = parse(write(CraftedReports.broken(), MAX));

    Element suites = doc.getDocumentElement();
    assertThat(suites.getTagName()).isEqualTo("testsuites");
    Element suite = only(suites, "testsuite");
    assertThat(suite.getAttribute("name")).isEqualTo("tracelab audit");
    assertThat(suite.getAttribute("tests")).isEqualTo("4");
    assertThat(suite.getAttribute("failures")).isEqualTo("2");
    assertThat(suite.getAttribute("errors")).isEqualTo("0");
    assertThat(suite.getAttribute("skipped")).isEqualTo("0");
    assertThat(suite.getAttribute("time")).isEqualTo("0");

    List<Element> cases = children(suite, "testcase");
    assertThat(cases)
        .extracting(c -> c.getAttribute("classname") + " / " + c.getAttribute("name"))
        .containsExactly(
            "tracelab.audit.services / frontend",
            "tracelab.audit.services / customer",
            "tracelab.audit.services / driver",
            "tracelab.audit.edges / frontend -> customer (http)");
    assertThat(children(cases.get(0), "failure")).isEmpty();
    assertThat(children(cases.get(2), "failure")).as("0.5 % is under 1 %").isEmpty();

    Element customer = only(cases.get(1), "failure");
    assertThat(customer.getAttribute("message"))
        .isEqualTo("orphan rate 100.0% > 1.0%: 6 orphan roots, 0 missing-parent");
    assertThat(customer.getAttribute("type")).isEqualTo("orphan-rate");
    assertThat(customer.getTextContent())
        .isEqualTo(
            "6 orphan spans of 6 spans.\n\nhttp at span 'GET /customer' (6 orphan spans)\nfix: "
                + HTTP_FIX
                + "\n");

    Element edge = only(cases.get(3), "failure");
    assertThat(edge.getAttribute("message")).isEqualTo("6 calls lost their trace context");
    assertThat(edge.getAttribute("type")).isEqualTo("broken-edge");
    assertThat(edge.getTextContent())
        .isEqualTo(
            "evidence: "
                + EVIDENCE
                + "\nside: callee\nfix: "
                + EDGE_FIX
                + "\nexample: call span "
                + CALL_SPAN
                + " in trace "
                + CALL_TRACE
                + ", orphan root span "
                + ROOT_SPAN
                + " in trace "
                + ROOT_TRACE
                + "\n");
  }

  @Test
  void aPassingRunHasOnlyPassingCases() throws Exception {
    Element suite =
        only(parse(write(CraftedReports.passing(), MAX)).getDocumentElement(), "testsuite");

    assertThat(suite.getAttribute("tests")).isEqualTo("2");
    assertThat(suite.getAttribute("failures")).isEqualTo("0");
    assertThat(suite.getElementsByTagName("failure").getLength()).isZero();
  }

  @Test
  void aRunThatReceivedNothingFails() throws Exception {
    Element suite =
        only(parse(write(CraftedReports.empty(), MAX)).getDocumentElement(), "testsuite");

    assertThat(suite.getAttribute("tests")).isEqualTo("1");
    assertThat(suite.getAttribute("failures")).isEqualTo("1");
    Element c = only(suite, "testcase");
    assertThat(c.getAttribute("classname")).isEqualTo("tracelab.audit");
    assertThat(c.getAttribute("name")).isEqualTo("traces received");
    assertThat(only(c, "failure").getAttribute("message"))
        .isEqualTo("no trace reached the auditor: nothing to judge");
  }

  @Test
  void hostileValuesAreEscapedAndControlCharactersDropped() throws Exception {
    String evil = HOSTILE + "\u0000\u0007\u001b]]>\uFFFE\uD800\uD83D\uDE00";
    AuditReport r =
        new AuditReport(
            "tracelab",
            "dev",
            "spec",
            evil,
            1,
            0,
            null,
            null,
            null,
            null,
            Map.of(evil, new ServiceFigures(1, 1, 1, 0, 1.0)),
            List.of(CraftedReports.edge("frontend", evil, evil, evil)),
            List.of(new DiagnosisCount(evil, evil, evil, 1, evil)));
    String xml = write(r, MAX);

    assertThat(xml).doesNotContain("<script>").doesNotContain("\u0000").doesNotContain("\u001b");
    Element suite = only(parse(xml).getDocumentElement(), "testsuite");
    List<Element> cases = children(suite, "testcase");
    String oneLine = "\"<script>alert(1)</script>| &]]>\uD83D\uDE00"; // the emoji is a pair: kept
    assertThat(cases)
        .extracting(c -> c.getAttribute("name"))
        .containsExactly(oneLine, "frontend -> " + oneLine + " (http)");
    assertThat(only(cases.get(0), "failure").getTextContent())
        .contains(oneLine + " at span '" + oneLine + "' (1 orphan span)\nfix: " + oneLine + "\n");
    assertThat(only(cases.get(1), "failure").getTextContent())
        .startsWith("evidence: " + oneLine + "\nside: callee\n");
    assertThat(only(cases.get(1), "failure").getAttribute("message"))
        .isEqualTo("6 calls lost their trace context");

    Element hostile =
        only(parse(write(CraftedReports.hostile(), MAX)).getDocumentElement(), "testsuite");
    assertThat(children(hostile, "testcase"))
        .extracting(c -> c.getAttribute("name"))
        .containsExactly(
            "frontend",
            "\"<script>alert(1)</script>| &",
            "frontend -> \"<script>alert(1)</script>| & (http)");
  }

  @Test
  void anOutputFailureIsAnIoException() {
    Writer broken =
        new Writer() {
          @Override
          public void write(char[] buf, int off, int len) throws IOException {
            throw new IOException("disk full");
          }

          @Override
          public void flush() throws IOException {
            throw new IOException("disk full");
          }

          @Override
          public void close() {}
        };

    assertThatThrownBy(() -> AuditJunit.write(CraftedReports.broken(), MAX, broken))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("disk full");
  }

  private static String write(AuditReport r, double max) throws IOException {
    StringWriter out = new StringWriter();
    AuditJunit.write(r, max, out);
    return out.toString();
  }

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<Element> children(Element parent, String tag) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element e && e.getTagName().equals(tag)) {
        out.add(e);
      }
    }
    return out;
  }

  private static Element only(Element parent, String tag) {
    List<Element> found = children(parent, tag);
    assertThat(found).hasSize(1);
    return found.get(0);
  }
}
