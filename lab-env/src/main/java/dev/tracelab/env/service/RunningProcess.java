// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import dev.tracelab.env.process.ChildProcess;
import java.util.OptionalLong;

/**
 * A participant of the lab running as a supervised child process (a Go or Node.js service, a child
 * JVM, the Envoy sidecar): closing it stops the process.
 */
public record RunningProcess(String role, String implementation, int port, ChildProcess process)
    implements RunningService {

  @Override
  public OptionalLong pid() {
    long pid = process.pid();
    return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
  }

  @Override
  public void close() {
    process.close();
  }
}
