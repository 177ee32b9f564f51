// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import dev.tracelab.flow.Variant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The start order, what a restart keeps, and the stop order, with services that only record. */
class ServiceSetTest {

  private static final List<String> SERVICES = List.of(Flow.CONSUMER, Flow.WORKER, Flow.GATEWAY);
  private static final List<String> MESH =
      List.of(Flow.CONSUMER, Flow.WORKER, Flow.SIDECAR, Flow.GATEWAY);

  private final List<String> events = new ArrayList<>();
  private final Map<String, String> implementations = new HashMap<>();
  private int nextPort = 1000;

  private final ServiceSet.Starter starter =
      new ServiceSet.Starter() {
        @Override
        public String implementationId(String role) {
          return implementations.getOrDefault(role, "java");
        }

        @Override
        public RunningService start(String role, int port, ServiceSet started) {
          String next = role.equals(Flow.GATEWAY) ? " -> " + started.hopTarget().getPort() : "";
          events.add("start " + role + next);
          return new Recorded(role, implementationId(role), port > 0 ? port : nextPort++);
        }
      };

  /** {@link ServiceSet#restart} with the fixed scenario's propagators and ephemeral ports. */
  private ServiceSet restart(ServiceSet old, List<String> roles, Map<String, Variant> variants) {
    return ServiceSet.restart(
        old, roles, variants, Scenario.FIXED.propagators(), Map.of(), starter);
  }

  /** The fixed scenario's variants with {@code role} running {@code variant}. */
  private static Map<String, Variant> fixedWith(String role, Variant variant) {
    Map<String, Variant> variants = new LinkedHashMap<>(Scenario.FIXED.variants());
    variants.put(role, variant);
    return variants;
  }

  private final class Recorded implements RunningService {
    private final String role;
    private final String implementation;
    private final int port;

    Recorded(String role, String implementation, int port) {
      this.role = role;
      this.implementation = implementation;
      this.port = port;
    }

    @Override
    public String role() {
      return role;
    }

    @Override
    public String implementation() {
      return implementation;
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public OptionalLong pid() {
      return OptionalLong.empty();
    }

    @Override
    public void close() {
      events.add("stop " + role);
    }
  }

  private ServiceSet start(List<String> roles, Scenario scenario) {
    return ServiceSet.start(
        roles, scenario.variants(), scenario.propagators(), Map.of(Flow.GATEWAY, 8080), starter);
  }

  @Test
  void startsDownstreamFirstAndStopsEntryFirst() {
    ServiceSet set = start(MESH, Scenario.FIXED);
    set.close();

    assertThat(events)
        .containsExactly(
            "start consumer-svc",
            "start worker-svc",
            "start envoy-sidecar",
            "start gateway-svc -> 1002",
            "stop gateway-svc",
            "stop envoy-sidecar",
            "stop worker-svc",
            "stop consumer-svc");
    assertThat(set.get(Flow.GATEWAY).port()).isEqualTo(8080);
    assertThat(set.startupTimes().keySet()).containsExactlyElementsOf(MESH);
  }

  @Test
  void restartKeepsTheUnchangedDownstreamRoles() {
    ServiceSet old = start(SERVICES, Scenario.FIXED);
    Map<String, Variant> variants = fixedWith(Flow.WORKER, Variant.BROKEN);
    events.clear();

    ServiceSet fresh = restart(old, SERVICES, variants);

    assertThat(events)
        .containsExactly(
            "stop gateway-svc", "stop worker-svc", "start worker-svc", "start gateway-svc -> 1002");
    assertThat(fresh.get(Flow.CONSUMER)).isSameAs(old.get(Flow.CONSUMER));
    assertThat(fresh.variants()).isEqualTo(variants);
  }

  @Test
  void anImplementationChangeRestartsThatRoleAndEveryLaterOne() {
    ServiceSet old = start(SERVICES, Scenario.FIXED);
    implementations.put(Flow.WORKER, "node");
    events.clear();

    ServiceSet fresh = restart(old, SERVICES, Scenario.FIXED.variants());

    assertThat(events)
        .containsExactly(
            "stop gateway-svc", "stop worker-svc", "start worker-svc", "start gateway-svc -> 1002");
    assertThat(fresh.get(Flow.CONSUMER)).isSameAs(old.get(Flow.CONSUMER));
  }

  @Test
  void aNewConsumerRestartsNothingElseNobodyHoldsItsAddress() {
    ServiceSet old = start(SERVICES, Scenario.FIXED);
    implementations.put(Flow.CONSUMER, "go");
    Map<String, Variant> variants = fixedWith(Flow.CONSUMER, Variant.BROKEN);
    events.clear();

    ServiceSet fresh = restart(old, SERVICES, variants);

    assertThat(events).containsExactly("stop consumer-svc", "start consumer-svc");
    assertThat(fresh.get(Flow.WORKER)).isSameAs(old.get(Flow.WORKER));
    assertThat(fresh.get(Flow.GATEWAY)).isSameAs(old.get(Flow.GATEWAY));
    assertThat(fresh.variants()).isEqualTo(variants);
  }

  @Test
  void addingTheSidecarRestartsOnlyTheGateway() {
    ServiceSet old = start(SERVICES, Scenario.FIXED);
    events.clear();

    ServiceSet fresh = restart(old, MESH, Scenario.FIXED.variants());

    assertThat(events)
        .containsExactly("stop gateway-svc", "start envoy-sidecar", "start gateway-svc -> 1002");
    assertThat(fresh.hopTarget()).isEqualTo(fresh.get(Flow.SIDECAR).url());
  }

  @Test
  void restartRoleStartsItAgainOnItsPort() {
    ServiceSet set = start(SERVICES, Scenario.FIXED);
    int port = set.get(Flow.WORKER).port();
    events.clear();

    RunningService fresh = set.restartRole(Flow.WORKER, starter);

    assertThat(events).containsExactly("stop worker-svc", "start worker-svc");
    assertThat(fresh.port()).isEqualTo(port);
    assertThat(set.get(Flow.WORKER)).isSameAs(fresh);
  }

  @Test
  void aFailedStartStopsWhatStarted() {
    ServiceSet.Starter failing =
        new ServiceSet.Starter() {
          @Override
          public String implementationId(String role) {
            return "java";
          }

          @Override
          public RunningService start(String role, int port, ServiceSet started) {
            if (role.equals(Flow.GATEWAY)) {
              throw new IllegalStateException("gateway did not start");
            }
            return starter.start(role, port, started);
          }
        };

    assertThatThrownBy(
            () ->
                ServiceSet.start(
                    SERVICES,
                    Scenario.FIXED.variants(),
                    Scenario.FIXED.propagators(),
                    Map.of(),
                    failing))
        .hasMessage("gateway did not start");
    assertThat(events)
        .containsExactly(
            "start consumer-svc", "start worker-svc", "stop worker-svc", "stop consumer-svc");
  }

  @Test
  void withoutTheMeshTheSidecarIsAnError() {
    ServiceSet set = start(SERVICES, Scenario.FIXED);

    assertThatThrownBy(() -> set.get(Flow.SIDECAR))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without the mesh");
    assertThatThrownBy(() -> set.get("nope")).isInstanceOf(IllegalArgumentException.class);
  }
}
