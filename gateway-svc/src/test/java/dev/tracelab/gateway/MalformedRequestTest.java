// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tracelab.flow.Variant;
import io.opentelemetry.api.OpenTelemetry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every malformed request gets a 4xx problem+json, over a raw socket so the bytes on the wire are
 * exactly the broken ones (chunking, truncation, a stall) a real client would never send.
 */
class MalformedRequestTest {

  private static final String ORDER = "{\"sku\":\"ABC-1\",\"quantity\":1}";
  private static final Duration READ_TIMEOUT = Duration.ofMillis(700);

  private static HttpServer worker;
  private static GatewayService gateway;

  @BeforeAll
  static void start() throws IOException {
    worker = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    worker.createContext(
        "/work",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(202, -1);
          exchange.close();
        });
    worker.createContext(
        "/health",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    worker.start();
    gateway =
        GatewayService.start(
            new GatewayConfig(
                "127.0.0.1",
                0,
                URI.create("http://127.0.0.1:" + worker.getAddress().getPort()),
                Variant.FIXED,
                READ_TIMEOUT),
            OpenTelemetry.noop());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    worker.stop(0);
  }

  @Test
  void wellFormedChunkedBodyIsAccepted() throws IOException {
    Answer answer =
        send(
            "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(ORDER.length())
                + "\r\n"
                + ORDER
                + "\r\n0\r\n\r\n",
            true);
    assertThat(answer.status()).isEqualTo(202);
  }

  @Test
  void malformedChunkSizeIs400() throws IOException {
    Answer answer =
        send(
            "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n"
                + ORDER
                + "\r\n0\r\n\r\n",
            true);
    assertProblem(answer, 400);
  }

  @Test
  void truncatedContentLengthBodyIs400() throws IOException {
    Answer answer =
        send(
            "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 200\r\nConnection: close\r\n\r\n"
                + ORDER,
            true);
    assertProblem(answer, 400);
    assertThat(answer.body()).contains("truncated");
  }

  @Test
  void truncatedChunkedBodyIs400() throws IOException {
    Answer answer =
        send(
            "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n40\r\n{\"sku\":",
            true);
    assertProblem(answer, 400);
  }

  @Test
  void stalledBodyIs408() throws IOException {
    long t0 = System.nanoTime();
    // half the declared body, then nothing: the socket stays open
    Answer answer =
        send(
            "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 200\r\n\r\n"
                + ORDER,
            false);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertProblem(answer, 408);
    assertThat(answer.header("connection")).isEqualToIgnoringCase("close");
    assertThat(tookMs).isBetween(READ_TIMEOUT.toMillis(), READ_TIMEOUT.toMillis() + 5_000);
  }

  @Test
  void trailingGarbageIs400() throws IOException {
    String body = ORDER + " x";
    Answer answer = send(post("application/json", body), true);
    assertProblem(answer, 400);
    assertThat(answer.body()).contains("not valid JSON");
  }

  @Test
  void secondJsonValueIs400() throws IOException {
    Answer answer = send(post("application/json", ORDER + ORDER), true);
    assertProblem(answer, 400);
  }

  @Test
  void truncatedJsonIs400() throws IOException {
    Answer answer = send(post("application/json", "{\"sku\":\"ABC-1\",\"quan"), true);
    assertProblem(answer, 400);
  }

  @Test
  void nonJsonContentTypeIs415() throws IOException {
    assertProblem(send(post("text/plain", ORDER), true), 415);
    assertProblem(send(post("application/x-www-form-urlencoded", "sku=ABC-1"), true), 415);
  }

  /**
   * Parsed, not prefix-matched: a type that starts like JSON is not JSON (JsonMediaTypeTest has the
   * rest).
   */
  @Test
  void contentTypeIsParsedNotPrefixMatched() throws IOException {
    for (String notJson :
        new String[] {
          "application/jsonx", "application/json-patch+json", "application/json; charset=iso-8859-1"
        }) {
      Answer answer = send(post(notJson, ORDER), true);
      assertProblem(answer, 415);
      // Jetty may hand a known charset over in its own case (ISO-8859-1)
      assertThat(answer.body())
          .as(notJson)
          .contains("Content-Type must be application/json")
          .containsIgnoringCase(notJson);
    }
    for (String json :
        new String[] {"application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\""}) {
      assertThat(send(post(json, ORDER), true).status()).as(json).isEqualTo(202);
    }
  }

  @Test
  void missingContentTypeIs415() throws IOException {
    Answer answer =
        send(
            "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + ORDER.length()
                + "\r\nConnection: close\r\n\r\n"
                + ORDER,
            true);
    assertProblem(answer, 415);
  }

  @Test
  void wrongMethodIs405WithAllow() throws IOException {
    for (String method : new String[] {"GET", "PUT", "DELETE", "PATCH"}) {
      Answer answer =
          send(
              method
                  + " /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
              true);
      assertProblem(answer, 405);
      assertThat(answer.header("allow")).as(method).isEqualTo("POST");
    }
  }

  @Test
  void readinessFollowsTheWorker() throws IOException {
    Answer ready = send("GET /health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", true);
    assertThat(ready.status()).isEqualTo(200);
    try (GatewayService orphan =
        GatewayService.start(
            new GatewayConfig("127.0.0.1", 0, URI.create("http://127.0.0.1:1"), Variant.FIXED),
            OpenTelemetry.noop())) {
      Answer notReady =
          send(
              orphan.port(),
              "GET /health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
              true);
      assertProblem(notReady, 503);
      Answer live =
          send(orphan.port(), "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", true);
      assertThat(live.status()).isEqualTo(200);
    }
  }

  private static String post(String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: "
        + contentType
        + "\r\nContent-Length: "
        + bytes.length
        + "\r\nConnection: close\r\n\r\n"
        + body;
  }

  private static void assertProblem(Answer answer, int status) {
    assertThat(answer.status()).as(answer.raw()).isEqualTo(status);
    assertThat(answer.header("content-type"))
        .as(answer.raw())
        .startsWith("application/problem+json");
    assertThat(answer.body()).contains("\"status\":" + status).doesNotContain("\tat ");
  }

  record Answer(String raw) {
    int status() {
      return Integer.parseInt(raw.split(" ", 3)[1]);
    }

    String header(String name) {
      for (String line : raw.substring(0, Math.max(0, raw.indexOf("\r\n\r\n"))).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }

    String body() {
      int end = raw.indexOf("\r\n\r\n");
      return end < 0 ? "" : raw.substring(end + 4);
    }
  }

  private static Answer send(String request, boolean halfClose) throws IOException {
    return send(gateway.port(), request, halfClose);
  }

  /**
   * Writes {@code request} as is; {@code halfClose} ends the request stream (a truncated body ends
   * there).
   */
  private static Answer send(int port, String request, boolean halfClose) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      if (halfClose) {
        socket.shutdownOutput();
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      return new Answer(bytes.toString(StandardCharsets.UTF_8));
    }
  }
}
