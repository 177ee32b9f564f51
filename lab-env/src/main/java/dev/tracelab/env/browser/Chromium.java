// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelab.env.process.LocalHost;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A headless Chromium (Debian's {@code chromium}, never a downloaded one) driven over the DevTools
 * protocol on a loopback WebSocket: new pages, navigation, script evaluation, PNG screenshots. Each
 * instance has its own empty profile (deleted on close), so nothing is cached between two instances
 * (no preflight, no page asset). Background networking is off: the machine's network is closed and
 * Chromium would otherwise keep trying.
 */
public final class Chromium implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> NAMES =
      List.of("chromium", "chromium-browser", "google-chrome");

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<String> output = new ArrayList<>();

  private Chromium(Path executable, Duration startTimeout) {
    this.profile = LocalHost.tempDir("tracelab-chromium-");
    List<String> command =
        List.of(
            executable.toString(),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--mute-audio",
            "--hide-scrollbars",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "--user-data-dir=" + profile,
            "about:blank");
    try {
      this.process =
          new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      LocalHost.deleteTree(profile);
      throw new UncheckedIOException("cannot start " + executable, e);
    }
    try {
      URI endpoint = awaitEndpoint(startTimeout);
      this.socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .connectTimeout(Duration.ofSeconds(10))
              .buildAsync(endpoint, new Listener())
              .get(10, TimeUnit.SECONDS);
    } catch (RuntimeException | InterruptedException | ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      LocalHost.deleteTree(profile);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "chromium did not start: " + e.getMessage() + "; its output: " + output, e);
    }
  }

  /**
   * The Chromium to use: {@code -Dtracelab.chromium} or {@code TRACELAB_CHROMIUM} when set, else
   * {@code chromium} (or {@code chromium-browser}, {@code google-chrome}) on PATH or in /usr/bin.
   */
  public static Optional<Path> find() {
    String configured = System.getProperty("tracelab.chromium", System.getenv("TRACELAB_CHROMIUM"));
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    List<String> dirs =
        new ArrayList<>(
            List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    dirs.add("/usr/bin");
    for (String name : NAMES) {
      for (String dir : dirs) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
          return Optional.of(Path.of(dir, name));
        }
      }
    }
    return Optional.empty();
  }

  /** Launches the Chromium {@link #find()} finds; a clear error when there is none. */
  public static Chromium launch() {
    Path exe =
        find()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no Chromium: install Debian's chromium (apt-get install chromium) or set TRACELAB_CHROMIUM"));
    return launch(exe);
  }

  public static Chromium launch(Path executable) {
    return new Chromium(executable, Duration.ofSeconds(30));
  }

  /** Reads stderr until Chromium prints its DevTools WebSocket address; keeps draining it after. */
  private URI awaitEndpoint(Duration timeout) {
    CompletableFuture<URI> found = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader err =
                  new BufferedReader(
                      new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                  int at = line.indexOf("ws://");
                  if (line.startsWith("DevTools listening on ") && at >= 0) {
                    found.complete(URI.create(line.substring(at).trim()));
                  } else if (output.size() < 50) {
                    synchronized (output) {
                      output.add(line);
                    }
                  }
                }
                found.completeExceptionally(new IllegalStateException("chromium exited"));
              } catch (IOException e) {
                found.completeExceptionally(e);
              }
            },
            "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    try {
      return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "no DevTools endpoint within " + timeout.toSeconds() + " s (" + e + ")", e);
    }
  }

  /** The browser's version, e.g. {@code Chrome/156.0.8078.73}. */
  public String version() {
    return send(null, "Browser.getVersion", JSON.createObjectNode()).path("product").asText();
  }

  /** A new tab at about:blank, {@code width} x {@code height} CSS pixels. */
  public BrowserPage newPage(int width, int height) {
    ObjectNode create = JSON.createObjectNode().put("url", "about:blank");
    String targetId = send(null, "Target.createTarget", create).path("targetId").asText();
    ObjectNode attach = JSON.createObjectNode().put("targetId", targetId).put("flatten", true);
    String session = send(null, "Target.attachToTarget", attach).path("sessionId").asText();
    BrowserPage page = new BrowserPage(this, session);
    page.resize(width, height);
    return page;
  }

  /** Sends one DevTools command (to a page's session, or to the browser when null); its result. */
  JsonNode send(String session, String method, ObjectNode params) {
    int id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    if (session != null) {
      message.put("sessionId", session);
    }
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
      JsonNode reply = answer.get(120, TimeUnit.SECONDS);
      if (reply.has("error")) {
        throw new IllegalStateException(method + ": " + reply.get("error"));
      }
      return reply.path("result");
    } catch (IOException | ExecutionException | TimeoutException e) {
      throw new IllegalStateException(method + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(method + " interrupted", e);
    } finally {
      pending.remove(id);
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode message = JSON.readTree(text);
          if (message.has("id")) {
            CompletableFuture<JsonNode> f = pending.get(message.get("id").asInt());
            if (f != null) {
              f.complete(message);
            }
          }
        } catch (IOException e) {
          // not JSON: ignore (the protocol sends only JSON)
        }
      }
      ws.request(1);
      return null;
    }
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LocalHost.deleteTree(profile);
  }
}
