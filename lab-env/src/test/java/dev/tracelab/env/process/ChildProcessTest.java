// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessTest {

  @TempDir Path dir;

  @Test
  void runsTheCommandWithEnvironmentAndWorkingDirectoryIntoTheLog() throws IOException {
    Path work = Files.createDirectory(dir.resolve("work"));
    ChildProcess p =
        ChildProcess.builder("echo", List.of("/bin/sh", "-c", "pwd; echo \"$TRACELAB_TEST\""))
            .env("TRACELAB_TEST", "from the builder")
            .workingDirectory(work)
            .log(dir.resolve("echo.log"))
            .start();

    await().atMost(Duration.ofSeconds(10)).until(() -> p.exitCode().isPresent());

    assertThat(p.exitCode()).isEqualTo(OptionalInt.of(0));
    assertThat(Files.readAllLines(dir.resolve("echo.log")))
        .containsExactly(work.toRealPath().toString(), "from the builder");
  }

  @Test
  void readyWhenTheHealthUrlAnswers200() {
    int port = LocalHost.freePort();
    try (ChildProcess p =
        ChildProcess.builder(
                "health",
                List.of(
                    LocalHost.javaBin(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    HealthServerMain.class.getName()))
            .env("PORT", String.valueOf(port))
            .log(dir.resolve("health.log"))
            .healthUrl(URI.create("http://127.0.0.1:" + port + "/health"))
            .startTimeout(Duration.ofSeconds(30))
            .start()
            .awaitReady()) {
      assertThat(ChildProcess.answers200(URI.create("http://127.0.0.1:" + port + "/health")))
          .isTrue();
      assertThat(p.isAlive()).isTrue();
    }
  }

  @Test
  void notReadyInTimeIsAnErrorWithTheLogTailAndTheProcessStopped() {
    int port = LocalHost.freePort(); // nothing will listen here
    ChildProcess p =
        ChildProcess.builder(
                "silent",
                List.of("/bin/sh", "-c", "echo first line; echo last line; exec sleep 30"))
            .log(dir.resolve("silent.log"))
            .healthUrl(URI.create("http://127.0.0.1:" + port + "/health"))
            .startTimeout(Duration.ofMillis(700))
            .start();

    assertThatThrownBy(p::awaitReady)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "silent not ready (GET http://127.0.0.1:" + port + "/health -> 200) within 700 ms")
        .hasMessageEndingWith("last lines:\nfirst line\nlast line");
    assertThat(p.isAlive()).isFalse();
  }

  @Test
  void exitDuringStartUpIsAnErrorWithExitCodeAndLogTail() {
    ChildProcess p =
        ChildProcess.builder("crash", List.of("/bin/sh", "-c", "echo 'bad PORT' >&2; exit 3"))
            .log(dir.resolve("crash.log"))
            .listening("127.0.0.1", LocalHost.freePort())
            .start();

    assertThatThrownBy(p::awaitReady)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("crash exited during start-up (exit code 3)")
        .hasMessageEndingWith("last lines:\nbad PORT");
  }

  @Test
  void stopSendsSigtermAndReturnsWhenTheProgramHasExited() {
    ChildProcess p =
        ChildProcess.builder("sleeper", List.of("sleep", "30"))
            .log(dir.resolve("sleeper.log"))
            .start();
    await().atMost(Duration.ofSeconds(5)).until(() -> p.pid() > 0);
    long pid = p.pid();

    long t0 = System.nanoTime();
    p.stop(Duration.ofSeconds(10));

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(p.exitCode()).isEqualTo(OptionalInt.of(128 + 15)); // SIGTERM
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void aProgramIgnoringSigtermIsKilledAfterTheGracePeriod() {
    ChildProcess p =
        ChildProcess.builder(
                "stubborn",
                List.of("/bin/sh", "-c", "trap '' TERM; echo ignoring; while :; do sleep 1; done"))
            .log(dir.resolve("stubborn.log"))
            .readiness(
                "says it ignores TERM", () -> dir.resolve("stubborn.log").toFile().length() > 0)
            .start()
            .awaitReady();
    long pid = p.pid();

    long t0 = System.nanoTime();
    p.stop(Duration.ofMillis(500));

    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(500));
    assertThat(p.exitCode()).isEqualTo(OptionalInt.of(128 + 9)); // the guard: SIGKILL
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void noChildOutlivesItsJvmEvenAfterKill9() throws IOException, InterruptedException {
    Process parent =
        new ProcessBuilder(
                LocalHost.javaBin(),
                "-cp",
                System.getProperty("java.class.path"),
                LifelineParentMain.class.getName(),
                dir.resolve("sleeper.log").toString())
            .redirectError(dir.resolve("parent.err").toFile())
            .start();
    long child;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      child = Long.parseLong(out.readLine().trim());
      assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).contains(true);

      parent.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertThat(parent.waitFor()).isEqualTo(128 + 9);
    }

    await("sleep (pid " + child + ") gone")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
  }
}
