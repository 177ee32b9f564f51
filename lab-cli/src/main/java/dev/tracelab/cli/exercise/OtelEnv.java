// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code config/otel.env}: the {@code OTEL_PROPAGATORS} each lab service is deployed with, one
 * {@code <ROLE>_OTEL_PROPAGATORS=<list>} line per service ({@code GATEWAY_}, {@code WORKER_},
 * {@code CONSUMER_}), {@code #} comments. What the learner edits in the {@code propagators}
 * exercise. Input from the learner: bounded, and a bad line is one error naming the file and line.
 */
final class OtelEnv {

  static final String FILE = "config/otel.env";

  /** The propagators the lab's services can run (the SDK's autoconfigure and the Go services). */
  static final Set<String> KNOWN =
      Set.of("tracecontext", "baggage", "b3", "b3multi", "jaeger", "ottrace", "none");

  private static final long MAX_BYTES = 64 * 1024;
  private static final String SUFFIX = "_OTEL_PROPAGATORS";

  private OtelEnv() {}

  /** {@code GATEWAY_OTEL_PROPAGATORS} for {@code gateway-svc}. */
  static String key(String role) {
    return role.substring(0, role.indexOf('-')).toUpperCase(Locale.ROOT) + SUFFIX;
  }

  /**
   * {@code OTEL_PROPAGATORS} per service, in flow order; a service the file does not name runs the
   * default. Fails on a missing or malformed file, naming the line.
   */
  static Map<String, String> read(Path root) {
    Path file = root.resolve(FILE);
    List<String> lines;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new ExerciseException(FILE + ": larger than " + MAX_BYTES + " bytes");
      }
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ExerciseException("cannot read " + FILE + ": " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    Flow.SERVICES.forEach(s -> out.put(s, Scenario.DEFAULT_PROPAGATORS));
    Map<String, String> roles = new LinkedHashMap<>();
    Flow.SERVICES.forEach(s -> roles.put(key(s), s));
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      String at = FILE + ":" + (i + 1) + ": ";
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new ExerciseException(at + "expected KEY=VALUE, not '" + clip(line) + "'");
      }
      String key = line.substring(0, eq).strip();
      String value = unquote(line.substring(eq + 1).strip());
      String role = roles.get(key);
      if (role == null) {
        throw new ExerciseException(
            at
                + "unknown key '"
                + clip(key)
                + "' (expected one of "
                + String.join(", ", roles.keySet())
                + ")");
      }
      if (value.isEmpty()) {
        throw new ExerciseException(at + key + " is empty");
      }
      for (String p : value.split(",", -1)) {
        if (!KNOWN.contains(p.strip())) {
          throw new ExerciseException(
              at
                  + "unknown propagator '"
                  + clip(p.strip())
                  + "' in "
                  + key
                  + " (known: tracecontext, baggage, b3, b3multi, jaeger, ottrace, none)");
        }
      }
      out.put(role, value.replace(" ", ""));
    }
    return out;
  }

  /** True when a service with {@code propagators} writes W3C {@code traceparent}. */
  static boolean w3c(String propagators) {
    return List.of(propagators.split(",")).contains("tracecontext");
  }

  private static String unquote(String v) {
    if (v.length() >= 2
        && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
      return v.substring(1, v.length() - 1).strip();
    }
    return v;
  }

  private static String clip(String s) {
    String printable = s.replaceAll("\\p{Cntrl}", "?");
    return printable.length() > 60 ? printable.substring(0, 60) + "…" : printable;
  }
}
