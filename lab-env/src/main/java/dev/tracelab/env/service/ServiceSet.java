// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Variant;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The running roles of one variant combination, by role, in {@link #START_ORDER}: the consumer, the
 * worker, the worker's Envoy sidecar (mesh mode only) and the gateway. A role starts after the
 * roles it sends to (the gateway needs the worker's or the sidecar's address); they stop in reverse
 * order, entry first, so nothing new flows into a service while the rest drains.
 *
 * <p>{@link #restart} replaces only what changed: a role whose variant, propagators or
 * implementation changed, and every role started after a replaced worker or sidecar (they hold its
 * address). Nobody holds the consumer's: Kafka stands between it and the worker, so a new consumer
 * restarts nothing else.
 */
public final class ServiceSet implements AutoCloseable {

  /** The one start order; {@link #close()} stops in reverse. */
  public static final List<String> START_ORDER =
      List.of(Flow.CONSUMER, Flow.WORKER, Flow.SIDECAR, Flow.GATEWAY);

  /**
   * The roles whose address a role started after them holds (the gateway calls the sidecar or the
   * worker, the sidecar the worker); the consumer is reached through Kafka, by nobody's address.
   */
  private static final Set<String> CALLED = Set.of(Flow.WORKER, Flow.SIDECAR);

  /** Starts one role; the set passed in holds the roles started before it. */
  public interface Starter {

    /** The {@link RunningService#implementation()} {@code role} would start under now. */
    String implementationId(String role);

    /** Starts {@code role} on {@code port} (0: a free one); returns once it is ready. */
    RunningService start(String role, int port, ServiceSet started);
  }

  private final Map<String, Variant> variants;
  private final Map<String, String> propagators;
  private final Map<String, RunningService> running = new LinkedHashMap<>();
  private final Map<String, Duration> startupTimes = new LinkedHashMap<>();

  private ServiceSet(Map<String, Variant> variants, Map<String, String> propagators) {
    this.variants = Map.copyOf(variants);
    this.propagators = Map.copyOf(propagators);
  }

  /**
   * Starts {@code roles} (a subset of {@link #START_ORDER}) in start order, each on its port from
   * {@code ports} (absent: 0); on failure stops what started and rethrows.
   */
  public static ServiceSet start(
      List<String> roles,
      Map<String, Variant> variants,
      Map<String, String> propagators,
      Map<String, Integer> ports,
      Starter starter) {
    return restart(null, roles, variants, propagators, ports, starter);
  }

  /**
   * The set running {@code roles} with these variants and propagators: keeps each role of {@code
   * old} whose variant, propagators and implementation are unchanged and whose address holders
   * before it (worker, sidecar) are all kept, stops the others (entry first), then starts what is
   * missing in start order.
   */
  public static ServiceSet restart(
      ServiceSet old,
      List<String> roles,
      Map<String, Variant> variants,
      Map<String, String> propagators,
      Map<String, Integer> ports,
      Starter starter) {
    for (String role : roles) {
      if (!START_ORDER.contains(role)) {
        throw new IllegalArgumentException(
            "no role " + role + " (expected one of " + START_ORDER + ")");
      }
    }
    List<String> kept = new ArrayList<>();
    boolean addressChanged = false; // a CALLED role replaced, added or removed
    for (String role : START_ORDER) {
      boolean wanted = roles.contains(role);
      boolean had = old != null && old.running.containsKey(role);
      if (wanted && had && !addressChanged && old.unchanged(role, variants, propagators, starter)) {
        kept.add(role);
      } else if ((wanted || had) && CALLED.contains(role)) {
        addressChanged = true;
      }
    }
    if (old != null) {
      old.closeExcept(kept);
    }
    ServiceSet s = new ServiceSet(variants, propagators);
    try {
      for (String role : START_ORDER) {
        if (kept.contains(role)) {
          s.running.put(role, old.running.get(role));
          s.startupTimes.put(role, old.startupTimes.getOrDefault(role, Duration.ZERO));
        } else if (roles.contains(role)) {
          long t0 = System.nanoTime();
          RunningService started = starter.start(role, ports.getOrDefault(role, 0), s);
          s.running.put(role, started);
          s.startupTimes.put(role, Duration.ofNanos(System.nanoTime() - t0));
        }
      }
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /**
   * Stops {@code role} (a killed child: only its guard is left to reap) and starts it again on its
   * port, as the set runs it; its start-up time stays the first one.
   */
  public RunningService restartRole(String role, Starter starter) {
    RunningService old = get(role);
    old.close();
    RunningService fresh = starter.start(role, old.port(), this);
    running.put(role, fresh);
    return fresh;
  }

  private boolean unchanged(
      String role,
      Map<String, Variant> variants,
      Map<String, String> propagators,
      Starter starter) {
    return this.variants.get(role) == variants.get(role)
        && Objects.equals(this.propagators.get(role), propagators.get(role))
        && running.get(role).implementation().equals(starter.implementationId(role));
  }

  /** The running service of {@code role}; throws when the set does not run it. */
  public RunningService get(String role) {
    RunningService service = running.get(role);
    if (service != null) {
      return service;
    }
    if (role.equals(Flow.SIDECAR)) {
      throw new IllegalStateException("no " + Flow.SIDECAR + ": the lab runs without the mesh");
    }
    throw new IllegalArgumentException(
        "no role " + role + " (expected one of " + Flow.SERVICES + ")");
  }

  public Optional<RunningService> find(String role) {
    return Optional.ofNullable(running.get(role));
  }

  /** Where the gateway sends the worker's requests: the sidecar in mesh mode, else the worker. */
  public URI hopTarget() {
    return find(Flow.SIDECAR).orElseGet(() -> get(Flow.WORKER)).url();
  }

  /** The variant of each service (service name -> variant). */
  public Map<String, Variant> variants() {
    return variants;
  }

  /** {@code OTEL_PROPAGATORS} of each service (service name -> value). */
  public Map<String, String> propagators() {
    return propagators;
  }

  /** How long each role took to start, in start order (a kept role: when it first started). */
  public Map<String, Duration> startupTimes() {
    return Collections.unmodifiableMap(startupTimes);
  }

  private void closeExcept(List<String> kept) {
    List<String> order = new ArrayList<>(START_ORDER);
    Collections.reverse(order);
    for (String role : order) {
      RunningService service = running.get(role);
      if (service != null && !kept.contains(role)) {
        service.close();
      }
    }
  }

  /** Stops every role, entry first; each flushes its spans. */
  @Override
  public void close() {
    closeExcept(List.of());
  }
}
