// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The order's JSON form on the wire (HTTP body and Kafka record value). */
public final class OrderJson {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private OrderJson() {}

  public static String write(Order order) {
    try {
      return JSON.writeValueAsString(order);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise order", e);
    }
  }

  /** Parses an order written by {@link #write}; malformed input is an IllegalArgumentException. */
  public static Order read(String json) {
    try {
      Order order = JSON.readValue(json, Order.class);
      if (order == null || order.orderId() == null || order.orderId().isBlank()) {
        throw new IllegalArgumentException("order without orderId");
      }
      return order;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed order JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The shared mapper, for callers that read loosely-typed request bodies. */
  public static ObjectMapper mapper() {
    return JSON;
  }
}
