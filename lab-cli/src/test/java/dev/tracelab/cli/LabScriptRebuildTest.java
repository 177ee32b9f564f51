// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.env.service.SourceTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the {@code ./lab} script rebuilds: on first use and when the build's inputs changed in
 * content, not when they were only rewritten with the contents of the last build (a checkout back,
 * an exercise's {@code reset} or {@code end}, a reference fix applied). The real script runs in a
 * scratch tree whose {@code mvnw} and {@code java} stand-ins count the builds.
 */
class LabScriptRebuildTest {

  @TempDir Path tree;

  @BeforeEach
  void scratchTree() throws IOException {
    Files.copy(SourceTree.root().resolve("lab"), tree.resolve("lab"));
    executable(
        tree.resolve("mvnw"),
        "#!/bin/sh\n"
            + "echo build >> builds.txt\n"
            + "echo '[INFO] Building scratch 1 [1/1]'\n"
            + "mkdir -p lab-cli/target && : > lab-cli/target/lab-cli.jar\n");
    Files.createDirectories(tree.resolve("bin"));
    executable(tree.resolve("bin/java"), "#!/bin/sh\necho ran\n");
    Path source = source();
    Files.createDirectories(source.getParent());
    Files.writeString(source, "class A {}\n");
  }

  @Test
  void buildsOnFirstUseThenOnlyWhenAnInputsContentChanges() throws Exception {
    assertThat(lab()).isEqualTo(1); // first use
    assertThat(lab()).isEqualTo(1); // nothing changed

    rewrite("class A {}\n"); // the same contents, newer: a checkout back, a reset
    assertThat(lab()).isEqualTo(1);

    rewrite("class A { int x; }\n"); // a real edit
    assertThat(lab()).isEqualTo(2);

    rewrite("class A {}\n"); // back to the first contents: not what the last build read
    assertThat(lab()).isEqualTo(3);

    Files.writeString(tree.resolve("svc/src/main/java/B.java"), "class B {}\n"); // a new file
    newer(tree.resolve("svc/src/main/java/B.java"));
    assertThat(lab()).isEqualTo(4);
  }

  @Test
  void aCopyOfABuiltCheckoutDoesNotRebuild(@TempDir Path elsewhere) throws Exception {
    assertThat(lab()).isEqualTo(1);
    Path copy = elsewhere.resolve("copy");
    Process cp = new ProcessBuilder("cp", "-a", tree.toString(), copy.toString()).start();
    assertThat(cp.waitFor(60, TimeUnit.SECONDS)).isTrue();
    tree = copy;
    rewrite("class A {}\n"); // the same contents, newer, in the copy
    assertThat(lab()).isEqualTo(1);
  }

  @Test
  void aJarBuiltByMavenSinceDoesNotTrustTheLastStamp() throws Exception {
    assertThat(lab()).isEqualTo(1); // built from "class A {}"
    Files.writeString(source(), "class A { int x; }\n");
    Path jar = tree.resolve("lab-cli/target/lab-cli.jar");
    // ./mvnw package by hand: a new jar from the edited source, no stamp written
    Files.setLastModifiedTime(
        jar, FileTime.fromMillis(Files.getLastModifiedTime(source()).toMillis() + 10_000));
    rewrite("class A {}\n"); // a checkout back to the stamp's contents: not what the jar holds
    assertThat(lab()).isEqualTo(2);
  }

  @Test
  void aChangedTestOrBuildOutputIsNoInput() throws Exception {
    assertThat(lab()).isEqualTo(1);
    Path test = tree.resolve("svc/src/test/java/ATest.java");
    Files.createDirectories(test.getParent());
    Files.writeString(test, "class ATest {}\n");
    newer(test);
    assertThat(lab()).isEqualTo(1);
  }

  private Path source() {
    return tree.resolve("svc/src/main/java/A.java");
  }

  private void rewrite(String contents) throws IOException {
    Files.writeString(source(), contents);
    newer(source());
  }

  /** Dates {@code file} after the jar, as an edit after the last build. */
  private void newer(Path file) throws IOException {
    FileTime jar = Files.getLastModifiedTime(tree.resolve("lab-cli/target/lab-cli.jar"));
    Files.setLastModifiedTime(file, FileTime.fromMillis(jar.toMillis() + 10_000));
  }

  /** Runs {@code ./lab help}; the number of builds so far. */
  private int lab() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("bash", tree.resolve("lab").toString(), "help")
            .directory(tree.toFile())
            .redirectErrorStream(true);
    pb.environment().put("PATH", tree.resolve("bin") + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).as(out).endsWith("ran\n");
    Path builds = tree.resolve("builds.txt");
    return Files.exists(builds) ? Files.readAllLines(builds).size() : 0;
  }

  private static void executable(Path file, String script) throws IOException {
    Files.writeString(file, script);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
