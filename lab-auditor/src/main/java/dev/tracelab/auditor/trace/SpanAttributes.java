// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.trace;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The attributes of a received span, compact: keys and values in one array (a span keeps its
 * attributes as long as its trace is kept, and a {@link HashMap} of five attributes weighs four
 * times as much). Unmodifiable. It iterates in exactly the order the {@link HashMap} the decoder
 * used to build would iterate in (reports and the API print attributes in that order): {@link #of}
 * gives that map itself beyond {@value #MAX_COMPACT} attributes.
 */
public final class SpanAttributes extends AbstractMap<String, String> {

  /** Up to this many attributes sent, the compact form; beyond, a HashMap. */
  static final int MAX_COMPACT = 8;

  private final Object[] keyValues; // key, value, key, value... in HashMap iteration order

  private SpanAttributes(Object[] keyValues) {
    this.keyValues = keyValues;
  }

  /**
   * The map {@code new HashMap<>(count * 2 + 1)} holds after {@code put(keys[i], values[i])} for
   * each i in order, then {@code putIfAbsent("learner", learner)} when {@code learner} is not null:
   * the same entries, iterated in the same order.
   */
  public static Map<String, String> of(String[] keys, String[] values, int count, String learner) {
    if (count > MAX_COMPACT) {
      Map<String, String> map = new HashMap<>(count * 2 + 1);
      for (int i = 0; i < count; i++) {
        map.put(keys[i], values[i]);
      }
      if (learner != null) {
        map.putIfAbsent(ReceivedSpan.LEARNER, learner);
      }
      return map;
    }
    Object[] kv = new Object[2 * (count + (learner != null ? 1 : 0))];
    int n = 0;
    for (int i = 0; i < count; i++) {
      int at = indexOf(kv, n, keys[i]);
      if (at >= 0) {
        kv[at + 1] = values[i]; // put: a key sent again keeps its place, takes the last value
      } else {
        kv[2 * n] = keys[i];
        kv[2 * n + 1] = values[i];
        n++;
      }
    }
    if (learner != null && indexOf(kv, n, ReceivedSpan.LEARNER) < 0) {
      kv[2 * n] = ReceivedSpan.LEARNER;
      kv[2 * n + 1] = learner;
      n++;
    }
    // HashMap's order: by bucket of its table (never resized here: at most count + 1 entries in a
    // table of at least 2 * count + 1), in insertion order within a bucket (no bin of 8 can form)
    int mask = tableSizeFor(count * 2 + 1) - 1;
    for (int i = 1; i < n; i++) { // stable insertion sort by bucket
      Object k = kv[2 * i];
      Object v = kv[2 * i + 1];
      int bucket = bucket(k, mask);
      int j = i - 1;
      while (j >= 0 && bucket(kv[2 * j], mask) > bucket) {
        kv[2 * j + 2] = kv[2 * j];
        kv[2 * j + 3] = kv[2 * j + 1];
        j--;
      }
      kv[2 * j + 2] = k;
      kv[2 * j + 3] = v;
    }
    if (2 * n != kv.length) {
      kv = java.util.Arrays.copyOf(kv, 2 * n);
    }
    return new SpanAttributes(kv);
  }

  /** Keys and values already in iteration order (key, value, key, value...). */
  static Map<String, String> ordered(Object[] keyValues) {
    return new SpanAttributes(keyValues);
  }

  /** The bucket of HashMap's table (hash spread as HashMap.hash spreads it). */
  private static int bucket(Object key, int mask) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & mask;
  }

  private static int indexOf(Object[] kv, int n, String key) {
    int h = key.hashCode();
    for (int i = 0; i < n; i++) {
      Object k = kv[2 * i];
      if (k == key || (k.hashCode() == h && k.equals(key))) {
        return 2 * i;
      }
    }
    return -1;
  }

  /** HashMap.tableSizeFor: the table a HashMap of this initial capacity allocates. */
  static int tableSizeFor(int capacity) {
    int n = -1 >>> Integer.numberOfLeadingZeros(capacity - 1);
    return (n < 0) ? 1 : (n >= 1 << 30) ? 1 << 30 : n + 1;
  }

  @Override
  public String get(Object key) {
    int at = find(key);
    return at < 0 ? null : (String) keyValues[at + 1];
  }

  @Override
  public boolean containsKey(Object key) {
    return find(key) >= 0;
  }

  private int find(Object key) {
    if (key == null) {
      return -1;
    }
    int h = key.hashCode();
    Object[] kv = keyValues;
    for (int i = 0; i < kv.length; i += 2) {
      Object k = kv[i];
      if (k == key || (k.hashCode() == h && k.equals(key))) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public int size() {
    return keyValues.length / 2;
  }

  @Override
  public boolean isEmpty() {
    return keyValues.length == 0;
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < keyValues.length;
          }

          @Override
          public Entry<String, String> next() {
            if (i >= keyValues.length) {
              throw new NoSuchElementException();
            }
            Entry<String, String> entry =
                new SimpleImmutableEntry<>((String) keyValues[i], (String) keyValues[i + 1]);
            i += 2;
            return entry;
          }
        };
      }

      @Override
      public int size() {
        return keyValues.length / 2;
      }
    };
  }
}
