// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.telemetry;

import dev.tracelab.telemetry.lifecycle.LifecycleSpanProcessor;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds one service's OpenTelemetry SDK. Autoconfigure reads the standard {@code OTEL_*}
 * environment variables and system properties; the lab only supplies defaults and forces {@code
 * service.name} to the service folder name. Nothing is registered globally, so three services can
 * run in one JVM, each with its own SDK.
 */
public final class LabTelemetry {

  /**
   * Lab defaults, overridable by {@code OTEL_*} env vars. A short batch delay keeps a trace's spans
   * arriving well within a second of the request finishing.
   */
  static final Map<String, String> DEFAULTS =
      Map.of(
          "otel.traces.exporter", "otlp",
          "otel.metrics.exporter", "none",
          "otel.logs.exporter", "none",
          "otel.exporter.otlp.protocol", "http/protobuf",
          "otel.propagators", "tracecontext,baggage",
          "otel.bsp.schedule.delay", "100",
          "otel.bsp.max.queue.size", "20480",
          "otel.bsp.max.export.batch.size", "512");

  private LabTelemetry() {}

  /** An SDK for {@code serviceName} with defaults and the environment's {@code OTEL_*} settings. */
  public static OpenTelemetrySdk create(String serviceName) {
    return create(serviceName, Map.of());
  }

  /**
   * An SDK for {@code serviceName}; {@code overrides} win over everything (the embedded environment
   * uses them to point the exporter at its auditor).
   */
  public static OpenTelemetrySdk create(String serviceName, Map<String, String> overrides) {
    Map<String, String> forced = new HashMap<>(overrides);
    forced.put("otel.service.name", serviceName);
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> DEFAULTS)
        .addPropertiesCustomizer(config -> forced)
        .addTracerProviderCustomizer(
            (builder, config) ->
                builder
                    .addSpanProcessor(OrderIdSpanProcessor.INSTANCE)
                    .addSpanProcessor(LifecycleSpanProcessor.create()))
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
  }
}
