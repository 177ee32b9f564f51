// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.config;

import dev.tracelab.telemetry.LabTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The {@code main} of a service process: read the configuration from the environment (a bad value
 * is a one-line error and exit code 2), build the service's own SDK, start the service, and on
 * shutdown stop it and flush its spans.
 */
public final class ServiceLauncher {

  private ServiceLauncher() {}

  public static <C, S extends AutoCloseable> void launch(
      String serviceName,
      Function<Env, C> readConfig,
      BiFunction<C, OpenTelemetrySdk, S> start,
      BiFunction<C, S, String> banner) {
    C config;
    try {
      config = readConfig.apply(Env.system());
    } catch (IllegalArgumentException e) {
      System.err.println(serviceName + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    OpenTelemetrySdk otel = LabTelemetry.create(serviceName);
    S service = start.apply(config, otel);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    service.close();
                  } catch (Exception e) {
                    System.err.println(serviceName + ": error while stopping: " + e);
                  } finally {
                    otel.close();
                  }
                }));
    System.out.println(banner.apply(config, service));
  }
}
