package dev.tracelab.config;

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
