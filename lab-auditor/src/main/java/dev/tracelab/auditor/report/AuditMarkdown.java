// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.report;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport.DiagnosisCount;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The generic audit report (docs/design.md §11.4) as GitHub-flavoured Markdown, for a pull request
 * comment or a CI job summary: the verdict, the services, the broken edges and the diagnoses, each
 * with its fix.
 *
 * <p>Service, span and spec names come from whoever sent the spans: they are written as code spans
 * (no emphasis, link, HTML, mention or autolink inside), the other texts that quote them (evidence
 * and fixes) with every inline Markdown character backslash-escaped; line breaks become spaces and
 * {@code |} is escaped in table cells, so a value never adds a line, a column or markup.
 */
public final class AuditMarkdown {

  /** Characters that open or close inline Markdown (GFM: also tables, strikethrough and math). */
  private static final String ACTIVE = "\\`*_[]<>&~|$";

  private AuditMarkdown() {}

  /**
   * Renders the report.
   *
   * @param r the report
   * @param maxOrphanRate the highest orphan rate a service may have and pass, a fraction (0.01 for
   *     1 %)
   * @return the Markdown document, ending with a line feed
   * @throws IllegalArgumentException when {@code maxOrphanRate} is negative, NaN or infinite
   */
  public static String render(AuditReport r, double maxOrphanRate) {
    Objects.requireNonNull(r, "r");
    ReportText.checkThreshold(maxOrphanRate);
    StringBuilder m = new StringBuilder(4096);
    m.append("# tracelab audit");
    if (r.spec() != null) {
      m.append(": ").append(code(r.spec(), false));
    }
    m.append("\n\n");
    m.append(ReportText.verdict(r, maxOrphanRate, v -> code(v, false), v -> "**" + v + "**"))
        .append("\n\n")
        .append(ReportText.figures(r))
        .append("\n\n");
    services(m, r, maxOrphanRate);
    edges(m, r.brokenEdges());
    diagnoses(m, r.diagnoses());
    m.append('_').append(text(r.tool() + " " + r.version() + ", mode " + r.mode())).append("_\n");
    return m.toString();
  }

  private static void services(StringBuilder m, AuditReport r, double max) {
    m.append("## Services\n\n");
    if (r.services().isEmpty()) {
      m.append("No service sent spans.\n\n");
      return;
    }
    m.append("| service | spans | orphan roots | missing parent | orphan rate % |\n")
        .append("| --- | ---: | ---: | ---: | ---: |\n");
    for (Map.Entry<String, ServiceFigures> e : r.services().entrySet()) {
      ServiceFigures f = e.getValue();
      String rate = ReportText.percent(f.orphanRate(), max);
      m.append("| ")
          .append(code(e.getKey(), true))
          .append(" | ")
          .append(f.spans())
          .append(" | ")
          .append(f.orphanRoots())
          .append(" | ")
          .append(f.missingParentOrphans())
          .append(" | ")
          .append(f.orphanRate() > max ? "**" + rate + "**" : rate)
          .append(" |\n");
    }
    m.append('\n');
  }

  private static void edges(StringBuilder m, List<BrokenEdge> edges) {
    m.append("## Broken edges\n\n");
    if (edges.isEmpty()) {
      m.append("No broken edge.\n\n");
      return;
    }
    m.append("| edge | count | side | evidence |\n| --- | ---: | --- | --- |\n");
    for (BrokenEdge e : edges) {
      m.append("| ")
          .append(code(ReportText.edgeName(e), true))
          .append(" | ")
          .append(e.count())
          .append(" | ")
          .append(text(e.side()))
          .append(" | ")
          .append(text(e.evidence()))
          .append(" |\n");
    }
    m.append('\n');
    for (BrokenEdge e : edges) {
      m.append("- ").append(code(ReportText.edgeName(e), false)).append(": ").append(text(e.fix()));
      BrokenEdge.Example x = e.example();
      if (x != null) {
        m.append(" Example: call span ")
            .append(code(x.callSpanId(), false))
            .append(" of trace ")
            .append(code(x.callTraceId(), false))
            .append(", orphan root span ")
            .append(code(x.rootSpanId(), false))
            .append(" of trace ")
            .append(code(x.rootTraceId(), false))
            .append('.');
      }
      m.append('\n');
    }
    m.append('\n');
  }

  private static void diagnoses(StringBuilder m, List<DiagnosisCount> diagnoses) {
    m.append("## Diagnoses\n\n");
    if (diagnoses.isEmpty()) {
      m.append("No orphan span.\n\n");
      return;
    }
    m.append("| boundary | service | span | count |\n| --- | --- | --- | ---: |\n");
    for (DiagnosisCount d : diagnoses) {
      m.append("| ")
          .append(code(d.boundary(), true))
          .append(" | ")
          .append(code(d.service(), true))
          .append(" | ")
          .append(code(d.span(), true))
          .append(" | ")
          .append(d.count())
          .append(" |\n");
    }
    m.append('\n');
    for (DiagnosisCount d : diagnoses) {
      m.append("- ")
          .append(code(d.boundary(), false))
          .append(" at ")
          .append(code(d.service(), false))
          .append(" span ")
          .append(code(d.span(), false))
          .append(": ")
          .append(text(d.fix()))
          .append('\n');
    }
    m.append('\n');
  }

  /**
   * {@code s} as one code span, fenced by one backtick more than its longest run of backticks; in a
   * table cell its {@code |} escaped (GFM reads {@code \|} as a pipe inside code too).
   */
  private static String code(String s, boolean cell) {
    String v = ReportText.line(s);
    if (v.isEmpty()) {
      return "";
    }
    int longest = 0;
    for (int i = 0, run = 0; i < v.length(); i++) {
      run = v.charAt(i) == '`' ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    String fence = "`".repeat(longest + 1);
    boolean pad = v.startsWith("`") || v.endsWith("`") || v.startsWith(" ") || v.endsWith(" ");
    String body = cell ? v.replace("|", "\\|") : v;
    return pad ? fence + ' ' + body + ' ' + fence : fence + body + fence;
  }

  /** {@code s} on one line with every character of {@link #ACTIVE} backslash-escaped. */
  private static String text(String s) {
    String v = ReportText.line(s);
    StringBuilder b = new StringBuilder(v.length() + 16);
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (ACTIVE.indexOf(c) >= 0) {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }
}
