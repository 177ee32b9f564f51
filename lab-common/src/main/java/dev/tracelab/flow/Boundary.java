package dev.tracelab.flow;

/**
 * A place where trace context must cross from one execution to another. Each has one deliberate
 * defect in {@code broken-variants/}; when broken, the span at {@link #rootStep()} starts a new
 * trace.
 */
public enum Boundary {
  HTTP(
      "http",
      Flow.GATEWAY,
      3,
      "gateway-svc/src/main/java/dev/tracelab/gateway/TracingHttpClient.java",
      "Inject the context into the outgoing request with the propagator (OTel-aware HTTP client"
          + " wrapper on the caller); the server extracts it."),
  ASYNC(
      "async",
      Flow.WORKER,
      4,
      "worker-svc/src/main/java/dev/tracelab/worker/ContextBoundHandOff.java",
      "Bind the current context to the task at submit time (Context.taskWrapping /"
          + " Context.current().wrap) at the executor hand-off."),
  KAFKA(
      "kafka",
      Flow.CONSUMER,
      6,
      "consumer-svc/src/main/java/dev/tracelab/consumer/RecordHeadersParent.java",
      "Extract the context from the record headers (the producer injects it) and make it the"
          + " process span's parent.");

  private final String id;
  private final String brokenBy;
  private final int rootStep;
  private final String fixFile;
  private final String fix;

  Boundary(String id, String brokenBy, int rootStep, String fixFile, String fix) {
    this.id = id;
    this.brokenBy = brokenBy;
    this.rootStep = rootStep;
    this.fixFile = fixFile;
    this.fix = fix;
  }

  /** Short id used by the CLI, reports and diagnoses: {@code http}, {@code async}, {@code kafka}. */
  public String id() {
    return id;
  }

  /** The service whose broken variant breaks this boundary. */
  public String brokenBy() {
    return brokenBy;
  }

  /** The flow step that becomes an orphan root when this boundary is broken. */
  public int rootStep() {
    return rootStep;
  }

  /** The service that owns the orphan span when this boundary breaks. */
  public String orphanService() {
    return Flow.step(rootStep).service();
  }

  public String fixFile() {
    return fixFile;
  }

  /** Where the fix belongs, in one sentence. */
  public String fix() {
    return fix;
  }
}
