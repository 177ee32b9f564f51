package dev.tracelab.async;

/**
 * The worker's in-process async boundary: hands deferred work to another thread. The fixed
 * variant ({@code ContextBoundHandOff}) carries the current trace context with the task; the
 * broken one ({@code broken-variants/.../RawExecutorHandOff}) does not.
 */
public interface HandOff extends AutoCloseable {

  void submit(Runnable task);

  /** Stops accepting work and waits briefly for running tasks. */
  @Override
  void close();
}
