// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementation;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Instrumentation;
import dev.tracelab.flow.Language;
import dev.tracelab.flow.Scenario;
import dev.tracelab.flow.Variant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} options and {@code --flag}s, checked against the names a command accepts.
 */
final class Args {

  private final Map<String, String> values = new HashMap<>();

  private Args() {}

  /**
   * The options choosing each role's language (docs/design.md §7), for the commands that run a lab.
   */
  static final Set<String> LANGUAGE_OPTIONS =
      Set.of("gateway-lang", "worker-lang", "consumer-lang");

  static final String POLYGLOT = "polyglot";

  /** The worker's inbound hop through a real Envoy sidecar (docs/design.md §8). */
  static final String MESH = "mesh";

  /** {@code --instrumentation sdk|agent} (docs/design.md §14). */
  static final String INSTRUMENTATION = "instrumentation";

  static Args parse(String[] args, Set<String> allowed) {
    return parse(args, allowed, Set.of());
  }

  /** {@code options} plus the language options, {@code --polyglot} and {@code --mesh}. */
  static Args parseWithLanguages(String[] args, String... options) {
    Set<String> allowed = new LinkedHashSet<>(Set.of(options));
    allowed.addAll(LANGUAGE_OPTIONS);
    allowed.add(INSTRUMENTATION);
    return parse(args, allowed, Set.of(POLYGLOT, MESH));
  }

  /** As {@link #parse(String[], Set)}, plus {@code flags}: options without a value. */
  static Args parse(String[] args, Set<String> allowedOptions, Set<String> flags) {
    Set<String> allowed = new LinkedHashSet<>(allowedOptions);
    allowed.addAll(flags);
    Args parsed = new Args();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name;
      String value;
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      int eq = arg.indexOf('=');
      if (flags.contains(arg.substring(2))) {
        parsed.values.put(arg.substring(2), "true");
        continue;
      }
      if (eq > 0) {
        name = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else {
        name = arg.substring(2);
        if (i + 1 >= args.length) {
          throw new UsageException("--" + name + " needs a value");
        }
        value = args[++i];
      }
      if (!allowed.contains(name)) {
        throw new UsageException(
            "unknown option --" + name + " (allowed: --" + String.join(", --", allowed) + ")");
      }
      parsed.values.put(name, value);
    }
    return parsed;
  }

  /** Whether {@code --polyglot} or a {@code --<role>-lang} option was given. */
  boolean choosesLanguages() {
    return flag(POLYGLOT) || LANGUAGE_OPTIONS.stream().anyMatch(values::containsKey);
  }

  boolean flag(String name) {
    return values.containsKey(name);
  }

  /**
   * The language of each role: {@code --polyglot} is go/node/go, {@code --gateway-lang L}, {@code
   * --worker-lang L}, {@code --consumer-lang L} set (or override) one role; java by default. {@code
   * --mesh} adds the Envoy sidecar in front of the worker.
   */
  Implementations implementations() {
    Implementations base = flag(POLYGLOT) ? Implementations.POLYGLOT : Implementations.JAVA;
    Implementations chosen =
        new Implementations(
            implementation(Flow.GATEWAY, "gateway-lang", base),
            implementation(Flow.WORKER, "worker-lang", base),
            implementation(Flow.CONSUMER, "consumer-lang", base));
    return flag(MESH) ? chosen.withMesh() : chosen;
  }

  /** {@code --instrumentation sdk|agent}; {@code sdk} by default. */
  Instrumentation instrumentation() {
    String raw = values.get(INSTRUMENTATION);
    if (raw == null) {
      return Instrumentation.SDK;
    }
    try {
      return Instrumentation.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + INSTRUMENTATION + ": " + e.getMessage());
    }
  }

  private Implementation implementation(String role, String option, Implementations base) {
    String raw = values.get(option);
    if (raw == null) {
      return base.of(role);
    }
    try {
      return Implementation.of(role, Language.parse(raw));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + option + ": " + e.getMessage());
    }
  }

  String string(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }

  int integer(String name, int defaultValue, int min, int max) {
    String raw = values.get(name);
    if (raw == null) {
      return defaultValue;
    }
    try {
      int v = Integer.parseInt(raw);
      if (v < min || v > max) {
        throw new UsageException(
            "--" + name + " must be between " + min + " and " + max + ", was " + raw);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be an integer, was '" + raw + "'");
    }
  }

  double decimal(String name, double defaultValue, double min, double max) {
    String raw = values.get(name);
    if (raw == null) {
      return defaultValue;
    }
    try {
      double v = Double.parseDouble(raw);
      if (!(v >= min && v <= max)) {
        throw new UsageException(
            "--" + name + " must be between " + min + " and " + max + ", was " + raw);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a number, was '" + raw + "'");
    }
  }

  Scenario scenario(String name, Scenario defaultValue) {
    String raw = values.get(name);
    try {
      return raw == null ? defaultValue : Scenario.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + name + ": " + e.getMessage());
    }
  }

  Variant variant(String name) {
    try {
      Variant v = Variant.parse(values.get(name));
      if (!v.appliesTo(name + "-svc")) {
        throw new UsageException("--" + name + ": only the consumer has a " + v.id() + " variant");
      }
      return v;
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + name + ": " + e.getMessage());
    }
  }
}
