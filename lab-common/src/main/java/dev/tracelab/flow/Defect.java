// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import java.util.Map;

/**
 * One row of the defect catalog ({@link Defects#ALL}): one deliberate defect in one implementation.
 *
 * @param id {@code <defect>/<language>} ({@code http/java}), or {@code <defect>} for a defect of
 *     configuration, which no language has ({@code propagators})
 * @param boundary the boundary it breaks, or null when it breaks none of them (a trace that grows
 *     with uptime: {@code lifecycle})
 * @param role the participant whose switch turns it on (service folder name, or {@code frontend})
 * @param language the implementation's language, or null for configuration (any language)
 * @param brokenFile the file holding the defect (repo-relative), or null for configuration
 * @param fixFile the file holding its fix (repo-relative)
 * @param variant the value of the role's variant switch that runs it ({@code TRACELAB_VARIANT} of a
 *     service, {@code --frontend} of the page), or null for configuration
 * @param propagators for configuration: {@code OTEL_PROPAGATORS} per role that runs it; else empty
 * @param scenario the scenario that runs it, the rest fixed (for the page's defects: none)
 * @param exercise the exercise it is ({@code ./lab exercise check <exercise>}), or null
 * @param defect what is wrong, in one line (the docs' tables)
 * @param symptom what a run shows, in one line (the docs' tables)
 * @param fix where the fix belongs, in one line (the docs' tables)
 */
public record Defect(
    String id,
    Boundary boundary,
    String role,
    Language language,
    String brokenFile,
    String fixFile,
    String variant,
    Map<String, String> propagators,
    String scenario,
    String exercise,
    String defect,
    String symptom,
    String fix) {

  public Defect {
    propagators = Map.copyOf(propagators);
  }

  /** The defect's name without its language: {@code http}, {@code leak}, {@code propagators}. */
  public String name() {
    int slash = id.indexOf('/');
    return slash < 0 ? id : id.substring(0, slash);
  }

  /** True for a defect of configuration: no file holds it, no variant switches it. */
  public boolean isConfiguration() {
    return brokenFile == null;
  }

  /** {@code java}, {@code go}, ... or {@code any} for configuration. */
  public String languageId() {
    return language == null ? "any" : language.id();
  }

  /**
   * How to switch it on, in the CLI's and the env's terms: {@code --gateway broken} ({@code
   * TRACELAB_VARIANT=broken}), {@code --frontend leak}, or each role's {@code OTEL_PROPAGATORS}.
   */
  public String switchText() {
    if (isConfiguration()) {
      StringBuilder sb = new StringBuilder("OTEL_PROPAGATORS:");
      propagators.entrySet().stream()
          .sorted(
              Map.Entry.comparingByKey(
                  (a, b) -> Flow.SERVICES.indexOf(a) - Flow.SERVICES.indexOf(b)))
          .forEach(e -> sb.append(' ').append(e.getKey()).append('=').append(e.getValue()));
      return sb.toString();
    }
    if (role.equals(Flow.FRONTEND)) {
      return "--frontend " + variant;
    }
    String flag = "--" + role.substring(0, role.indexOf('-'));
    String lang = language == Language.JAVA ? "" : " " + flag + "-lang " + language.id();
    return flag + " " + variant + lang + " (" + Variant.ENV + "=" + variant + ")";
  }
}
