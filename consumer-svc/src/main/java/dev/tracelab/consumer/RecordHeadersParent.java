// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import dev.tracelab.kafka.RecordParent;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * FIX for the Kafka boundary (consumer side). Extracts the producer's context from the record
 * headers and returns it as the PARENT of the process span.
 *
 * <p>Why a parent and not only a link: this service processes each record on its own, so the
 * messaging semantic conventions let the process span be a child of the message's creation context;
 * that keeps one request one trace, which is what a reader of the trace (and the lab's
 * connected-request check) expects. Links are for batch processing, where one span handles records
 * from many traces and can have only one parent. The defect this replaces is {@code
 * broken-variants/src/main/java/dev/tracelab/broken/IgnoredRecordHeaders.java}.
 */
final class RecordHeadersParent implements RecordParent {

  private final TextMapPropagator propagator;

  private RecordHeadersParent(OpenTelemetry otel) {
    this.propagator = otel.getPropagators().getTextMapPropagator();
  }

  static RecordHeadersParent create(OpenTelemetry otel) {
    return new RecordHeadersParent(otel);
  }

  @Override
  public Context parentOf(ConsumerRecord<String, String> record) {
    // tracelab:exercise kafka begin
    return propagator.extract(Context.root(), record.headers(), RecordHeaders.INSTANCE);
    // tracelab:exercise kafka end
  }

  /** Reads propagation headers from a record (last value wins); null-safe, stateless. */
  enum RecordHeaders implements TextMapGetter<Headers> {
    INSTANCE;

    @Override
    public Iterable<String> keys(Headers carrier) {
      List<String> keys = new ArrayList<>();
      if (carrier != null) {
        for (Header header : carrier) {
          keys.add(header.key());
        }
      }
      return keys;
    }

    @Override
    public String get(Headers carrier, String key) {
      if (carrier == null || key == null) {
        return null;
      }
      Header header = carrier.lastHeader(key);
      return header == null || header.value() == null
          ? null
          : new String(header.value(), StandardCharsets.UTF_8);
    }
  }
}
