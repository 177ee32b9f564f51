// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import dev.tracelab.flow.Implementation;
import dev.tracelab.flow.Language;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code node}: the Node.js worker ({@code worker-svc/node/}) as a supervised child process, run as
 * {@code node --import ./src/instrument.js src/main.js} in its folder. Its dependencies are
 * installed on first use with {@code npm ci}, again whenever {@code package-lock.json} or {@code
 * package.json} is newer than the last install; the output goes to {@code
 * worker-svc/node/target/npm-ci.log}. Without Node.js 20.6+ (or npm), starting is a one-line error
 * naming what is missing.
 */
public final class NodeImplementation implements ServiceImplementation {

  static final int[] REQUIRED = {20, 6, 0};
  private static final List<Path> INSTALL_DIRS =
      List.of(Path.of("/usr/local/bin"), Path.of("/usr/bin"));
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);

  /** The setup file of {@code --instrumentation agent}, loaded after the worker's own. */
  static final String AUTO_INSTRUMENT = "./src/auto-instrument.js";

  private final Path root;
  private final List<Path> searchPath;
  private final boolean auto;
  private volatile ChildProcessImplementation processes;

  NodeImplementation(Path root, List<Path> searchPath) {
    this(root, searchPath, false);
  }

  private NodeImplementation(Path root, List<Path> searchPath, boolean auto) {
    this.root = root;
    this.searchPath = searchPath;
    this.auto = auto;
  }

  /**
   * {@code node-auto} ({@code --instrumentation agent}): the same worker, started as {@code node
   * --import ./src/instrument.js --import ./src/auto-instrument.js src/main.js}: its own SDK first,
   * then {@code @opentelemetry/auto-instrumentations-node} (docs/auto-instrumentation.md).
   */
  public static NodeImplementation autoInstrumented(Path root) {
    return new NodeImplementation(
        root.toAbsolutePath().normalize(), Toolchain.searchPath(INSTALL_DIRS), true);
  }

  /** The Node.js implementations in the checkout at {@code root}. */
  public static NodeImplementation create(Path root) {
    return new NodeImplementation(
        root.toAbsolutePath().normalize(), Toolchain.searchPath(INSTALL_DIRS));
  }

  /** The Node.js implementations of the checkout this lab runs from. */
  public static NodeImplementation create() {
    return create(SourceTree.root());
  }

  @Override
  public String id() {
    return auto ? "node-auto" : Language.NODE.id();
  }

  @Override
  public String language() {
    return Language.NODE.id();
  }

  @Override
  public RunningService start(ServiceSpec spec) {
    Implementation.of(
        spec.role(), Language.NODE); // a role without a Node.js implementation: a clear error
    return prepare(spec.role()).start(spec);
  }

  /** The role's folder: {@code <role>/node}. */
  public Path folder(String role) {
    return root.resolve(role).resolve("node");
  }

  /**
   * Checks Node.js and npm and installs the role's dependencies when they are missing or older than
   * its lockfile; returns at once when they are up to date.
   */
  public synchronized ChildProcessImplementation prepare(String role) {
    Path node =
        Toolchain.find("node", searchPath)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        role
                            + " node implementation needs Node.js "
                            + REQUIRED[0]
                            + "."
                            + REQUIRED[1]
                            + "+ (node not found on PATH)"));
    if (processes == null) {
      String found =
          Toolchain.firstLine(List.of(node.toString(), "--version"), Map.of()).orElse("");
      int[] have = Toolchain.version(found);
      if (have == null || !Toolchain.atLeast(have, REQUIRED)) {
        throw new IllegalStateException(
            role
                + " node implementation needs Node.js "
                + REQUIRED[0]
                + "."
                + REQUIRED[1]
                + "+ ("
                + node
                + " is "
                + (found.isEmpty() ? "unusable" : found)
                + ")");
      }
    }
    Path dir = folder(role);
    Path installed = dir.resolve("node_modules").resolve(".package-lock.json");
    if (Toolchain.stale(
        installed,
        List.of(dir.resolve("package-lock.json"), dir.resolve("package.json")),
        p -> true)) {
      Path npm =
          Toolchain.find("npm", List.of(node.getParent()))
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          role
                              + " node implementation needs npm (not found on PATH or beside "
                              + node
                              + ")"));
      Toolchain.build(
          "npm ci in " + root.relativize(dir),
          List.of(npm.toString(), "ci", "--no-audit", "--no-fund"),
          dir,
          Map.of(),
          dir.resolve("target").resolve("npm-ci.log"),
          INSTALL_TIMEOUT);
    }
    if (processes == null) {
      processes =
          ChildProcessImplementation.builder(
                  id(),
                  r ->
                      auto
                          ? List.of(
                              node.toString(),
                              "--import",
                              "./src/instrument.js",
                              "--import",
                              AUTO_INSTRUMENT,
                              "src/main.js")
                          : List.of(
                              node.toString(), "--import", "./src/instrument.js", "src/main.js"))
              .language(Language.NODE.id())
              .environment(auto ? AgentInstrumentation.NODE_ENV : Map.of())
              .workingDirectory(dir)
              .build();
    }
    return processes;
  }
}
