// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.frontend;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The browser's side of the lab (docs/design.md §8): three origins on loopback, each its own port.
 *
 * <ul>
 *   <li><b>page</b>: the page ({@code /}, {@code /app.js}), its configuration ({@code
 *       /frontend-config.json}), {@code POST /orders} forwarded to the gateway (same origin: the
 *       browser sends {@code traceparent}), and the telemetry path {@code POST /v1/traces}
 *       forwarded to the lab's OTLP endpoint, with CORS answers for the lab's origins.
 *   <li><b>api</b>: the lab's cross-origin API, {@code POST /orders} forwarded to the gateway; its
 *       preflight allows the page's origin and the headers {@code content-type, traceparent,
 *       tracestate}.
 *   <li><b>analytics</b>: a third party, {@code POST /collect}; it answers any preflight (as such
 *       endpoints often do), so whatever the page sends arrives and is recorded.
 * </ul>
 *
 * Every request an origin receives is recorded with its headers ({@link #received()}): what each
 * endpoint learned of the trace is asserted from there. Forwarding is transparent: headers pass
 * unchanged (hop-by-hop ones aside), nothing is traced here.
 */
public final class FrontendServer implements AutoCloseable {

  public static final String PAGE = "page";
  public static final String API = "api";
  public static final String ANALYTICS = "analytics";

  /** The telemetry path on the page's origin (OTLP/HTTP traces). */
  public static final String TELEMETRY_PATH = "/v1/traces";

  /** Not forwarded: hop-by-hop, or set by the HTTP client itself. */
  private static final Set<String> NOT_FORWARDED =
      Set.of(
          "connection",
          "content-length",
          "expect",
          "host",
          "upgrade",
          "keep-alive",
          "transfer-encoding",
          "te",
          "trailer",
          "proxy-connection",
          "http2-settings");

  private static final Map<String, String> TYPES =
      Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8");

  private final Path bundle;
  private final Supplier<URI> gateway;
  private final Supplier<String> otlpEndpoint;
  private volatile FrontendVariant variant;
  private final HttpServer page;
  private final HttpServer api;
  private final HttpServer analytics;
  private final ExecutorService executor;
  private final HttpClient client;
  private final List<ReceivedRequest> received = new CopyOnWriteArrayList<>();
  private final String host;
  private final String publicHost;

  private FrontendServer(Builder b) {
    this.bundle = b.bundle;
    this.gateway = b.gateway;
    this.otlpEndpoint = b.otlpEndpoint;
    this.variant = b.variant;
    this.host = b.host;
    this.publicHost =
        b.publicHost != null ? b.publicHost : b.host.equals("0.0.0.0") ? "127.0.0.1" : b.host;
    // a thread per request in flight: a forwarding handler blocks until the gateway (or the OTLP
    // endpoint) answers, so a fixed pool shared with the HTTP client could starve both
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "frontend-server");
              t.setDaemon(true);
              return t;
            });
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build(); // its own executor, never the handlers'
    try {
      this.page = HttpServer.create(new InetSocketAddress(host, b.pagePort), 64);
      this.api = HttpServer.create(new InetSocketAddress(host, b.apiPort), 64);
      this.analytics = HttpServer.create(new InetSocketAddress(host, b.analyticsPort), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "frontend server: cannot bind its ports on " + host + ": " + e.getMessage(), e);
    }
    page.createContext("/", closing(this::page));
    api.createContext("/", closing(this::api));
    analytics.createContext("/", closing(this::analytics));
    for (HttpServer s : List.of(page, api, analytics)) {
      s.setExecutor(executor);
      s.start();
    }
  }

  private static com.sun.net.httpserver.HttpHandler closing(
      com.sun.net.httpserver.HttpHandler handler) {
    return ex -> {
      try {
        handler.handle(ex);
      } finally {
        ex.close();
      }
    };
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The page's URL (the page's origin, with a trailing slash): open it in a browser. */
  public URI pageUrl() {
    return URI.create(origin(page) + "/");
  }

  public String pageOrigin() {
    return origin(page);
  }

  public String apiOrigin() {
    return origin(api);
  }

  public String analyticsOrigin() {
    return origin(analytics);
  }

  public String analyticsUrl() {
    return analyticsOrigin() + "/collect";
  }

  public FrontendVariant variant() {
    return variant;
  }

  /** The allowlist the page runs from its next load on. */
  public void setVariant(FrontendVariant variant) {
    this.variant = variant;
  }

  /** What the three origins received, in arrival order (page assets and telemetry left out). */
  public List<ReceivedRequest> received() {
    return List.copyOf(received);
  }

  /** What {@code origin} ({@link #PAGE}, {@link #API}, {@link #ANALYTICS}) received. */
  public List<ReceivedRequest> received(String origin) {
    return received.stream().filter(r -> r.origin().equals(origin)).toList();
  }

  public void clearReceived() {
    received.clear();
  }

  private String origin(HttpServer server) {
    return "http://" + publicHost + ":" + server.getAddress().getPort();
  }

  // ---- the page's origin ----

  private void page(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    switch (path) {
      case "/", "/index.html" -> file(ex, "index.html");
      case "/app.js" -> file(ex, "app.js");
      case "/frontend-config.json" -> json(ex, config());
      case "/orders" -> {
        if (method.equals("POST")) {
          record(PAGE, ex);
          forward(ex, gateway.get().resolve("/orders"), Map.of());
        } else {
          status(ex, 405);
        }
      }
      case TELEMETRY_PATH -> telemetry(ex);
      default -> status(ex, 404);
    }
  }

  /**
   * The page's configuration as JSON (four strings of the lab's own making: no escaping needed).
   */
  private String config() {
    return "{\"variant\":\""
        + variant.id()
        + "\",\"apiOrigin\":\""
        + apiOrigin()
        + "\",\"analyticsUrl\":\""
        + analyticsUrl()
        + "\",\"telemetryPath\":\""
        + TELEMETRY_PATH
        + "\"}";
  }

  /** OTLP/HTTP from the page: forwarded; a preflight from a lab origin is answered. */
  private void telemetry(HttpExchange ex) throws IOException {
    String origin = ex.getRequestHeaders().getFirst("Origin");
    boolean labOrigin =
        origin != null && (origin.equals(pageOrigin()) || origin.equals(apiOrigin()));
    Headers out = ex.getResponseHeaders();
    out.add("Vary", "Origin");
    if (labOrigin) {
      out.add("Access-Control-Allow-Origin", origin);
    }
    if (ex.getRequestMethod().equals("OPTIONS")) {
      if (labOrigin) {
        out.add("Access-Control-Allow-Methods", "POST");
        out.add("Access-Control-Allow-Headers", "content-type");
        out.add("Access-Control-Max-Age", "0");
      }
      status(ex, labOrigin ? 204 : 403);
      return;
    }
    if (!ex.getRequestMethod().equals("POST")) {
      status(ex, 405);
      return;
    }
    forward(ex, URI.create(otlpEndpoint.get() + TELEMETRY_PATH), Map.of());
  }

  // ---- the lab's cross-origin API ----

  private void api(HttpExchange ex) throws IOException {
    String origin = ex.getRequestHeaders().getFirst("Origin");
    boolean allowed = pageOrigin().equals(origin);
    Headers out = ex.getResponseHeaders();
    out.add("Vary", "Origin");
    if (!ex.getRequestURI().getPath().equals("/orders")) {
      status(ex, 404);
      return;
    }
    record(API, ex);
    if (ex.getRequestMethod().equals("OPTIONS")) {
      if (allowed) {
        out.add("Access-Control-Allow-Origin", origin);
        out.add("Access-Control-Allow-Methods", "POST");
        // the trace context may come from the page: allowed here, and only here
        out.add("Access-Control-Allow-Headers", "content-type, traceparent, tracestate");
        out.add("Access-Control-Max-Age", "0"); // every request preflights: exact counts
      }
      status(ex, allowed ? 204 : 403);
      return;
    }
    if (!ex.getRequestMethod().equals("POST")) {
      status(ex, 405);
      return;
    }
    Map<String, String> cors =
        allowed
            ? Map.of(
                "Access-Control-Allow-Origin",
                origin,
                "Access-Control-Expose-Headers",
                "traceresponse")
            : Map.of();
    forward(ex, gateway.get().resolve("/orders"), cors);
  }

  // ---- the third party ----

  private void analytics(HttpExchange ex) throws IOException {
    if (!ex.getRequestURI().getPath().equals("/collect")) {
      status(ex, 404);
      return;
    }
    record(ANALYTICS, ex);
    Headers out = ex.getResponseHeaders();
    out.add("Access-Control-Allow-Origin", "*");
    if (ex.getRequestMethod().equals("OPTIONS")) {
      String asked = ex.getRequestHeaders().getFirst("Access-Control-Request-Headers");
      out.add("Access-Control-Allow-Methods", "POST");
      if (asked != null) {
        out.add("Access-Control-Allow-Headers", asked); // permissive, like many such endpoints
      }
      out.add("Access-Control-Max-Age", "0");
    }
    ex.getRequestBody().readAllBytes();
    status(ex, 204);
  }

  // ---- plumbing ----

  private void record(String origin, HttpExchange ex) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    ex.getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
    received.add(
        new ReceivedRequest(
            origin, ex.getRequestMethod(), ex.getRequestURI().getPath(), Map.copyOf(headers)));
  }

  private void forward(HttpExchange ex, URI target, Map<String, String> extraHeaders)
      throws IOException {
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readAllBytes();
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target)
            .timeout(Duration.ofSeconds(15))
            .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    ex.getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
              }
            });
    HttpResponse<byte[]> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      text(ex, 502, "frontend server: " + target + " unreachable: " + e.getClass().getSimpleName());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      text(ex, 503, "interrupted");
      return;
    }
    Headers out = ex.getResponseHeaders();
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              String n = name.toLowerCase(Locale.ROOT);
              if (!NOT_FORWARDED.contains(n) && !n.equals(":status") && !n.equals("date")) {
                values.forEach(v -> out.add(name, v));
              }
            });
    extraHeaders.forEach(out::set);
    byte[] payload = response.body();
    ex.sendResponseHeaders(response.statusCode(), payload.length == 0 ? -1 : payload.length);
    if (payload.length > 0) {
      ex.getResponseBody().write(payload);
    }
  }

  private void file(HttpExchange ex, String name) throws IOException {
    Path file = bundle.resolve(name);
    if (!Files.isRegularFile(file)) {
      text(ex, 500, "frontend bundle missing: " + file + " (npm run build in frontend/)");
      return;
    }
    byte[] bytes = Files.readAllBytes(file);
    ex.getResponseHeaders()
        .add("Content-Type", TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
    ex.getResponseHeaders().add("Cache-Control", "no-store");
    ex.sendResponseHeaders(200, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static void json(HttpExchange ex, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.getResponseHeaders().add("Cache-Control", "no-store");
    ex.sendResponseHeaders(200, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static void text(HttpExchange ex, int status, String message) throws IOException {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static void status(HttpExchange ex, int status) throws IOException {
    ex.sendResponseHeaders(status, -1);
  }

  @Override
  public void close() {
    for (HttpServer s : List.of(page, api, analytics)) {
      s.stop(0);
    }
    executor.shutdownNow();
  }

  public static final class Builder {
    private Path bundle;
    private Supplier<URI> gateway;
    private Supplier<String> otlpEndpoint;
    private FrontendVariant variant = FrontendVariant.FIXED;
    private String host = "127.0.0.1";
    private String publicHost;
    private int pagePort;
    private int apiPort;
    private int analyticsPort;

    /** The bundled page's folder ({@code frontend/dist}: index.html, app.js). */
    public Builder bundle(Path bundle) {
      this.bundle = bundle;
      return this;
    }

    /** Where {@code /orders} goes (asked at each request: the gateway may restart elsewhere). */
    public Builder gateway(Supplier<URI> gateway) {
      this.gateway = gateway;
      return this;
    }

    /** The OTLP/HTTP base URL the page's spans are forwarded to ({@code /v1/traces} appended). */
    public Builder otlpEndpoint(Supplier<String> otlpEndpoint) {
      this.otlpEndpoint = otlpEndpoint;
      return this;
    }

    public Builder variant(FrontendVariant variant) {
      this.variant = variant;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /**
     * The host the browser uses in the origins (default: the bind host, 127.0.0.1 for 0.0.0.0),
     * e.g. {@code localhost} in a container whose ports are published on the same numbers.
     */
    public Builder publicHost(String publicHost) {
      this.publicHost = publicHost;
      return this;
    }

    /** Page, API and analytics ports; 0 (the default) picks free ones. */
    public Builder ports(int page, int api, int analytics) {
      this.pagePort = page;
      this.apiPort = api;
      this.analyticsPort = analytics;
      return this;
    }

    public FrontendServer start() {
      if (bundle == null || gateway == null || otlpEndpoint == null) {
        throw new IllegalStateException("frontend server needs bundle, gateway and otlpEndpoint");
      }
      return new FrontendServer(this);
    }
  }
}
