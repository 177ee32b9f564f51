package dev.tracelab.env.service;

import java.net.URI;
import java.util.OptionalLong;

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

  @Override
  void close();
}
