// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.telemetry.zipkin;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.traces.ConfigurableSpanExporterProvider;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.time.Duration;

/**
 * Autoconfigure hook: {@code otel.traces.exporter} containing {@code zipkin} selects {@link
 * ZipkinJsonSpanExporter}; {@code otel.exporter.zipkin.endpoint} and {@code
 * otel.exporter.zipkin.timeout} (default 10 s) as for the former upstream exporter.
 */
public final class ZipkinJsonSpanExporterProvider implements ConfigurableSpanExporterProvider {

  @Override
  public String getName() {
    return "zipkin";
  }

  @Override
  public SpanExporter createExporter(ConfigProperties config) {
    String endpoint =
        config.getString("otel.exporter.zipkin.endpoint", ZipkinJsonSpanExporter.DEFAULT_ENDPOINT);
    Duration timeout = config.getDuration("otel.exporter.zipkin.timeout", Duration.ofSeconds(10));
    return new ZipkinJsonSpanExporter(URI.create(endpoint), timeout);
  }
}
