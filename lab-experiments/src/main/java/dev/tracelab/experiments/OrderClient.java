// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelab.order.OrderJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Places orders at a gateway over HTTP, one or many at bounded concurrency. Used by the scenario
 * runner, the sampling experiment and {@code ./lab load}.
 */
public final class OrderClient {

  private final HttpClient http;
  private final URI orders;

  private OrderClient(URI gatewayUrl) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    this.orders = gatewayUrl.resolve("/orders");
  }

  public static OrderClient create(URI gatewayUrl) {
    return new OrderClient(gatewayUrl);
  }

  /** What a 202 carries. */
  public record Accepted(String orderId, String traceId) {}

  /**
   * One placed request: {@code accepted} is null when the gateway did not answer 202 (or was
   * unreachable); times are {@link System#nanoTime()}.
   */
  public record Placed(int index, Accepted accepted, long sentNanos, long doneNanos) {
    public double latencyMs() {
      return (doneNanos - sentNanos) / 1e6;
    }
  }

  /** Whether something answers {@code GET /health} at the gateway. */
  public boolean isUp() {
    try {
      return http.send(
                  HttpRequest.newBuilder(orders.resolve("/health"))
                      .timeout(Duration.ofSeconds(2))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * How long one order may take: longer than the gateway's own bound for the slowest order ({@code
   * delayMs} 60 s plus 10 s for the worker's answer), so the client never gives up on an order the
   * gateway may still accept.
   */
  private static final Duration PLACE_TIMEOUT = Duration.ofSeconds(75);

  /** POSTs one order body; the ids of a 202, or null. */
  public Accepted place(String body) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(orders)
                  .timeout(PLACE_TIMEOUT)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 202) {
        return null;
      }
      JsonNode json = OrderJson.mapper().readTree(response.body());
      return new Accepted(json.get("orderId").asText(), json.get("traceId").asText());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Places every body with at most {@code concurrency} in flight; {@code onPlaced} hears each as it
   * completes. Returns them in body order.
   */
  public List<Placed> placeAll(List<String> bodies, int concurrency, Consumer<Placed> onPlaced) {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<Placed>> futures = new ArrayList<>(bodies.size());
      for (int i = 0; i < bodies.size(); i++) {
        int index = i;
        futures.add(
            pool.submit(
                () -> {
                  long sent = System.nanoTime();
                  Placed placed =
                      new Placed(index, place(bodies.get(index)), sent, System.nanoTime());
                  onPlaced.accept(placed);
                  return placed;
                }));
      }
      List<Placed> all = new ArrayList<>(bodies.size());
      for (Future<Placed> f : futures) {
        all.add(f.get());
      }
      return all;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while placing orders", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("placing an order failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
