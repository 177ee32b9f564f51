// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.examples.agentapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * {@code GET /dispatch?id=7} asks the customer service for customer 7 and answers what it said,
 * passing the caller's {@code X-Request-Id} on. No OpenTelemetry code: run under the OpenTelemetry
 * Java agent, which traces the JDK's HTTP server and {@link HttpClient} and propagates the trace
 * context on the call. Environment: {@code PORT} (8080; 0 picks a free one), {@code CUSTOMER_URL}
 * ({@code http://localhost:8081}).
 */
public final class Frontend {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static URI customerUrl;

  private Frontend() {}

  public static void main(String[] args) throws IOException {
    customerUrl = URI.create(Customer.env("CUSTOMER_URL", "http://localhost:8081"));
    HttpServer server =
        HttpServer.create(new InetSocketAddress(Integer.parseInt(Customer.env("PORT", "8080"))), 0);
    server.createContext("/dispatch", Frontend::dispatch);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.out.println("frontend listening on port " + server.getAddress().getPort());
  }

  private static void dispatch(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    URI url = customerUrl.resolve("/customer" + (query == null ? "" : "?" + query));
    HttpRequest.Builder call = HttpRequest.newBuilder(url);
    String requestId = exchange.getRequestHeaders().getFirst("X-Request-Id");
    if (requestId != null) {
      call.header("X-Request-Id", requestId);
    }
    int status;
    byte[] body;
    try {
      HttpResponse<byte[]> customer =
          CLIENT.send(call.build(), HttpResponse.BodyHandlers.ofByteArray());
      status = customer.statusCode() == 200 ? 200 : 502;
      body = customer.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = 503;
      body = "{\"error\": \"interrupted\"}".getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      status = 502;
      body = "{\"error\": \"customer service unreachable\"}".getBytes(StandardCharsets.UTF_8);
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
