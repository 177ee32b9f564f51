// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Variant;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The go and node implementations: one-line errors naming what is missing, and Go's build on first
 * use, skipped when up to date, redone when a source is newer, a failure pointing to its log.
 */
class BuiltImplementationTest {

  private static final Path ROOT = SourceTree.root();

  @TempDir Path empty;

  private static ServiceSpec spec(String role, Path log) {
    return new ServiceSpec(
        role,
        Variant.FIXED,
        "127.0.0.1",
        0,
        URI.create("http://127.0.0.1:1"),
        "127.0.0.1:1",
        Map.of(),
        log);
  }

  @Test
  void withoutGoBuildingIsOneLineNamingIt() throws IOException {
    // a checkout whose gateway was never built; Go is needed only to build it
    Files.writeString(empty.resolve("go.mod"), "module tracelab.dev/lab\n\ngo 1.26.0\n");
    GoImplementation go = new GoImplementation(empty, List.of(empty));

    assertThatThrownBy(() -> go.start(spec(Flow.GATEWAY, empty.resolve("g.log"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "gateway-svc go implementation needs Go 1.26.0+ (go not found on PATH or in /usr/local/go/bin)");
  }

  @Test
  void withoutNodeStartingIsOneLineNamingIt() {
    NodeImplementation node = new NodeImplementation(ROOT, List.of(empty));

    assertThatThrownBy(() -> node.start(spec(Flow.WORKER, empty.resolve("w.log"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("worker-svc node implementation needs Node.js 20.6+ (node not found on PATH)");
  }

  @Test
  void aRoleWithoutThatLanguageIsAClearError() {
    assertThatThrownBy(
            () -> GoImplementation.create(ROOT).start(spec(Flow.WORKER, empty.resolve("w.log"))))
        .hasMessage("worker-svc has no go implementation (worker-svc: java|node)");
    assertThatThrownBy(
            () -> NodeImplementation.create(ROOT).start(spec(Flow.GATEWAY, empty.resolve("g.log"))))
        .hasMessage("gateway-svc has no node implementation (gateway-svc: java|go)");
  }

  @Test
  void goBuildsOnFirstUseOnlyWhenSourcesAreNewerAndAFailurePointsToTheLog(@TempDir Path copy)
      throws IOException {
    assumeTrue(
        Toolchain.find("go", Toolchain.searchPath(GoImplementation.INSTALL_DIRS)).isPresent(),
        "Go not installed");
    for (String part :
        List.of("go.mod", "go.sum", "lab-common/go", "broken-variants/go", "gateway-svc/go")) {
      copyTree(ROOT.resolve(part), copy.resolve(part));
    }
    GoImplementation go = GoImplementation.create(copy);
    Path binary = go.binary(Flow.GATEWAY);
    assertThat(binary).doesNotExist();

    go.build(Flow.GATEWAY);
    assertThat(binary).isExecutable();
    FileTime first = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.setLastModifiedTime(binary, first);
    // every source older than the binary: nothing to do
    try (Stream<Path> files = Files.walk(copy)) {
      for (Path p : files.filter(Files::isRegularFile).filter(p -> !p.equals(binary)).toList()) {
        Files.setLastModifiedTime(p, FileTime.from(Instant.parse("2019-01-01T00:00:00Z")));
      }
    }
    Path log = binary.resolveSibling("build.log");
    Files.delete(log);
    go.build(Flow.GATEWAY);
    assertThat(log).as("no build ran").doesNotExist();
    assertThat(Files.getLastModifiedTime(binary)).isEqualTo(first);

    // a shared Go source newer than the binary: rebuilt
    Path source = copy.resolve("lab-common/go/problem/problem.go");
    Files.setLastModifiedTime(source, FileTime.from(Instant.parse("2021-01-01T00:00:00Z")));
    go.build(Flow.GATEWAY);
    assertThat(log).as("a build ran").exists();
    assertThat(Files.getLastModifiedTime(binary)).isNotEqualTo(first);

    // a broken source: one line, pointing to the build log, which has the compiler's message
    Path main = copy.resolve("gateway-svc/go/main.go");
    Files.writeString(main, "\nfunc broken( {\n", StandardOpenOption.APPEND);
    // newer than the binary by a clear margin, whatever the clock granularity and the load
    Files.setLastModifiedTime(
        main, FileTime.fromMillis(Files.getLastModifiedTime(binary).toMillis() + 10_000));
    assertThatThrownBy(() -> go.build(Flow.GATEWAY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("go build of gateway-svc failed (exit code 1); see " + log);
    assertThat(Files.readString(log)).contains("main.go");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.toString().contains("/target/")) {
          Files.createDirectories(target.getParent());
          Files.copy(p, target);
        }
      }
    }
  }
}
