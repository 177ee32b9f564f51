// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.frontend;

import java.net.URI;
import java.nio.file.Path;

/**
 * The page's server on its own (the compose stack's {@code frontend} container): {@code java -cp
 * lab-env.jar dev.tracelab.env.frontend.FrontendMain}. Needs nothing but the JDK. Environment:
 * {@code GATEWAY_URL} (http://gateway:8080), {@code OTLP_ENDPOINT} (http://auditor:4318), {@code
 * FRONTEND_BUNDLE} (/app/dist), {@code FRONTEND_VARIANT} (fixed|leak|missing-entry), {@code
 * BIND_HOST} (0.0.0.0), {@code PUBLIC_HOST} (localhost: the host in the origins the browser sees),
 * {@code PAGE_PORT}, {@code API_PORT}, {@code ANALYTICS_PORT} (8083, 8084, 8085: published on the
 * same numbers, since the origins carry them).
 */
public final class FrontendMain {

  private FrontendMain() {}

  public static void main(String[] args) {
    FrontendServer server;
    try {
      server =
          FrontendServer.builder()
              .gateway(() -> URI.create(env("GATEWAY_URL", "http://gateway:8080")))
              .otlpEndpoint(() -> env("OTLP_ENDPOINT", "http://auditor:4318"))
              .bundle(Path.of(env("FRONTEND_BUNDLE", "/app/dist")))
              .variant(FrontendVariant.parse(env("FRONTEND_VARIANT", "fixed")))
              .host(env("BIND_HOST", "0.0.0.0"))
              .publicHost(env("PUBLIC_HOST", "localhost"))
              .ports(port("PAGE_PORT", 8083), port("API_PORT", 8084), port("ANALYTICS_PORT", 8085))
              .start();
    } catch (IllegalArgumentException e) {
      System.err.println("frontend: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println(
        "frontend: page "
            + server.pageUrl()
            + ", API "
            + server.apiOrigin()
            + ", third party "
            + server.analyticsUrl()
            + " (allowlist "
            + server.variant().id()
            + ")");
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private static int port(String name, int fallback) {
    String v = env(name, String.valueOf(fallback));
    try {
      int p = Integer.parseInt(v);
      if (p < 1 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a port (1-65535), was '" + v + "'");
    }
  }
}
