// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import java.net.URI;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * One started service, whatever its implementation. {@link #close()} stops it and flushes its
 * spans.
 */
public interface RunningService extends AutoCloseable {

  String role();

  /** The {@link ServiceImplementation#id()} it runs under. */
  String implementation();

  /** Its HTTP port: the API of gateway and worker, the consumer's health endpoint. */
  int port();

  /** {@code http://127.0.0.1:<port>}. */
  default URI url() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /** The child process's id, empty when it runs in this JVM. */
  OptionalLong pid();

  /**
   * {@code kill -9} of its child process: no shutdown hook, no flush, no commit. Returns once the
   * process is gone, with its pid; throws when it runs in this JVM. {@link #close()} then only
   * reaps what is left.
   */
  default long kill() {
    long pid =
        pid()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        role()
                            + " runs in this JVM ("
                            + implementation()
                            + "); only a child process can be killed"));
    ProcessHandle process =
        ProcessHandle.of(pid)
            .orElseThrow(() -> new IllegalStateException(role() + " pid " + pid + " is gone"));
    process.destroyForcibly(); // SIGKILL
    try {
      process.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(role() + " pid " + pid + " did not exit after SIGKILL", e);
    }
    return pid;
  }

  @Override
  void close();
}
