// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.FlowSpecException;
import dev.tracelab.auditor.spec.FlowSpecYaml;
import dev.tracelab.auditor.spec.SpanSelector;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a kit auditor judges by, the same in-process and in a container: a flow spec file, or entry
 * points with an optional correlation attribute (docs/design.md §11.1).
 *
 * @param mode {@code entry} for entry points alone, else {@code spec}
 * @param file the spec file, or null when built from entry points
 */
record Judging(FlowSpec spec, String mode, Path file) {

  static final String ENTRY = "entry";
  static final String SPEC = "spec";

  static Judging entryPoints(List<String> entryPoints, String correlation) {
    if (entryPoints.isEmpty()) {
      throw new IllegalArgumentException(
          "give at least one entry point, service[:KIND] (e.g. frontend:SERVER)");
    }
    List<SpanSelector> selectors = entryPoints.stream().map(Judging::entryPoint).toList();
    FlowSpec spec =
        new FlowSpec(ENTRY, List.of(), selectors, correlation, List.of(), 0, List.of(), Map.of());
    return new Judging(spec, correlation == null ? ENTRY : SPEC, null);
  }

  static Judging specFile(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      return new Judging(FlowSpecYaml.read(file), SPEC, file);
    } catch (FlowSpecException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  static Judging of(FlowSpec spec) {
    return new Judging(Objects.requireNonNull(spec, "spec"), SPEC, null);
  }

  private static SpanSelector entryPoint(String text) {
    SpanSelector selector = SpanSelector.parse(Objects.requireNonNull(text, "entry point"));
    if (selector.name() != null) {
      throw new IllegalArgumentException("an entry point is service[:KIND], was '" + text + "'");
    }
    return selector;
  }

  /**
   * The spec as YAML for {@code audit --spec} (built from entry points and a correlation
   * attribute).
   */
  String yaml() {
    StringBuilder sb =
        new StringBuilder("name: ").append(quote(spec.name())).append("\nentryPoints: [");
    for (int i = 0; i < spec.entryPoints().size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(quote(spec.entryPoints().get(i).toString()));
    }
    sb.append("]\n");
    if (spec.correlation() != null) {
      sb.append("correlation: ").append(quote(spec.correlation())).append('\n');
    }
    return sb.toString();
  }

  /** The entry points as {@code audit --entry} takes them. */
  String entryArgument() {
    return String.join(",", spec.entryPoints().stream().map(SpanSelector::toString).toList());
  }

  /** A YAML double-quoted scalar. */
  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /** {@code entry frontend:SERVER} or {@code spec shop.yaml}, for toString and messages. */
  String describe() {
    if (file != null) {
      return "spec " + file;
    }
    if (!ENTRY.equals(spec.name()) && !spec.entryPoints().isEmpty()) {
      return "spec '" + spec.name() + "'";
    }
    return "entry "
        + entryArgument()
        + (spec.correlation() == null ? "" : ", correlation " + spec.correlation());
  }
}
