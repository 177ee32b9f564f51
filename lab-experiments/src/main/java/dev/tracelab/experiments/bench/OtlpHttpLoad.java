// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load generator of {@code ./lab bench ingest}: {@code connections} keep-alive HTTP/1.1
 * connections, each a thread that posts OTLP/protobuf export requests to {@code /v1/traces} back to
 * back (the next request as soon as the last is answered, no pacing, no pipelining). Requests come
 * from one {@link IngestWorkload} counter shared by the connections, so a run sends requests 0, 1,
 * 2... whoever receives them. A request counts once answered 2xx; 429 and 503 (a server refusing
 * data, e.g. a memory limiter) are counted as refused and followed by a 5 ms pause on that
 * connection; anything else is an error (and a new connection). Plain sockets and a minimal
 * response parser (status line, Content-Length or chunked body): the client's own cost stays small
 * next to the server's.
 */
public final class OtlpHttpLoad implements AutoCloseable {

  private static final int HEADER_ROOM = 256;

  /** What the load got answered so far. */
  public record Counts(long requests, long spans, long refused, long errors) {
    public Counts minus(Counts earlier) {
      return new Counts(
          requests - earlier.requests,
          spans - earlier.spans,
          refused - earlier.refused,
          errors - earlier.errors);
    }
  }

  private final IngestWorkload workload;
  private final String host;
  private final int port;
  private final AtomicLong next;
  private final long limit;
  private final LongAdder requests = new LongAdder();
  private final LongAdder spans = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  private OtlpHttpLoad(
      IngestWorkload workload, String host, int port, long firstRequest, long limit) {
    this.workload = workload;
    this.host = host;
    this.port = port;
    this.next = new AtomicLong(firstRequest);
    this.limit = limit;
  }

  /**
   * Starts {@code connections} connections to {@code host:port}, sending from request {@code
   * firstRequest} on.
   */
  public static OtlpHttpLoad start(
      IngestWorkload workload, String host, int port, int connections, long firstRequest) {
    return start(workload, host, port, connections, firstRequest, Long.MAX_VALUE);
  }

  /**
   * As {@link #start(IngestWorkload, String, int, int, long)}, but no request numbered {@code
   * limit} or above is sent: each connection ends once the requests up to {@code limit} are taken
   * ({@link #awaitSent}).
   */
  public static OtlpHttpLoad start(
      IngestWorkload workload,
      String host,
      int port,
      int connections,
      long firstRequest,
      long limit) {
    OtlpHttpLoad load = new OtlpHttpLoad(workload, host, port, firstRequest, limit);
    for (int i = 0; i < connections; i++) {
      Thread t = new Thread(load::connection, "otlp-load-" + i);
      t.setDaemon(true);
      load.threads.add(t);
      t.start();
    }
    return load;
  }

  public Counts counts() {
    return new Counts(requests.sum(), spans.sum(), refused.sum(), errors.sum());
  }

  /** The next request number (how many were taken so far, plus the first). */
  public long nextRequest() {
    return next.get();
  }

  /** The first error seen (status or exception), or null. */
  public String firstError() {
    return firstError.get();
  }

  private void connection() {
    byte[] buf = new byte[HEADER_ROOM + workload.maxRequestBytes()];
    byte[] response = new byte[16 * 1024];
    int spansPerRequest = workload.spansPerRequest();
    String hostHeader = host + ":" + port;
    while (running) {
      try (Socket socket = new Socket()) {
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 2000);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        boolean keepAlive = true;
        while (running && keepAlive) {
          long k = next.getAndIncrement();
          if (k >= limit) {
            return; // every request up to the limit is taken
          }
          int length = workload.write(k, buf, HEADER_ROOM);
          byte[] header =
              ("POST /v1/traces HTTP/1.1\r\nHost: "
                      + hostHeader
                      + "\r\nContent-Type: application/x-protobuf\r\nContent-Length: "
                      + length
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII);
          int start = HEADER_ROOM - header.length;
          System.arraycopy(header, 0, buf, start, header.length);
          out.write(buf, start, header.length + length);
          Response r = read(in, response);
          keepAlive = r.keepAlive;
          if (r.status / 100 == 2) {
            requests.increment();
            spans.add(spansPerRequest);
          } else if (r.status == 429 || r.status == 503) {
            refused.increment();
            pause(5);
          } else {
            errors.increment();
            firstError.compareAndSet(null, "HTTP " + r.status + " from " + hostHeader);
            keepAlive = false;
          }
        }
      } catch (IOException e) {
        if (running) {
          errors.increment();
          firstError.compareAndSet(null, e.toString());
          pause(50);
        }
      }
    }
  }

  private record Response(int status, boolean keepAlive) {}

  /** Reads one response (status line, headers, body) from {@code in}. */
  private static Response read(InputStream in, byte[] buf) throws IOException {
    int filled = 0;
    int headerEnd = -1;
    while (headerEnd < 0) {
      if (filled == buf.length) {
        throw new IOException("response header larger than " + buf.length + " bytes");
      }
      int n = in.read(buf, filled, buf.length - filled);
      if (n < 0) {
        throw new IOException("connection closed before a response");
      }
      int from = Math.max(0, filled - 3);
      filled += n;
      for (int i = from; i + 3 < filled; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
          headerEnd = i + 4;
          break;
        }
      }
    }
    String head = new String(buf, 0, headerEnd, StandardCharsets.ISO_8859_1);
    String[] lines = head.split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x response: " + lines[0]);
    }
    int status = Integer.parseInt(statusLine[1]);
    long contentLength = -1;
    boolean chunked = false;
    boolean keepAlive = statusLine[0].equals("HTTP/1.1");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> contentLength = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> keepAlive = !value.equalsIgnoreCase("close");
        default -> {}
      }
    }
    Body body = new Body(in, buf, headerEnd, filled);
    if (chunked) {
      while (true) {
        String sizeLine = body.line();
        int semicolon = sizeLine.indexOf(';');
        long size =
            Long.parseLong(
                (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
        if (size == 0) {
          while (!body.line().isEmpty()) {
            // trailers
          }
          break;
        }
        body.skip(size);
        body.line();
      }
    } else if (contentLength > 0) {
      body.skip(contentLength);
    } else if (contentLength < 0 && status != 204 && status != 304) {
      keepAlive = false; // the body runs to the end of the connection: not read
    }
    return new Response(status, keepAlive);
  }

  /** The rest of a response after its header: what is already in the buffer, then the stream. */
  private static final class Body {
    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int filled;

    Body(InputStream in, byte[] buf, int pos, int filled) {
      this.in = in;
      this.buf = buf;
      this.pos = pos;
      this.filled = filled;
    }

    private int next() throws IOException {
      if (pos == filled) {
        filled = in.read(buf, 0, buf.length);
        pos = 0;
        if (filled < 0) {
          throw new IOException("connection closed in a response body");
        }
      }
      return buf[pos++] & 0xff;
    }

    void skip(long n) throws IOException {
      for (long i = 0; i < n; i++) {
        next();
      }
    }

    String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      int c;
      while ((c = next()) != '\n') {
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits until every connection has ended (with a {@code limit}: all requests below it sent and
   * answered); false when {@code timeout} passed first.
   */
  public boolean awaitSent(java.time.Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return false;
      }
      try {
        t.join(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** Stops every connection (each finishes the request it is in, at most its read timeout). */
  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(35_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
