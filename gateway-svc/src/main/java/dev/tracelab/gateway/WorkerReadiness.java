// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import dev.tracelab.http.Problem;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * {@code GET /health/ready}: 200 while the worker answers {@code GET /health} with 200, else a 503
 * problem. Untraced: a probe polled every few seconds is not part of any order's trace.
 */
final class WorkerReadiness implements Handler {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
  private final URI workerHealth;

  WorkerReadiness(URI workerUrl) {
    this.workerHealth = workerUrl.resolve("/health");
  }

  @Override
  public void handle(Context ctx) {
    String why;
    try {
      int status =
          client
              .send(
                  HttpRequest.newBuilder(workerHealth).timeout(TIMEOUT).GET().build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();
      if (status == 200) {
        ctx.json(Map.of("status", "UP", "worker", "UP"));
        return;
      }
      why = "worker health answered " + status;
    } catch (IOException e) {
      why = "worker unreachable at " + workerHealth + ": " + e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      why = "interrupted";
    }
    Problem.of(503, "Service Unavailable", why).writeTo(ctx);
  }
}
