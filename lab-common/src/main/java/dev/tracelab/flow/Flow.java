// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import java.util.List;

/**
 * The request flow (docs/design.md §1, §2): the roles, the topic, the span names, and the all-Java
 * flow — six spans across three services, in order, each with its parent. Other combinations of
 * implementations are composed by {@link ExpectedFlow} from what each {@link Implementation}
 * declares. Tests, the auditor and the CLI read shapes only from these two classes.
 *
 * <pre>
 * 1 gateway-svc  SERVER   POST /orders
 * 2 gateway-svc  CLIENT   POST            parent 1
 * 3 worker-svc   SERVER   POST /work      parent 2   (HTTP boundary)
 * 4 worker-svc   INTERNAL order.prepare   parent 3   (async boundary)
 * 5 worker-svc   PRODUCER send orders     parent 4
 * 6 consumer-svc CONSUMER process orders  parent 5   (Kafka boundary)
 * </pre>
 *
 * <p>A flow may have optional participants ({@link #OPTIONAL}): when a request starts in the
 * browser, the page's {@code frontend} CLIENT span comes first and the gateway's SERVER span is its
 * child (CORS boundary); with {@code --mesh}, an Envoy sidecar in front of the worker adds its two
 * spans between the gateway's CLIENT span and the worker's SERVER span (docs/design.md §8). {@link
 * #PARTICIPANTS} orders every role; an {@link Implementations} says which optional ones take part.
 */
public final class Flow {

  public static final String GATEWAY = "gateway-svc";
  public static final String WORKER = "worker-svc";
  public static final String CONSUMER = "consumer-svc";

  /** The services the lab runs; every flow has them. */
  public static final List<String> SERVICES = List.of(GATEWAY, WORKER, CONSUMER);

  /** The browser page ({@code frontend/}): its fetch starts the trace when it places the order. */
  public static final String FRONTEND = "frontend";

  /** The worker's inbound Envoy sidecar ({@code --mesh}); its spans' {@code service.name}. */
  public static final String SIDECAR = "envoy-sidecar";

  /**
   * Every role a flow can have, in flow order; the optional ones only when a flow includes them.
   */
  public static final List<String> PARTICIPANTS = Implementations.PARTICIPANTS;

  /** The participants a flow may leave out. */
  public static final java.util.Set<String> OPTIONAL = Implementations.OPTIONAL;

  public static final String TOPIC = "orders";
  public static final String CONSUMER_GROUP = "consumer-svc";

  /** Where the consumer puts a record it cannot process (poison, or retries exhausted). */
  public static final String DEAD_LETTER_TOPIC = "orders.dlq";

  /** The page's fetch span (the fetch instrumentation names a CLIENT span by its method). */
  public static final String FRONTEND_FETCH = "POST";

  public static final String GATEWAY_SERVER = "POST /orders";
  public static final String GATEWAY_CLIENT = "POST";
  public static final String WORKER_SERVER = "POST /work";
  public static final String DEFERRED_WORK = "order.prepare";
  public static final String PRODUCE = "send " + TOPIC;
  public static final String PROCESS = "process " + TOPIC;

  /** Envoy's span for a request its inbound listener received (kind SERVER). */
  public static final String SIDECAR_INGRESS = "ingress";

  /**
   * Envoy's span for the request it forwards to the worker (kind CLIENT): its router names it after
   * the upstream cluster, which the lab names after the worker.
   */
  public static final String SIDECAR_UPSTREAM = "router " + WORKER + " egress";

  /** The all-Java flow ({@link Implementations#JAVA}). */
  public static final ExpectedFlow JAVA = ExpectedFlow.of(Implementations.JAVA);

  /** The spans of one connected all-Java request; {@code step} is 1-based, parent 0 means root. */
  public static final List<ExpectedSpan> SPANS = JAVA.spans();

  private Flow() {}

  /** The all-Java flow's span at {@code step}. */
  public static ExpectedSpan step(int step) {
    return JAVA.step(step);
  }

  /** True when {@code role} is one of the optional participants (not every run has it). */
  public static boolean isOptional(String role) {
    return OPTIONAL.contains(role);
  }

  /** Spans of the all-Java flow produced by one service. */
  public static long spansOf(String service) {
    return JAVA.spansOf(service);
  }
}
