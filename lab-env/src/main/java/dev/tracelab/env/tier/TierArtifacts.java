// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.tier;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the tier's two programs are on this machine. Neither is in the repository: the collector
 * binary is built by {@code compose/collector/build-collector.sh}, the Zipkin exec jar fetched by
 * {@code compose/collector/fetch-zipkin.sh}, both into a cache outside the checkout ({@code
 * TRACELAB_CACHE}, default {@code ~/.cache/tracelab}).
 */
public final class TierArtifacts {

  /** The Zipkin server version; {@code fetch-zipkin.sh} fetches the same one. */
  public static final String ZIPKIN_VERSION = dev.tracelab.env.Versions.ZIPKIN;

  private TierArtifacts() {}

  /**
   * The collector binary: {@code TRACELAB_OTELCOL_BIN}, else {@code <cache>/otelcol/<sha256 of
   * builder-config.yaml>/otelcol-lab}, exactly as build-collector.sh computes it (the manifest is
   * shipped on the classpath with the collector configs).
   */
  public static Path collectorBinary() {
    String env = System.getenv("TRACELAB_OTELCOL_BIN");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException(
            "TRACELAB_OTELCOL_BIN=" + env + " is not an executable file");
      }
      return p;
    }
    Path bin = cacheRoot().resolve("otelcol").resolve(collectorCacheKey()).resolve("otelcol-lab");
    if (!Files.isExecutable(bin)) {
      throw new IllegalStateException(
          "no collector binary at "
              + bin
              + ": run compose/collector/build-collector.sh (or set TRACELAB_OTELCOL_BIN)");
    }
    return bin;
  }

  /**
   * The Zipkin exec jar: {@code TRACELAB_ZIPKIN_JAR}, else {@code <cache>/zipkin/}, else the local
   * Maven repository.
   */
  public static Path zipkinJar() {
    String env = System.getenv("TRACELAB_ZIPKIN_JAR");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException("TRACELAB_ZIPKIN_JAR=" + env + " is not a file");
      }
      return p;
    }
    String file = "zipkin-server-" + ZIPKIN_VERSION + "-exec.jar";
    Path cached = cacheRoot().resolve("zipkin").resolve(file);
    if (Files.isRegularFile(cached)) {
      return cached;
    }
    Path m2 =
        Path.of(
            System.getProperty("user.home"),
            ".m2",
            "repository",
            "io",
            "zipkin",
            "zipkin-server",
            ZIPKIN_VERSION,
            file);
    if (Files.isRegularFile(m2)) {
      return m2;
    }
    throw new IllegalStateException(
        "no Zipkin exec jar at "
            + cached
            + ": run compose/collector/fetch-zipkin.sh (or set TRACELAB_ZIPKIN_JAR)");
  }

  /** Why the tier cannot start here (binary or jar missing), or empty when it can. */
  public static Optional<String> unavailableReason() {
    try {
      collectorBinary();
      zipkinJar();
      return Optional.empty();
    } catch (IllegalStateException e) {
      return Optional.of(e.getMessage());
    }
  }

  static Path cacheRoot() {
    String cache = System.getenv("TRACELAB_CACHE");
    return cache != null && !cache.isBlank()
        ? Path.of(cache)
        : Path.of(System.getProperty("user.home"), ".cache", "tracelab");
  }

  /**
   * The collector's cache key, as compose/collector/build-collector.sh computes it: the sha256 of
   * the shipped builder manifest with the pinned versions in place.
   */
  static String collectorCacheKey() {
    try (InputStream in = CollectorConfigs.open(CollectorConfigs.BUILDER_MANIFEST)) {
      return dev.tracelab.env.Versions.collectorCacheKey(
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read " + CollectorConfigs.BUILDER_MANIFEST + ": " + e.getMessage(), e);
    }
  }
}
