// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.config;

import dev.tracelab.flow.Variant;
import java.util.Map;

/** Reads a service process's configuration from environment variables, with clear errors. */
public final class Env {

  private final Map<String, String> env;

  private Env(Map<String, String> env) {
    this.env = env;
  }

  public static Env system() {
    return new Env(System.getenv());
  }

  public static Env of(Map<String, String> env) {
    return new Env(env);
  }

  public String get(String name, String defaultValue) {
    String value = env.get(name);
    return value == null || value.isBlank() ? defaultValue : value.trim();
  }

  /** {@code BIND_HOST}, default all interfaces (what a container needs). */
  public String bindHost() {
    return get("BIND_HOST", "0.0.0.0");
  }

  /** {@code PORT}, 0 (a free port) to 65535. */
  public int port(int defaultPort) {
    return getInt("PORT", defaultPort, 0, 65535);
  }

  /** {@code KAFKA_BOOTSTRAP_SERVERS}, default the local broker of {@code ./lab up}. */
  public String kafkaBootstrapServers() {
    return get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  }

  /** {@code TRACELAB_VARIANT}: fixed (default) or broken. */
  public Variant variant() {
    return Variant.parse(get(Variant.ENV, "fixed"));
  }

  /**
   * A boolean setting: {@code true} or {@code false} (any case); anything else names the variable
   * in the error.
   */
  public boolean getBoolean(String name, boolean defaultValue) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return defaultValue;
    }
    return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(name + "=" + raw + " is not true or false");
    };
  }

  /** An integer setting in {@code [min, max]}; anything else names the variable in the error. */
  public int getInt(String name, int defaultValue, int min, int max) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return defaultValue;
    }
    try {
      int value = Integer.parseInt(raw.trim());
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + "=" + raw + " is out of range [" + min + ", " + max + "]");
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + raw + " is not an integer", e);
    }
  }
}
