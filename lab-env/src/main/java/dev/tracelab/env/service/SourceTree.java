// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * The tracelab checkout the non-JVM implementations are built from (and the compose stack runs
 * from): {@code -Dtracelab.root} or {@code TRACELAB_ROOT} when set, else the first folder above the
 * working directory (then above this class's jar or classes folder) holding {@code go.mod} and
 * {@code worker-svc/}.
 */
public final class SourceTree {

  private SourceTree() {}

  /** The checkout's root folder; throws when there is none. */
  public static Path root() {
    String configured = System.getProperty("tracelab.root", System.getenv("TRACELAB_ROOT"));
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    Path cwd = Path.of("").toAbsolutePath();
    Path found = above(cwd);
    if (found == null) {
      found = above(codeLocation());
    }
    if (found == null) {
      throw new IllegalStateException(
          "no tracelab source tree (go.mod and worker-svc/) above "
              + cwd
              + "; set -Dtracelab.root or TRACELAB_ROOT");
    }
    return found;
  }

  private static Path above(Path start) {
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("go.mod"))
          && Files.isDirectory(dir.resolve("worker-svc"))) {
        return dir;
      }
    }
    return null;
  }

  private static Path codeLocation() {
    try {
      CodeSource source = SourceTree.class.getProtectionDomain().getCodeSource();
      return source == null ? null : Path.of(source.getLocation().toURI()).toAbsolutePath();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }
}
