// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.examples.agentapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * {@code GET /customer?id=7} answers {@code {"id": "7", "name": "customer 7"}}. No OpenTelemetry
 * code: run under the OpenTelemetry Java agent, which traces the JDK's HTTP server. Environment:
 * {@code PORT} (8081; 0 picks a free one).
 */
public final class Customer {

  private Customer() {}

  public static void main(String[] args) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(Integer.parseInt(env("PORT", "8081"))), 0);
    server.createContext("/customer", Customer::customer);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.out.println("customer listening on port " + server.getAddress().getPort());
  }

  private static void customer(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getQuery();
    String id =
        query != null && query.startsWith("id=")
            ? query.substring(3).replaceAll("[^A-Za-z0-9-]", "")
            : "";
    byte[] body =
        ("{\"id\": \"" + id + "\", \"name\": \"customer " + id + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
