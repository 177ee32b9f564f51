// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The compact attribute map holds and iterates exactly as the HashMap the decoder built before. */
class SpanAttributesTest {

  @Test
  void sameEntriesInTheSameOrderAsTheHashMap() {
    SplittableRandom random = new SplittableRandom(11);
    // "Aa" and "BB" share a hash code: equal buckets keep insertion order
    String[] pool = {
      "Aa",
      "BB",
      "AaAa",
      "BBBB",
      "AaBB",
      "app.order_id",
      "http.request.method",
      "url.path",
      "server.address",
      "messaging.system",
      "learner",
      "",
      "k1",
      "k2",
      "k17",
      "rpc.system",
      "ünï"
    };
    for (int round = 0; round < 20_000; round++) {
      int count = random.nextInt(12);
      String[] keys = new String[count];
      String[] values = new String[count];
      for (int i = 0; i < count; i++) {
        keys[i] = pool[random.nextInt(pool.length)];
        values[i] = "v" + random.nextInt(5);
      }
      String learner = random.nextInt(3) == 0 ? "alice" : null;
      Map<String, String> expected = new HashMap<>(count * 2 + 1);
      for (int i = 0; i < count; i++) {
        expected.put(keys[i], values[i]);
      }
      if (learner != null) {
        expected.putIfAbsent(ReceivedSpan.LEARNER, learner);
      }
      Map<String, String> compact = SpanAttributes.of(keys, values, count, learner);
      assertThat(new ArrayList<>(compact.entrySet()))
          .isEqualTo(new ArrayList<>(expected.entrySet()));
      assertThat(compact).isEqualTo(expected);
      assertThat(compact.hashCode()).isEqualTo(expected.hashCode());
      assertThat(compact.toString()).isEqualTo(expected.toString());
      assertThat(new ArrayList<>(compact.keySet())).isEqualTo(new ArrayList<>(expected.keySet()));
      for (String k : pool) {
        assertThat(compact.get(k)).isEqualTo(expected.get(k));
        assertThat(compact.containsKey(k)).isEqualTo(expected.containsKey(k));
      }
      assertThat(compact.get(null)).isNull();
      // a key of another type (Map.get takes Object): seen through Map<?, ?> on purpose
      assertThat(((Map<?, ?>) compact).get(42)).isNull();
    }
  }

  @Test
  void unmodifiable() {
    Map<String, String> compact =
        SpanAttributes.of(new String[] {"a"}, new String[] {"b"}, 1, null);
    assertThatThrownBy(() -> compact.put("c", "d"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(compact).containsExactly(Map.entry("a", "b"));
    assertThat(SpanAttributes.of(new String[0], new String[0], 0, null)).isEmpty();
    assertThat(List.copyOf(SpanAttributes.of(new String[0], new String[0], 0, "x").values()))
        .containsExactly("x");
  }
}
