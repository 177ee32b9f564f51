// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.tier;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The collector configs, one copy: {@code compose/collector/*.yaml} (which the compose stack
 * mounts) is copied by the build into this package's {@code collector/} resources, and a run writes
 * them from the classpath into its run directory. Plus the one config this mode adds.
 */
final class CollectorConfigs {

  static final String LB = "lb.yaml";
  static final String TAIL = "tail.yaml";

  /** The collector builder's manifest: its hash names the cached binary. */
  static final String BUILDER_MANIFEST = "builder-config.yaml";

  private CollectorConfigs() {}

  static InputStream open(String file) {
    InputStream in = CollectorConfigs.class.getResourceAsStream("collector/" + file);
    if (in == null) {
      throw new IllegalStateException(
          "collector config "
              + file
              + " is not on the classpath (lab-env is built with"
              + " compose/collector/*.yaml as resources)");
    }
    return in;
  }

  /** Writes the shipped {@code file} into {@code dir}; returns its path. */
  static Path write(Path dir, String file) {
    Path target = dir.resolve(file);
    try (InputStream in = open(file)) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
    return target;
  }

  /**
   * An overlay for tail.yaml: a second pipeline on the same receiver filing every span the instance
   * RECEIVED, before any sampling, in {@code receivedFile} (tail.yaml only files what it kept). The
   * routing proof needs both.
   */
  static Path receivedOverlay(Path file, Path receivedFile) {
    String yaml =
        String.join(
            "\n",
            "exporters:",
            "  file/received:",
            "    path: " + receivedFile,
            "    format: json",
            "    flush_interval: 1s",
            "service:",
            "  pipelines:",
            "    traces/received:",
            "      receivers: [otlp]",
            "      exporters: [file/received]",
            "");
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }
}
