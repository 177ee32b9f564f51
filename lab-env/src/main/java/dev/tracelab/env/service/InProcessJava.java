// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import dev.tracelab.consumer.ConsumerConfig;
import dev.tracelab.consumer.ConsumerService;
import dev.tracelab.flow.Flow;
import dev.tracelab.gateway.GatewayConfig;
import dev.tracelab.gateway.GatewayService;
import dev.tracelab.telemetry.LabTelemetry;
import dev.tracelab.worker.WorkerConfig;
import dev.tracelab.worker.WorkerService;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.OptionalLong;
import java.util.function.IntSupplier;

/** {@code java}: the Java service in this JVM with its own SDK ({@code service.name} = role). */
enum InProcessJava implements ServiceImplementation {
  INSTANCE;

  @Override
  public String id() {
    return "java";
  }

  @Override
  public RunningService start(ServiceSpec spec) {
    OpenTelemetrySdk sdk = LabTelemetry.create(spec.role(), spec.otelProperties());
    try {
      return switch (spec.role()) {
        case Flow.GATEWAY -> {
          GatewayService s =
              GatewayService.start(
                  new GatewayConfig(spec.bindHost(), spec.port(), spec.workerUrl(), spec.variant()),
                  sdk);
          yield new Running(spec.role(), s, s::port, sdk);
        }
        case Flow.WORKER -> {
          WorkerService s =
              WorkerService.start(
                  new WorkerConfig(
                      spec.bindHost(), spec.port(), spec.kafkaBootstrapServers(), spec.variant()),
                  sdk);
          yield new Running(spec.role(), s, s::port, sdk);
        }
        case Flow.CONSUMER -> {
          ConsumerService s =
              ConsumerService.start(
                  new ConsumerConfig(
                      spec.bindHost(),
                      spec.port(),
                      spec.kafkaBootstrapServers(),
                      spec.variant(),
                      spec.ledgerFile()),
                  sdk);
          yield new Running(spec.role(), s, s::healthPort, sdk);
        }
        default -> throw new IllegalArgumentException("no Java service for role " + spec.role());
      };
    } catch (RuntimeException e) {
      sdk.close();
      throw e;
    }
  }

  private record Running(
      String role, AutoCloseable service, IntSupplier portOf, OpenTelemetrySdk sdk)
      implements RunningService {

    @Override
    public String implementation() {
      return INSTANCE.id();
    }

    @Override
    public int port() {
      return portOf.getAsInt();
    }

    @Override
    public OptionalLong pid() {
      return OptionalLong.empty();
    }

    @Override
    public void close() {
      try {
        service.close();
      } catch (Exception e) {
        throw new IllegalStateException("stopping " + role + ": " + e.getMessage(), e);
      } finally {
        sdk.close(); // flushes pending spans to the exporter
      }
    }
  }
}
