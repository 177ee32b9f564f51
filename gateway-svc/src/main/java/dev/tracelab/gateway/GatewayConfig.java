// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import dev.tracelab.flow.Variant;
import java.net.URI;
import java.time.Duration;

/**
 * @param port 0 picks a free port
 * @param bodyReadTimeout how long a request body may stall before the gateway answers 408
 */
public record GatewayConfig(
    String bindHost, int port, URI workerUrl, Variant variant, Duration bodyReadTimeout) {

  /** A stalled body is answered 408 after this long. */
  public static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(5);

  public GatewayConfig(String bindHost, int port, URI workerUrl, Variant variant) {
    this(bindHost, port, workerUrl, variant, DEFAULT_BODY_READ_TIMEOUT);
  }
}
