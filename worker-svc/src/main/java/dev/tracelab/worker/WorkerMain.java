package dev.tracelab.worker;

import dev.tracelab.config.Env;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Variant;
import dev.tracelab.telemetry.LabTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;

/**
 * {@code java -jar worker-svc.jar}. Environment: {@code PORT} (8081), {@code BIND_HOST} (0.0.0.0),
 * {@code KAFKA_BOOTSTRAP_SERVERS} (127.0.0.1:9092), {@code TRACELAB_VARIANT} (fixed|broken) and
 * the standard {@code OTEL_*} variables.
 */
public final class WorkerMain {

  private WorkerMain() {}

  public static void main(String[] args) {
    Env env = Env.system();
    WorkerConfig config;
    try {
      config =
          new WorkerConfig(
              env.get("BIND_HOST", "0.0.0.0"),
              env.getInt("PORT", 8081, 0, 65535),
              env.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
              Variant.parse(env.get(Variant.ENV, "fixed")));
    } catch (IllegalArgumentException e) {
      System.err.println("worker-svc: " + e.getMessage());
      System.exit(2);
      return;
    }
    OpenTelemetrySdk otel = LabTelemetry.create(Flow.WORKER);
    WorkerService service = WorkerService.start(config, otel);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  service.close();
                  otel.close();
                }));
    System.out.println(
        "worker-svc (" + config.variant().id() + ") listening on " + config.bindHost() + ":" + service.port());
  }
}
