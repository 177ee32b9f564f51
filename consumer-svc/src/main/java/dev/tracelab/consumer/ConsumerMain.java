package dev.tracelab.consumer;

import dev.tracelab.config.Env;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Variant;
import dev.tracelab.telemetry.LabTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;

/**
 * {@code java -jar consumer-svc.jar}. Environment: {@code PORT} (8082, health only),
 * {@code BIND_HOST} (0.0.0.0), {@code KAFKA_BOOTSTRAP_SERVERS} (127.0.0.1:9092),
 * {@code TRACELAB_VARIANT} (fixed|broken) and the standard {@code OTEL_*} variables.
 */
public final class ConsumerMain {

  private ConsumerMain() {}

  public static void main(String[] args) {
    Env env = Env.system();
    ConsumerConfig config;
    try {
      config =
          new ConsumerConfig(
              env.get("BIND_HOST", "0.0.0.0"),
              env.getInt("PORT", 8082, 0, 65535),
              env.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
              Variant.parse(env.get(Variant.ENV, "fixed")));
    } catch (IllegalArgumentException e) {
      System.err.println("consumer-svc: " + e.getMessage());
      System.exit(2);
      return;
    }
    OpenTelemetrySdk otel = LabTelemetry.create(Flow.CONSUMER);
    ConsumerService service = ConsumerService.start(config, otel);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  service.close();
                  otel.close();
                }));
    System.out.println(
        "consumer-svc (" + config.variant().id() + ") consuming " + Flow.TOPIC
            + ", health on " + config.bindHost() + ":" + service.healthPort());
  }
}
