// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.audit;

import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A crafted system nobody in the lab wrote: {@code web} serves {@code GET /checkout}, calls {@code
 * payments} over HTTP ({@code POST /charge}), {@code inventory} over gRPC, and a database; {@code
 * payments} publishes to {@code receipts}, which {@code mailer} consumes; {@code web} also hands
 * work to a background thread. Each break is a switch, so a test can break one edge at a time.
 * Requests overlap in time (concurrency): a test that pairs by time alone must still count exactly.
 */
final class ThirdPartySystem {

  private static final HexFormat HEX = HexFormat.of();
  private final Random random = new Random(42);
  boolean breakPayments; // the header to payments is stripped: payments starts new traces
  boolean breakReceipts; // mailer ignores the message headers
  boolean breakBackground; // web's background task loses its context
  boolean correlate; // every span carries app.request_id
  // hand-made client spans with no protocol attribute (as Jaeger's HotROD has): web reads a cache
  // (only param.*), payments queries a ledger (only peer.service and a query); no trace answers
  // them
  boolean handMadeClients;
  boolean bare; // no span carries any attribute (but app.request_id when correlate)
  long spacingMs = 2; // between the starts of two requests

  /**
   * {@code n} requests, started {@link #spacingMs} (2 ms) apart, each lasting ~200 ms: all of them
   * overlap.
   */
  List<ReceivedSpan> requests(int n) {
    List<ReceivedSpan> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.addAll(request(i, 1_000_000_000_000L + i * ms(spacingMs)));
    }
    return out;
  }

  private List<ReceivedSpan> request(int i, long t) {
    List<ReceivedSpan> spans = new ArrayList<>();
    String trace = id(32);
    String request = "r" + i;
    String root = id(16);
    spans.add(
        span(
            trace,
            root,
            null,
            "web",
            SpanKind.SERVER,
            "GET /checkout",
            t,
            t + ms(200),
            request,
            Map.of(
                "http.request.method", "GET", "url.path", "/checkout", "http.route", "/checkout")));
    // HTTP call to payments (the route template on the server, the full URL on the client)
    String charge = id(16);
    spans.add(
        span(
            trace,
            charge,
            root,
            "web",
            SpanKind.CLIENT,
            "POST",
            t + ms(10),
            t + ms(120),
            request,
            Map.of(
                "http.request.method",
                "POST",
                "url.full",
                "http://payments:8080/charge/" + i,
                "server.address",
                "payments",
                "server.port",
                "8080")));
    String paymentsTrace = breakPayments ? id(32) : trace;
    String paymentsServer = id(16);
    long ps = t + ms(12);
    spans.add(
        span(
            paymentsTrace,
            paymentsServer,
            breakPayments ? null : charge,
            "payments",
            SpanKind.SERVER,
            "POST /charge/{id}",
            ps,
            ps + ms(100),
            request,
            Map.of(
                "http.request.method",
                "POST",
                "http.route",
                "/charge/{id}",
                "server.address",
                "payments",
                "server.port",
                "8080")));
    String publish = id(16);
    spans.add(
        span(
            paymentsTrace,
            publish,
            paymentsServer,
            "payments",
            SpanKind.PRODUCER,
            "publish receipts",
            ps + ms(50),
            ps + ms(60),
            request,
            Map.of("messaging.system", "kafka", "messaging.destination.name", "receipts")));
    String mailTrace = breakReceipts ? id(32) : paymentsTrace;
    long ms = ps + ms(300 + random.nextInt(200)); // consumer lag
    spans.add(
        span(
            mailTrace,
            id(16),
            breakReceipts ? null : publish,
            "mailer",
            SpanKind.CONSUMER,
            "process receipts",
            ms,
            ms + ms(30),
            request,
            Map.of("messaging.system", "kafka", "messaging.destination.name", "receipts")));
    // gRPC call to inventory: always answered
    String reserve = id(16);
    spans.add(
        span(
            trace,
            reserve,
            root,
            "web",
            SpanKind.CLIENT,
            "inventory.Stock/Reserve",
            t + ms(130),
            t + ms(150),
            request,
            Map.of(
                "rpc.system", "grpc", "rpc.service", "inventory.Stock", "rpc.method", "Reserve")));
    spans.add(
        span(
            trace,
            id(16),
            reserve,
            "inventory",
            SpanKind.SERVER,
            "inventory.Stock/Reserve",
            t + ms(131),
            t + ms(149),
            request,
            Map.of(
                "rpc.system", "grpc", "rpc.service", "inventory.Stock", "rpc.method", "Reserve")));
    // a database call: no trace answers it, and that is no defect
    spans.add(
        span(
            trace,
            id(16),
            root,
            "web",
            SpanKind.CLIENT,
            "SELECT shop.carts",
            t + ms(155),
            t + ms(160),
            request,
            Map.of("db.system.name", "postgresql")));
    if (handMadeClients) {
      spans.add(
          span(
              trace,
              id(16),
              root,
              "web",
              SpanKind.CLIENT,
              "GetCart",
              t + ms(5),
              t + ms(115),
              request,
              Map.of("param.cartId", "c" + i)));
      spans.add(
          span(
              paymentsTrace,
              id(16),
              paymentsServer,
              "payments",
              SpanKind.CLIENT,
              "SQL SELECT",
              ps + ms(20),
              ps + ms(40),
              request,
              Map.of("peer.service", "ledger", "sql.query", "SELECT balance FROM ledger")));
    }
    // background work handed to another thread while the request is served
    String bgTrace = breakBackground ? id(32) : trace;
    spans.add(
        span(
            bgTrace,
            id(16),
            breakBackground ? null : root,
            "web",
            SpanKind.INTERNAL,
            "audit.write",
            t + ms(170),
            t + ms(175),
            request,
            Map.of()));
    return spans;
  }

  private ReceivedSpan span(
      String trace,
      String span,
      String parent,
      String service,
      SpanKind kind,
      String name,
      long start,
      long end,
      String request,
      Map<String, String> attributes) {
    Map<String, String> a = new java.util.HashMap<>(bare ? Map.of() : attributes);
    if (correlate) {
      a.put("app.request_id", request);
    }
    return new ReceivedSpan(trace, span, parent, service, kind, name, start, end, false, a);
  }

  private static long ms(long ms) {
    return ms * 1_000_000L;
  }

  private String id(int hex) {
    byte[] b = new byte[hex / 2];
    random.nextBytes(b);
    b[0] |= 1; // never all zero
    return HEX.formatHex(b);
  }
}
