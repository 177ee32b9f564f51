// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The page of {@code frontend/}, bundled at build time: {@code npm ci} when its dependencies are
 * missing or older than its lockfile, {@code npm run build} (esbuild) when {@code dist/app.js} is
 * older than its sources or the defects in {@code broken-variants/frontend/}. Logs go to {@code
 * frontend/target/}. Without Node.js (or npm) it is a one-line error naming what is missing.
 */
public final class FrontendBundle {

  private static final List<Path> INSTALL_DIRS =
      List.of(Path.of("/usr/local/bin"), Path.of("/usr/bin"));
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private FrontendBundle() {}

  /** The checkout's bundle folder ({@code frontend/dist}), built first if needed. */
  public static synchronized Path prepare() {
    return prepare(SourceTree.root());
  }

  /** {@code root}'s bundle folder ({@code frontend/dist}), built first if needed. */
  public static synchronized Path prepare(Path root) {
    Path dir = root.resolve("frontend");
    Path node =
        Toolchain.find("node", Toolchain.searchPath(INSTALL_DIRS))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the frontend needs Node.js to build its bundle (node not found on PATH)"));
    Path npm =
        Toolchain.find("npm", List.of(node.getParent()))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the frontend needs npm to build its bundle (not found beside "
                            + node
                            + ")"));
    Path installed = dir.resolve("node_modules").resolve(".package-lock.json");
    if (Toolchain.stale(
        installed,
        List.of(dir.resolve("package-lock.json"), dir.resolve("package.json")),
        p -> true)) {
      Toolchain.build(
          "npm ci in frontend",
          List.of(npm.toString(), "ci", "--no-audit", "--no-fund"),
          dir,
          Map.of(),
          dir.resolve("target").resolve("npm-ci.log"),
          TIMEOUT);
    }
    Path dist = dir.resolve("dist");
    List<Path> sources =
        List.of(
            dir.resolve("src"),
            dir.resolve("scripts"),
            dir.resolve("package-lock.json"),
            root.resolve("broken-variants").resolve("frontend"),
            installed);
    if (Toolchain.stale(dist.resolve("app.js"), sources, p -> true)
        || Toolchain.stale(dist.resolve("index.html"), sources, p -> true)) {
      Toolchain.build(
          "npm run build in frontend",
          List.of(npm.toString(), "run", "build"),
          dir,
          Map.of(),
          dir.resolve("target").resolve("build.log"),
          TIMEOUT);
    }
    return dist;
  }
}
