// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.report;

import static dev.tracelab.auditor.report.CraftedReports.CALL_SPAN;
import static dev.tracelab.auditor.report.CraftedReports.CALL_TRACE;
import static dev.tracelab.auditor.report.CraftedReports.MAX;
import static dev.tracelab.auditor.report.CraftedReports.ROOT_SPAN;
import static dev.tracelab.auditor.report.CraftedReports.ROOT_TRACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class AuditMarkdownTest {

  /** A cell separator: a pipe no backslash escapes. */
  private static final Pattern SEPARATOR = Pattern.compile("(?<!\\\\)\\|");

  /** A code span: a run of backticks, anything, the same run. */
  private static final Pattern CODE = Pattern.compile("(?<![\\\\`])(`+)(?!`).*?(?<!`)\\1(?!`)");

  @Test
  void brokenReportHasTheVerdictTheTablesAndTheFixes() {
    String md = AuditMarkdown.render(CraftedReports.broken(), MAX);

    assertThat(md.lines().toList())
        .containsSubsequence(
            "# tracelab audit: `shop`",
            "**FAIL**: orphan rate above 1.0% in `customer` (100.0%).",
            "8 traces, 2 connected; 6 requests: 0 connected, 0 linked, 2.00 traces per request.",
            "## Services",
            "| service | spans | orphan roots | missing parent | orphan rate % |",
            "| --- | ---: | ---: | ---: | ---: |",
            "| `frontend` | 12 | 0 | 0 | 0.0 |",
            "| `customer` | 6 | 6 | 0 | **100.0** |",
            "| `driver` | 200 | 0 | 1 | 0.5 |",
            "## Broken edges",
            "| edge | count | side | evidence |",
            "| --- | ---: | --- | --- |",
            "| `frontend -> customer (http)` | 6 | callee | 6 unanswered CLIENT 'GET' spans \\<-\\> 6 root SERVER 'GET /customer' |",
            "- `frontend -> customer (http)`: The callee customer must extract the trace context. Example: call span `"
                + CALL_SPAN
                + "` of trace `"
                + CALL_TRACE
                + "`, orphan root span `"
                + ROOT_SPAN
                + "` of trace `"
                + ROOT_TRACE
                + "`.",
            "## Diagnoses",
            "| boundary | service | span | count |",
            "| --- | --- | --- | ---: |",
            "| `http` | `customer` | `GET /customer` | 6 |",
            "| `missing-parent` | `driver` | `FindNearest` | 1 |",
            "- `http` at `customer` span `GET /customer`: A SERVER span of customer started a new trace.",
            "- `missing-parent` at `driver` span `FindNearest`: The parent span was never exported.",
            "_tracelab dev, mode spec_");
    assertThat(md).endsWith("\n");
  }

  @Test
  void passingReportSaysPassAndHasNoRequestFigures() {
    String md = AuditMarkdown.render(CraftedReports.passing(), MAX);

    assertThat(md.lines().toList())
        .containsSubsequence(
            "# tracelab audit: `entry`",
            "**PASS**: no service's orphan rate is above 1.0%.",
            "3 traces, 3 connected.",
            "| `frontend` | 3 | 0 | 0 | 0.0 |",
            "No broken edge.",
            "No orphan span.");
  }

  @Test
  void aPassWithBrokenEdgesSaysTheyFollow() {
    String md = AuditMarkdown.render(CraftedReports.broken(), 1.0);

    assertThat(md)
        .contains(
            "\n**PASS**: no service's orphan rate is above 100.0%. 1 broken edge is listed below.\n");
  }

  @Test
  void nothingReceivedIsAFail() {
    String md = AuditMarkdown.render(CraftedReports.empty(), MAX);

    assertThat(md.lines().toList())
        .containsSubsequence(
            "**FAIL**: no trace reached the auditor, nothing to judge.",
            "0 traces, 0 connected.",
            "No service sent spans.");
  }

  @Test
  void ratesArePrintedPreciselyEnoughToDifferFromTheThreshold() {
    AuditReport r =
        new AuditReport(
            "tracelab",
            "dev",
            "entry",
            null,
            10,
            9,
            null,
            null,
            null,
            null,
            Map.of("a", new ServiceFigures(990, 10, 10, 0, 10 / 990.0)),
            List.of(),
            List.of());

    assertThat(AuditMarkdown.render(r, MAX))
        .contains("**FAIL**: orphan rate above 1.0% in `a` (1.01%).")
        .contains("| `a` | 990 | 10 | 0 | **1.01** |");
    assertThat(AuditMarkdown.render(r, 0.0025)).contains("above 0.25% in `a` (1.01%).");
    assertThat(AuditMarkdown.render(r, 0.02))
        .startsWith("# tracelab audit\n\n**PASS**: no service's orphan rate is above 2.0%.");
  }

  @Test
  void hostileValuesStayInTheirCellsAndAddNoMarkup() {
    String md = AuditMarkdown.render(CraftedReports.hostile(), MAX);

    // every row of a table keeps the header's column count
    List<String> lines = md.lines().toList();
    int header = -1;
    for (String line : lines) {
      if (!line.startsWith("|")) {
        header = -1;
      } else if (header < 0) {
        header = cells(line);
      } else {
        assertThat(cells(line)).as(line).isEqualTo(header);
      }
    }
    // the hostile line feed added no line: none starts with what followed it
    assertThat(lines).noneMatch(l -> l.startsWith("&"));
    String escapedName = "\"<script>alert(1)</script>\\| &";
    assertThat(lines)
        .contains(
            "| `frontend` | 12 | 0 | 0 | 0.0 |",
            "| `" + escapedName + "` | 6 | 6 | 0 | **100.0** |",
            "| `" + escapedName + "` | `" + escapedName + "` | `" + escapedName + "` | 6 |");
    assertThat(md)
        .contains("# tracelab audit: `\"<script>alert(1)</script>| &`")
        .contains("**FAIL**: orphan rate above 1.0% in `\"<script>alert(1)</script>| &` (100.0%).")
        .contains(
            ": The callee \"\\<script\\>alert(1)\\</script\\>\\| \\& must extract \\*\\*it\\*\\* \\[here\\](http://x)"
                + " \\_now\\_ \\`x\\` \\~\\~y\\~\\~ \\$z\\$ \\\\ Example:");
    // outside code spans, no character that opens markup is left unescaped
    String prose = CODE.matcher(md.replace("_tracelab dev, mode spec_", "")).replaceAll("");
    assertThat(
            Pattern.compile("(?<!\\\\)[<>&\\[\\]*_~$`]")
                .matcher(prose.replace("**FAIL**", "").replace("**100.0**", "").replace("\\\\", ""))
                .find())
        .as(prose)
        .isFalse();
  }

  @Test
  void backticksInANameLengthenTheFence() {
    AuditReport r =
        new AuditReport(
            "tracelab",
            "dev",
            "entry",
            null,
            1,
            0,
            null,
            null,
            null,
            null,
            Map.of(
                "a`b",
                new ServiceFigures(1, 1, 1, 0, 1.0),
                "`c",
                new ServiceFigures(1, 0, 0, 0, 0.0)),
            List.of(),
            List.of());

    assertThat(AuditMarkdown.render(r, MAX))
        .contains("| ``a`b`` | 1 | 1 | 0 | **100.0** |")
        .contains("| `` `c `` | 1 | 0 | 0 | 0.0 |");
  }

  @Test
  void rejectsAThresholdThatIsNotAFraction() {
    assertThatThrownBy(() -> AuditMarkdown.render(CraftedReports.broken(), Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuditMarkdown.render(CraftedReports.broken(), -0.1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static int cells(String row) {
    return SEPARATOR.split(row, -1).length - 2;
  }
}
