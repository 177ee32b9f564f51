// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.kafka;

import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * Writes propagation headers into a Kafka record's headers, replacing any header of the same key (a
 * record re-sent, e.g. to the dead-letter topic, must not carry two {@code traceparent}s).
 * Null-safe and stateless; used by every producer of the lab (the worker, the consumer's
 * dead-letter sender).
 */
public enum KafkaHeadersSetter implements TextMapSetter<Headers> {
  INSTANCE;

  @Override
  public void set(Headers carrier, String key, String value) {
    if (carrier != null && key != null && value != null) {
      carrier.remove(key);
      carrier.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
  }
}
