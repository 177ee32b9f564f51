// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.process;

import java.nio.file.Path;
import java.util.List;

/**
 * A parent JVM for the lifeline test: starts {@code sleep 300} as a ChildProcess, prints its pid,
 * waits.
 */
public final class LifelineParentMain {

  private LifelineParentMain() {}

  public static void main(String[] args) throws InterruptedException {
    ChildProcess child =
        ChildProcess.builder("sleeper", List.of("sleep", "300")).log(Path.of(args[0])).start();
    long pid;
    while ((pid = child.pid()) < 0) {
      Thread.onSpinWait();
    }
    System.out.println(pid);
    System.out.flush();
    Thread.currentThread().join(); // block until the test kills this JVM
  }
}
