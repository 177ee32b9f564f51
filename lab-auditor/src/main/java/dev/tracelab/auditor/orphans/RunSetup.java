package dev.tracelab.auditor.orphans;

import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.Implementations;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one run of the lab is (docs/design.md §5, §7): its name, the variant, the implementation
 * (language) and the {@code OTEL_PROPAGATORS} of each service. The auditor diagnoses with it: the
 * fix file depends on the implementation, and two services whose propagators share no format break
 * the hop between them however correct their code is.
 */
public record RunSetup(
    String name,
    Map<String, String> variants,
    Implementations implementations,
    Map<String, String> propagators) {

  /** What the auditor assumes before anyone starts a run. */
  public static final RunSetup DEFAULT = of("since-start", Map.of());

  public RunSetup {
    variants = Collections.unmodifiableMap(new LinkedHashMap<>(variants));
    propagators = Collections.unmodifiableMap(new LinkedHashMap<>(propagators));
  }

  /** An all-Java run with the services' default propagators. */
  public static RunSetup of(String name, Map<String, String> variants) {
    return new RunSetup(name, variants, Implementations.JAVA, Map.of());
  }

  /** The expected trace of this run's implementations. */
  public ExpectedFlow flow() {
    return ExpectedFlow.of(implementations);
  }

  /**
   * True when both services' propagators are known and share no trace-context format: what one
   * injects, the other cannot extract ({@code b3} and {@code b3multi} read each other).
   */
  public boolean propagatorsDisagree(String caller, String callee) {
    Set<String> a = formats(propagatorsOf(caller));
    Set<String> b = formats(propagatorsOf(callee));
    if (a == null || b == null) {
      return false;
    }
    return a.stream().noneMatch(b::contains);
  }

  /**
   * The {@code OTEL_PROPAGATORS} of {@code participant}: as the run set it, else what its
   * implementation always uses (the Envoy sidecar: {@code tracecontext}); null when unknown.
   */
  public String propagatorsOf(String participant) {
    String set = propagators.get(participant);
    if (set != null || !implementations.has(participant)) {
      return set;
    }
    return implementations.of(participant).propagators();
  }

  /** True when the run puts the Envoy sidecar in front of the worker ({@code --mesh}). */
  public boolean mesh() {
    return implementations.mesh();
  }

  /** The trace-context formats of an OTEL_PROPAGATORS value (baggage carries no trace context). */
  private static Set<String> formats(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return Arrays.stream(value.split(","))
        .map(s -> s.trim().toLowerCase(Locale.ROOT))
        .filter(s -> !s.isEmpty() && !s.equals("baggage") && !s.equals("none"))
        .map(s -> s.equals("b3multi") ? "b3" : s)
        .collect(Collectors.toSet());
  }
}
