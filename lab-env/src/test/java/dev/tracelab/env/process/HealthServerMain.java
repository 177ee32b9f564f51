// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.process;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/** A child JVM for the readiness test: answers GET /health 200 on the port in {@code PORT}. */
public final class HealthServerMain {

  private HealthServerMain() {}

  public static void main(String[] args) throws IOException {
    HttpServer server =
        HttpServer.create(
            new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv("PORT"))), 0);
    server.createContext(
        "/health",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    System.out.println("health on " + server.getAddress().getPort());
  }
}
