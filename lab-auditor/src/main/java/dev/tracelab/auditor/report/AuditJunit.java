// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.report;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport.DiagnosisCount;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The generic audit report (docs/design.md §11.4) as JUnit XML (the Ant/Surefire schema every CI
 * shows natively): one suite, {@code tracelab audit}, with a test case per service (class {@code
 * tracelab.audit.services}: fails when its orphan rate is above the threshold, with the diagnoses
 * of that service and their fixes) and one per broken edge (class {@code tracelab.audit.edges}:
 * always a failure, with the evidence, the fix and the example's ids). When no trace reached the
 * auditor, one failing case ({@code tracelab.audit}, {@code traces received}) says so: a run that
 * judged nothing is never green.
 *
 * <p>The JDK's own StAX writer escapes every value; every value from spans loses the characters XML
 * 1.0 forbids and its line breaks (the failure bodies keep their own lines).
 */
public final class AuditJunit {

  private static final String SUITE = "tracelab audit";
  private static final String SERVICES = "tracelab.audit.services";
  private static final String EDGES = "tracelab.audit.edges";
  private static final String RUN = "tracelab.audit";

  private static final String INDENT = "\n    ";

  private AuditJunit() {}

  /**
   * Writes the report as one JUnit XML document (UTF-8 declared: {@code out} should encode UTF-8).
   * Flushes {@code out} and leaves it open.
   *
   * @param r the report
   * @param maxOrphanRate the highest orphan rate a service may have and pass, a fraction (0.01 for
   *     1 %)
   * @param out where the document goes
   * @throws IOException when {@code out} fails (an XML stream error is wrapped)
   * @throws IllegalArgumentException when {@code maxOrphanRate} is negative, NaN or infinite
   */
  public static void write(AuditReport r, double maxOrphanRate, Writer out) throws IOException {
    Objects.requireNonNull(r, "r");
    Objects.requireNonNull(out, "out");
    ReportText.checkThreshold(maxOrphanRate);
    List<String> over = r.servicesAbove(maxOrphanRate);
    boolean nothing = r.traces() == 0;
    int tests = r.services().size() + r.brokenEdges().size() + (nothing ? 1 : 0);
    int failures = over.size() + r.brokenEdges().size() + (nothing ? 1 : 0);
    try {
      XMLStreamWriter x = XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(out);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuites");
      x.writeCharacters("\n  ");
      x.writeStartElement("testsuite");
      x.writeAttribute("name", SUITE);
      x.writeAttribute("tests", Integer.toString(tests));
      x.writeAttribute("failures", Integer.toString(failures));
      x.writeAttribute("errors", "0");
      x.writeAttribute("skipped", "0");
      x.writeAttribute("time", "0");
      if (nothing) {
        testCase(
            x,
            RUN,
            "traces received",
            "no-trace",
            "no trace reached the auditor: nothing to judge",
            "No span reached the auditor: check the exporters' endpoint and that the system ran.");
      }
      for (Map.Entry<String, ServiceFigures> e : r.services().entrySet()) {
        service(x, e.getKey(), e.getValue(), maxOrphanRate, r.diagnoses());
      }
      for (BrokenEdge e : r.brokenEdges()) {
        edge(x, e);
      }
      x.writeCharacters("\n  ");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.flush();
      x.close();
    } catch (XMLStreamException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e);
    }
    out.flush();
  }

  private static void service(
      XMLStreamWriter x,
      String service,
      ServiceFigures f,
      double max,
      List<DiagnosisCount> diagnoses)
      throws XMLStreamException {
    if (f.orphanRate() <= max) {
      testCase(x, SERVICES, service, null, null, null);
      return;
    }
    String message =
        "orphan rate "
            + ReportText.percent(f.orphanRate(), max)
            + "% > "
            + ReportText.threshold(max)
            + "%: "
            + f.orphanRoots()
            + " orphan roots, "
            + f.missingParentOrphans()
            + " missing-parent";
    StringBuilder body = new StringBuilder(512);
    body.append(f.orphanSpans()).append(" orphan spans of ").append(f.spans()).append(" spans.\n");
    for (DiagnosisCount d : diagnoses) {
      if (Objects.equals(d.service(), service)) {
        body.append('\n')
            .append(ReportText.line(d.boundary()))
            .append(" at span '")
            .append(ReportText.line(d.span()))
            .append("' (")
            .append(d.count())
            .append(d.count() == 1 ? " orphan span)" : " orphan spans)")
            .append("\nfix: ")
            .append(ReportText.line(d.fix()))
            .append('\n');
      }
    }
    testCase(x, SERVICES, service, "orphan-rate", message, body.toString());
  }

  private static void edge(XMLStreamWriter x, BrokenEdge e) throws XMLStreamException {
    String message =
        e.count()
            + (e.count() == 1 ? " call lost its trace context" : " calls lost their trace context");
    StringBuilder body = new StringBuilder(512);
    body.append("evidence: ")
        .append(ReportText.line(e.evidence()))
        .append("\nside: ")
        .append(ReportText.line(e.side()))
        .append("\nfix: ")
        .append(ReportText.line(e.fix()));
    BrokenEdge.Example ex = e.example();
    if (ex != null) {
      body.append("\nexample: call span ")
          .append(ReportText.line(ex.callSpanId()))
          .append(" in trace ")
          .append(ReportText.line(ex.callTraceId()))
          .append(", orphan root span ")
          .append(ReportText.line(ex.rootSpanId()))
          .append(" in trace ")
          .append(ReportText.line(ex.rootTraceId()));
    }
    testCase(
        x, EDGES, ReportText.edgeName(e), "broken-edge", message, body.append('\n').toString());
  }

  /** A test case; a failure when {@code message} is not null. */
  private static void testCase(
      XMLStreamWriter x, String className, String name, String type, String message, String body)
      throws XMLStreamException {
    x.writeCharacters(INDENT);
    if (message == null) {
      x.writeEmptyElement("testcase");
    } else {
      x.writeStartElement("testcase");
    }
    x.writeAttribute("classname", className);
    x.writeAttribute("name", ReportText.line(name));
    x.writeAttribute("time", "0");
    if (message == null) {
      return;
    }
    x.writeCharacters(INDENT + "  ");
    x.writeStartElement("failure");
    x.writeAttribute("message", ReportText.line(message));
    x.writeAttribute("type", type);
    x.writeCharacters(body);
    x.writeEndElement();
    x.writeCharacters(INDENT);
    x.writeEndElement();
  }
}
