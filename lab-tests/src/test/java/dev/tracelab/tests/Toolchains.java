// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import dev.tracelab.env.mesh.EnvoySidecar;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Language;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether this machine can run a combination's Go and Node.js implementations, and the Envoy
 * sidecar of mesh mode. Missing: the test is skipped with the reason, unless {@code
 * -Dtracelab.toolchains=required} (a toolchain) or {@code -Dtracelab.mesh=required} (Envoy) is set
 * (CI), where it fails.
 */
final class Toolchains {

  static final boolean REQUIRED = "required".equals(System.getProperty("tracelab.toolchains"));
  static final boolean MESH_REQUIRED = "required".equals(System.getProperty("tracelab.mesh"));

  private Toolchains() {}

  static void assumeAvailable(Implementations implementations) {
    if (implementations.mesh()) {
      assumeEnvoy();
    }
    for (String role : Flow.SERVICES) {
      Language language = implementations.languageOf(role);
      String missing =
          switch (language) {
            case GO ->
                found("go", "/usr/local/go/bin")
                    ? null
                    : "Go (go not found on PATH or in /usr/local/go/bin)";
            case NODE -> found("node") ? null : "Node.js 20.6+ (node not found on PATH)";
            case JAVA, CPP, BROWSER -> null;
          };
      if (missing != null) {
        String reason = role + " " + language.id() + " implementation needs " + missing;
        if (REQUIRED) {
          throw new AssertionError(reason + " and -Dtracelab.toolchains=required is set");
        }
        Assumptions.abort(reason);
      }
    }
  }

  /**
   * Envoy for mesh mode: skipped with the reason when missing, failed under
   * -Dtracelab.mesh=required.
   */
  static void assumeEnvoy() {
    EnvoySidecar.missing()
        .ifPresent(
            reason -> {
              if (MESH_REQUIRED) {
                throw new AssertionError(reason + " and -Dtracelab.mesh=required is set");
              }
              Assumptions.abort(reason);
            });
  }

  private static boolean found(String program, String... extraDirs) {
    List<String> dirs =
        new ArrayList<>(
            List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    dirs.addAll(List.of(extraDirs));
    return dirs.stream()
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, program))
        .anyMatch(Files::isExecutable);
  }
}
