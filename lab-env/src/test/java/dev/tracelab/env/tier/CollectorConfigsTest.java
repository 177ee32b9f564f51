// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.tier;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tier runs the very configs the compose stack mounts: one copy, shipped by the build. */
class CollectorConfigsTest {

  private static final Path SOURCE = Path.of("..", "compose", "collector");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        CollectorConfigs.LB,
        CollectorConfigs.TAIL,
        ScaleCollector.CONFIG,
        CollectorConfigs.BUILDER_MANIFEST
      })
  void shippedConfigIsByteForByteTheComposeOne(String file) throws IOException {
    byte[] shipped;
    try (InputStream in = CollectorConfigs.open(file)) {
      shipped = in.readAllBytes();
    }
    assertThat(shipped).isEqualTo(Files.readAllBytes(SOURCE.resolve(file)));
    assertThat(Files.readAllBytes(CollectorConfigs.write(dir, file))).isEqualTo(shipped);
  }

  @Test
  void cachedBinaryIsNamedByTheManifestHashAsBuildCollectorShComputesIt() throws Exception {
    // the shell's computation (build-collector.sh: versions from the pom, sed, sha256sum), run for
    // real
    Path root = SOURCE.getParent().getParent();
    Process p =
        new ProcessBuilder(
                "bash",
                "-c",
                ". compose/versions.sh && sed -e \"s/\\${OTELCOL_VERSION}/$OTELCOL_VERSION/g\""
                    + " -e \"s/\\${OTELCOL_STABLE_VERSION}/$OTELCOL_STABLE_VERSION/g\" compose/collector/builder-config.yaml"
                    + " | sha256sum | cut -d' ' -f1")
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    String shell = new String(p.getInputStream().readAllBytes()).trim();
    assertThat(p.waitFor()).as(shell).isZero();
    assertThat(shell).matches("[0-9a-f]{64}");
    assertThat(TierArtifacts.collectorCacheKey()).isEqualTo(shell);
  }

  private static byte[] sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }
}
