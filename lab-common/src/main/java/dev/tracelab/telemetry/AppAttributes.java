// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.telemetry;

import io.opentelemetry.api.common.AttributeKey;

/** The lab's own span attributes. */
public final class AppAttributes {

  /** On every span of the flow, so the fragments of one request can be found by order. */
  public static final AttributeKey<String> ORDER_ID = AttributeKey.stringKey("app.order_id");

  private AppAttributes() {}
}
