// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.frontend;

import java.util.List;
import java.util.Map;

/**
 * One request an origin of the {@link FrontendServer} received, as the browser sent it.
 *
 * @param origin {@code page}, {@code api} or {@code analytics}
 * @param headers header names lower case, values as received
 */
public record ReceivedRequest(
    String origin, String method, String path, Map<String, List<String>> headers) {

  /** The first value of {@code name} (any case), or null. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  public boolean has(String name) {
    return header(name) != null;
  }

  @Override
  public String toString() {
    return origin + " " + method + " " + path + " " + headers;
  }
}
