// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import dev.tracelab.flow.Implementation;
import dev.tracelab.flow.Language;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code go}: a role's Go program ({@code gateway-svc/go/}, {@code consumer-svc/go/}, one module at
 * the repository root) as a supervised child process. Built on first use with {@code go build -o
 * <role>/go/target/<role> ./<role>/go}, again whenever a Go source, {@code go.mod} or {@code
 * go.sum} of the role, {@code lab-common/go} or {@code broken-variants/go} is newer than the
 * binary; the build's output goes to {@code <role>/go/target/build.log}. Go is looked up on {@code
 * PATH}, then in {@code /usr/local/go/bin}; without it, starting is a one-line error naming what is
 * missing.
 */
public final class GoImplementation implements ServiceImplementation {

  static final List<Path> INSTALL_DIRS =
      List.of(Path.of("/usr/local/go/bin"), Path.of(System.getProperty("user.home"), "go", "bin"));
  private static final Pattern GO_DIRECTIVE = Pattern.compile("(?m)^go\\s+(\\S+)");
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

  private final Path root;
  private final List<Path> searchPath;
  private final ChildProcessImplementation processes;

  GoImplementation(Path root, List<Path> searchPath) {
    this.root = root;
    this.searchPath = searchPath;
    this.processes =
        ChildProcessImplementation.builder("go", role -> List.of(binary(role).toString()))
            .workingDirectory(root)
            .build();
  }

  /** The Go implementations in the checkout at {@code root} (the folder holding {@code go.mod}). */
  public static GoImplementation create(Path root) {
    return new GoImplementation(
        root.toAbsolutePath().normalize(), Toolchain.searchPath(INSTALL_DIRS));
  }

  /** The Go implementations of the checkout this lab runs from. */
  public static GoImplementation create() {
    return create(SourceTree.root());
  }

  @Override
  public String id() {
    return Language.GO.id();
  }

  @Override
  public RunningService start(ServiceSpec spec) {
    Implementation.of(
        spec.role(), Language.GO); // a role without a Go implementation: a clear error
    build(spec.role());
    return processes.start(spec);
  }

  /** The role's binary: {@code <role>/go/target/<role>}. */
  public Path binary(String role) {
    return root.resolve(role).resolve("go").resolve("target").resolve(role);
  }

  /**
   * Builds the role's binary when it is missing or older than its sources; returns at once when it
   * is up to date.
   */
  public synchronized void build(String role) {
    Path binary = binary(role);
    List<Path> inputs =
        List.of(
            root.resolve("go.mod"),
            root.resolve("go.sum"),
            root.resolve(role).resolve("go"),
            root.resolve("lab-common").resolve("go"),
            root.resolve("broken-variants").resolve("go"));
    boolean stale =
        Toolchain.stale(
            binary,
            inputs,
            p -> {
              String name = p.getFileName().toString();
              return (name.endsWith(".go") && !name.endsWith("_test.go"))
                  || name.equals("go.mod")
                  || name.equals("go.sum");
            });
    if (!stale) {
      return;
    }
    Path go =
        Toolchain.find("go", searchPath)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        role
                            + " go implementation needs Go "
                            + required()
                            + "+ (go not found on PATH or in "
                            + INSTALL_DIRS.get(0)
                            + ")"));
    Map<String, String> env = Map.of("GOTOOLCHAIN", "local");
    String found = Toolchain.firstLine(List.of(go.toString(), "env", "GOVERSION"), env).orElse("");
    int[] have = Toolchain.version(found);
    int[] need = Toolchain.version(required());
    if (have == null || (need != null && !Toolchain.atLeast(have, need))) {
      throw new IllegalStateException(
          role
              + " go implementation needs Go "
              + required()
              + "+ ("
              + go
              + " is "
              + (found.isEmpty() ? "unusable" : found)
              + ")");
    }
    Toolchain.build(
        "go build of " + role,
        List.of(go.toString(), "build", "-o", binary.toString(), "./" + role + "/go"),
        root,
        env,
        binary.resolveSibling("build.log"),
        BUILD_TIMEOUT);
  }

  /** The {@code go} directive of {@code go.mod} (the oldest toolchain that builds the module). */
  private String required() {
    try {
      Matcher m = GO_DIRECTIVE.matcher(Files.readString(root.resolve("go.mod")));
      return m.find() ? m.group(1) : "1";
    } catch (IOException e) {
      throw new UncheckedIOException("no go.mod in " + root, e);
    }
  }
}
