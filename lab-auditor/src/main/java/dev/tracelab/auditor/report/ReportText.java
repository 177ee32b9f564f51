// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.report;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * What the three report writers share: the verdict, the percentages they print, the name of an
 * edge, and the cleaning of values that come from spans (any text a sender chose).
 */
final class ReportText {

  private ReportText() {}

  /** The verdict: at least one trace was judged and no service is over the threshold. */
  static boolean passed(AuditReport r, double maxOrphanRate) {
    return r.traces() > 0 && r.servicesAbove(maxOrphanRate).isEmpty();
  }

  /**
   * The verdict as one sentence: {@code FAIL: orphan rate above 1.0% in a (60.0%), b (2.0%).},
   * {@code FAIL: no trace reached the auditor, nothing to judge.} or {@code PASS: no service's
   * orphan rate is above 1.0%.} (and how many broken edges follow). Only the service names come
   * from spans: {@code name} writes them; {@code strong} writes PASS or FAIL.
   */
  static String verdict(
      AuditReport r,
      double maxOrphanRate,
      UnaryOperator<String> name,
      UnaryOperator<String> strong) {
    List<String> over = r.servicesAbove(maxOrphanRate);
    String limit = threshold(maxOrphanRate) + "%";
    StringBuilder b = new StringBuilder(128);
    if (r.traces() == 0) {
      return b.append(strong.apply("FAIL"))
          .append(": no trace reached the auditor, nothing to judge.")
          .toString();
    }
    if (!over.isEmpty()) {
      b.append(strong.apply("FAIL")).append(": orphan rate above ").append(limit).append(" in ");
      for (int i = 0; i < over.size(); i++) {
        String service = over.get(i);
        b.append(i == 0 ? "" : ", ")
            .append(name.apply(service))
            .append(" (")
            .append(percent(r.services().get(service).orphanRate(), maxOrphanRate))
            .append("%)");
      }
      return b.append('.').toString();
    }
    b.append(strong.apply("PASS"))
        .append(": no service's orphan rate is above ")
        .append(limit)
        .append('.');
    int edges = r.brokenEdges().size();
    if (edges > 0) {
      b.append(' ')
          .append(edges)
          .append(edges == 1 ? " broken edge is" : " broken edges are")
          .append(" listed below.");
    }
    return b.toString();
  }

  /**
   * {@code 12 traces, 5 connected; 4 requests: 1 connected, 0 linked, 2.50 traces per request.}
   * (figures only).
   */
  static String figures(AuditReport r) {
    StringBuilder b = new StringBuilder(96);
    b.append(r.traces())
        .append(r.traces() == 1 ? " trace, " : " traces, ")
        .append(r.connectedTraces())
        .append(" connected");
    if (r.requests() != null) {
      b.append("; ")
          .append(r.requests())
          .append(r.requests() == 1 ? " request: " : " requests: ")
          .append(r.connectedRequests())
          .append(" connected, ")
          .append(r.linkedRequests())
          .append(" linked");
      if (r.fragmentsPerRequest() != null) {
        b.append(", ")
            .append(String.format(Locale.ROOT, "%.2f", r.fragmentsPerRequest()))
            .append(" traces per request");
      }
    }
    return b.append('.').toString();
  }

  /** A threshold is a fraction (0.01 for 1 %): rejects NaN, infinities and negative values. */
  static void checkThreshold(double maxOrphanRate) {
    if (!(maxOrphanRate >= 0) || Double.isInfinite(maxOrphanRate)) {
      throw new IllegalArgumentException(
          "maxOrphanRate must be a finite fraction >= 0: " + maxOrphanRate);
    }
  }

  /**
   * A threshold as a percentage, as precise as it was given (up to 4 decimals): {@code 1.0}, {@code
   * 0.25}.
   */
  static String threshold(double maxOrphanRate) {
    BigDecimal p =
        new BigDecimal(Double.toString(maxOrphanRate))
            .movePointRight(2)
            .setScale(4, RoundingMode.HALF_UP)
            .stripTrailingZeros();
    return (p.scale() < 1 ? p.setScale(1) : p).toPlainString();
  }

  /**
   * An orphan rate as a percentage without the sign: one decimal, more (up to 6) when fewer would
   * print a rate that differs from the threshold as equal to it ({@code 1.01} against {@code 1.0}).
   */
  static String percent(double rate, double maxOrphanRate) {
    String limit = threshold(maxOrphanRate);
    BigDecimal max = new BigDecimal(limit);
    int scale = Math.max(1, max.scale());
    String s = format(rate, scale);
    while (rate != maxOrphanRate && scale < 6 && new BigDecimal(s).compareTo(max) == 0) {
      s = format(rate, ++scale);
    }
    return s;
  }

  private static String format(double rate, int scale) {
    return String.format(Locale.ROOT, "%." + scale + "f", rate * 100);
  }

  /**
   * {@code from -> to (boundary)}; {@code (boundary, likely)} for an edge backed by timing alone.
   */
  static String edgeName(BrokenEdge e) {
    return e.likely() ? e.from() + " -> " + e.to() + " (" + e.boundary() + ", likely)" : e.label();
  }

  /**
   * {@code s} without the characters XML 1.0 forbids (controls other than tab, line feed and
   * carriage return, unpaired surrogates, U+FFFE and U+FFFF); {@code ""} for null.
   */
  static String clean(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i); // an unpaired surrogate comes back as itself
      if (!isXmlChar(c)) {
        if (b == null) {
          b = new StringBuilder(s.length()).append(s, 0, i);
        }
      } else if (b != null) {
        b.appendCodePoint(c);
      }
      i += Character.charCount(c);
    }
    return b == null ? s : b.toString();
  }

  private static boolean isXmlChar(int c) {
    return c == '\t'
        || c == '\n'
        || c == '\r'
        || c >= 0x20 && c <= 0xD7FF
        || c >= 0xE000 && c <= 0xFFFD
        || c >= 0x10000;
  }

  /** {@link #clean} on one line: tab, line feed and carriage return become spaces. */
  static String line(String s) {
    String c = clean(s);
    return c.indexOf('\n') < 0 && c.indexOf('\r') < 0 && c.indexOf('\t') < 0
        ? c
        : c.replace("\r\n", " ").replace('\r', ' ').replace('\n', ' ').replace('\t', ' ');
  }
}
