// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for tests that must control the exact header lines on the wire
 * (name case, the same field twice, an empty field), which a real HTTP client normalises.
 */
final class RawHttp {

  /** A response: status code and its header fields in order, names exactly as sent. */
  record Response(int status, List<Map.Entry<String, String>> headers) {

    /** Values of every field named {@code name}, compared case-insensitively. */
    List<String> values(String name) {
      return headers.stream()
          .filter(h -> h.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
          .map(Map.Entry::getValue)
          .toList();
    }

    /** Names of the fields named {@code name} case-insensitively, as they were on the wire. */
    List<String> namesOnWire(String name) {
      return headers.stream().map(Map.Entry::getKey).filter(k -> k.equalsIgnoreCase(name)).toList();
    }
  }

  private RawHttp() {}

  /** Sends {@code method path} with {@code headerLines} ("Name: value") and an empty body. */
  static Response send(int port, String method, String path, List<String> headerLines)
      throws IOException {
    StringBuilder request = new StringBuilder();
    request.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    request.append("Host: 127.0.0.1:").append(port).append("\r\n");
    for (String line : headerLines) {
      request.append(line).append("\r\n");
    }
    request.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return parse(readAll(socket.getInputStream()));
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    in.transferTo(bytes);
    return bytes.toString(StandardCharsets.ISO_8859_1);
  }

  private static Response parse(String raw) {
    int end = raw.indexOf("\r\n\r\n");
    String[] lines = raw.substring(0, end < 0 ? raw.length() : end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(Map.entry(lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()));
    }
    return new Response(status, headers);
  }
}
