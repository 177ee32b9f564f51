// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracelab.flow.Scenario;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The memory ceiling under concurrent large gzip requests: admission by bytes in flight
 * (compressed, inflated, decoded estimate). A request that does not fit is answered 429 with {@code
 * Retry-After}; the auditor keeps answering, and the figures of the accepted requests are exact.
 * Over real HTTP on loopback with crafted OTLP.
 */
class MemoryCeilingTest {

  private static final int MAX_BODY = 256 * 1024;
  private static final int MAX_INFLATED = 1024 * 1024;

  /** The smallest budget allowed: one request of the largest size (256 KiB + 7 x 1 MiB). */
  private static final long BUDGET = Auditor.worstRequestBytes(MAX_BODY, MAX_INFLATED);

  /**
   * Padding that inflates each request to ~600 KiB: it costs 768 KiB inflating + 2.4 MiB decoded,
   * so two fit, not three.
   */
  private static final int PADDING = 600 * 1024;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final CountDownLatch gate = new CountDownLatch(1);
  private final Semaphore held = new Semaphore(0);
  private volatile boolean holdRequests;
  private Auditor auditor;

  @AfterEach
  void stop() {
    gate.countDown();
    if (auditor != null) {
      auditor.close();
    }
  }

  private void start() {
    auditor =
        Auditor.builder()
            .setOtlpPort(0)
            .setApiPort(0)
            .setQuietWindow(Duration.ofSeconds(30))
            .setMaxBodyBytes(MAX_BODY)
            .setMaxInflatedBytes(MAX_INFLATED)
            .setMaxInFlightBytes(BUDGET)
            // a complete request closes on the ingesting thread: holding it here keeps its bytes in
            // flight
            .addCloseListener(
                trace -> {
                  if (holdRequests) {
                    held.release();
                    try {
                      gate.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                })
            .start();
  }

  @Test
  void requestsBeyondTheBudgetAre429WithRetryAfterWhileTheAdmittedOnesAreExact() throws Exception {
    start();
    holdRequests = true;
    List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
    for (int seed = 1; seed <= 2; seed++) {
      admitted.add(postAsync(bigGzipRequest(seed)));
    }
    await("two requests held in flight")
        .atMost(Duration.ofSeconds(10))
        .until(() -> held.availablePermits() == 2);
    long inFlight = auditor.inFlightBytes();

    List<HttpResponse<String>> refused = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> more = new ArrayList<>();
    for (int seed = 3; seed <= 8; seed++) {
      more.add(postAsync(bigGzipRequest(seed)));
    }
    for (CompletableFuture<HttpResponse<String>> f : more) {
      refused.add(f.get(10, TimeUnit.SECONDS));
    }
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create(auditor.apiUrl() + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
    gate.countDown();

    assertThat(refused)
        .hasSize(6)
        .allSatisfy(
            r -> {
              assertThat(r.statusCode()).isEqualTo(429);
              assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
              assertThat(r.headers().firstValue("Content-Type"))
                  .hasValue("application/problem+json");
            });
    assertThat(health.statusCode()).isEqualTo(200);
    for (CompletableFuture<HttpResponse<String>> f : admitted) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(inFlight).isLessThanOrEqualTo(BUDGET).isGreaterThan(BUDGET / 2);
    assertThat(auditor.inFlightBytes()).isZero();
    assertThat(auditor.refusedRequests()).isEqualTo(6);
    assertThat(auditor.acceptedRequests()).isEqualTo(2);
    assertThat(auditor.report().requests()).isEqualTo(2);
    assertThat(auditor.report().connectedRequests()).isEqualTo(2);
    assertThat(metrics())
        .contains("tracelab_otlp_requests_refused_total 6.0\n")
        .contains("tracelab_otlp_inflight_bytes 0.0\n");

    // the refused ones, sent again as an exporter retries them, are taken
    holdRequests = false;
    for (int seed = 3; seed <= 8; seed++) {
      assertThat(postAsync(bigGzipRequest(seed)).get(10, TimeUnit.SECONDS).statusCode())
          .isEqualTo(200);
    }
    assertThat(auditor.report().requests()).isEqualTo(8);
    assertThat(auditor.report().connectedRequests()).isEqualTo(8);
    assertThat(auditor.report().services().get("gateway-svc").spans()).isEqualTo(16);
  }

  @Test
  void sixteenConcurrentGzipRequestsEachAnswered200Or429AndEveryAcceptedOneCountedExactly()
      throws Exception {
    start();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int seed = 1; seed <= 16; seed++) {
      all.add(postAsync(bigGzipRequest(seed)));
    }
    List<Integer> refusedSeeds = new ArrayList<>();
    int accepted = 0;
    for (int i = 0; i < all.size(); i++) {
      HttpResponse<String> r = all.get(i).get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isIn(200, 429);
      if (r.statusCode() == 429) {
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        refusedSeeds.add(i + 1);
      } else {
        accepted++;
      }
    }

    assertThat(auditor.inFlightBytes()).isZero();
    assertThat(auditor.refusedRequests()).isEqualTo(refusedSeeds.size());
    assertThat(auditor.report().requests()).isEqualTo(accepted);
    assertThat(auditor.report().connectedRequests()).isEqualTo(accepted);
    assertThat(auditor.report().services().get("worker-svc").spans()).isEqualTo(3L * accepted);

    for (int seed : refusedSeeds) { // retried one by one: each fits
      assertThat(postAsync(bigGzipRequest(seed)).get(10, TimeUnit.SECONDS).statusCode())
          .isEqualTo(200);
    }
    assertThat(auditor.report().requests()).isEqualTo(16);
    assertThat(auditor.report().connectedRequests()).isEqualTo(16);
    assertThat(auditor.report().services().get("worker-svc").spans()).isEqualTo(48);
  }

  @Test
  void aGzipBombBeyondTheInflateLimitIs400AndGivesItsBytesBack() throws Exception {
    start();
    ExportTraceServiceRequest bomb =
        padded(CraftedRequest.of(99, Scenario.FIXED).protobuf(1), MAX_INFLATED + 1);

    HttpResponse<String> r = postAsync(gzip(bomb.toByteArray())).get(10, TimeUnit.SECONDS);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("decompressed body exceeds " + MAX_INFLATED + " bytes");
    assertThat(auditor.inFlightBytes()).isZero();
    assertThat(auditor.rejectedRequests()).isEqualTo(1);
    assertThat(auditor.refusedRequests()).isZero();
  }

  /** A complete fixed request whose first span carries {@link #PADDING} bytes: ~2 KB gzipped. */
  private static byte[] bigGzipRequest(int seed) throws Exception {
    return gzip(
        padded(CraftedRequest.of(seed, Scenario.FIXED).protobuf(1, 2, 3, 4, 5, 6), PADDING)
            .toByteArray());
  }

  private static ExportTraceServiceRequest padded(byte[] protobuf, int padding) throws Exception {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(protobuf);
    ExportTraceServiceRequest.Builder b = request.toBuilder();
    b.getResourceSpansBuilder(0)
        .getScopeSpansBuilder(0)
        .getSpansBuilder(0)
        .addAttributes(
            KeyValue.newBuilder()
                .setKey("padding")
                .setValue(AnyValue.newBuilder().setStringValue("x".repeat(padding))));
    return b.build();
  }

  private static byte[] gzip(byte[] raw) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  private CompletableFuture<HttpResponse<String>> postAsync(byte[] gzipped) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create(auditor.otlpEndpoint() + "/v1/traces"))
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "gzip")
            .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String metrics() throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(auditor.apiUrl() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
