// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.spec.FlowSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run is: the flow spec its spans are judged by, and labels the auditor only carries into
 * the report (a lab run's name, the variant and the implementation of each service, whether it went
 * through the mesh, its instrumentation: {@code sdk} or {@code agent}). The rules read the spec
 * alone.
 */
public record RunSetup(
    String name,
    Map<String, String> variants,
    Map<String, String> implementations,
    boolean mesh,
    String instrumentation,
    FlowSpec spec) {

  public RunSetup {
    variants = Collections.unmodifiableMap(new LinkedHashMap<>(variants));
    implementations = Collections.unmodifiableMap(new LinkedHashMap<>(implementations));
    instrumentation = instrumentation == null ? "sdk" : instrumentation;
  }

  /** A run whose services run their own SDKs only ({@code sdk}). */
  public RunSetup(
      String name,
      Map<String, String> variants,
      Map<String, String> implementations,
      boolean mesh,
      FlowSpec spec) {
    this(name, variants, implementations, mesh, "sdk", spec);
  }

  /** A run of {@code spec} with no labels. */
  public static RunSetup of(String name, FlowSpec spec) {
    return new RunSetup(name, Map.of(), Map.of(), false, spec);
  }

  /** The same run under another name and variants. */
  public RunSetup named(String name, Map<String, String> variants) {
    return new RunSetup(name, variants, implementations, mesh, instrumentation, spec);
  }
}
