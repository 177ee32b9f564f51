package dev.tracelab.flow;

import io.opentelemetry.api.trace.SpanKind;
import java.util.List;

/**
 * The one definition of the request flow (SPEC §2): six spans across three services, in order,
 * each with its parent. Tests, the auditor and the CLI all read it from here.
 *
 * <pre>
 * 1 gateway-svc  SERVER   POST /orders
 * 2 gateway-svc  CLIENT   POST            parent 1
 * 3 worker-svc   SERVER   POST /work      parent 2   (HTTP boundary)
 * 4 worker-svc   INTERNAL order.prepare   parent 3   (async boundary)
 * 5 worker-svc   PRODUCER send orders     parent 4
 * 6 consumer-svc CONSUMER process orders  parent 5   (Kafka boundary)
 * </pre>
 */
public final class Flow {

  public static final String GATEWAY = "gateway-svc";
  public static final String WORKER = "worker-svc";
  public static final String CONSUMER = "consumer-svc";
  public static final List<String> SERVICES = List.of(GATEWAY, WORKER, CONSUMER);

  public static final String TOPIC = "orders";
  public static final String CONSUMER_GROUP = "consumer-svc";

  public static final String GATEWAY_SERVER = "POST /orders";
  public static final String GATEWAY_CLIENT = "POST";
  public static final String WORKER_SERVER = "POST /work";
  public static final String DEFERRED_WORK = "order.prepare";
  public static final String PRODUCE = "send " + TOPIC;
  public static final String PROCESS = "process " + TOPIC;

  /** The spans of one connected request; {@code step} is 1-based, parent 0 means root. */
  public static final List<ExpectedSpan> SPANS =
      List.of(
          new ExpectedSpan(1, GATEWAY, SpanKind.SERVER, GATEWAY_SERVER, 0),
          new ExpectedSpan(2, GATEWAY, SpanKind.CLIENT, GATEWAY_CLIENT, 1),
          new ExpectedSpan(3, WORKER, SpanKind.SERVER, WORKER_SERVER, 2),
          new ExpectedSpan(4, WORKER, SpanKind.INTERNAL, DEFERRED_WORK, 3),
          new ExpectedSpan(5, WORKER, SpanKind.PRODUCER, PRODUCE, 4),
          new ExpectedSpan(6, CONSUMER, SpanKind.CONSUMER, PROCESS, 5));

  private Flow() {}

  public static ExpectedSpan step(int step) {
    return SPANS.get(step - 1);
  }

  /** Spans of the flow produced by one service. */
  public static long spansOf(String service) {
    return SPANS.stream().filter(s -> s.service().equals(service)).count();
  }
}
