package dev.tracelab.cli;

import dev.tracelab.flow.Scenario;
import dev.tracelab.flow.Variant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options, checked against the names a command accepts. */
final class Args {

  private final Map<String, String> values = new HashMap<>();

  private Args() {}

  static Args parse(String[] args, Set<String> allowed) {
    Args parsed = new Args();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name;
      String value;
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      int eq = arg.indexOf('=');
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
        throw new UsageException("unknown option --" + name + " (allowed: --" + String.join(", --", allowed) + ")");
      }
      parsed.values.put(name, value);
    }
    return parsed;
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
        throw new UsageException("--" + name + " must be between " + min + " and " + max + ", was " + raw);
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
        throw new UsageException("--" + name + " must be between " + min + " and " + max + ", was " + raw);
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
      return Variant.parse(values.get(name));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + name + ": " + e.getMessage());
    }
  }
}
