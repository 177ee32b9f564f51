// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.trace;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the distinct {@code service} label values the auditor keeps figures under: the first
 * {@code max} service names seen keep their own label, every later one is counted as {@link
 * #OTHER}, so a flood of made-up {@code service.name} values cannot grow {@code /metrics} or the
 * report without bound. Thread-safe; never forgets a name it admitted.
 */
public final class ServiceLabels {

  public static final String OTHER = "other";
  public static final int DEFAULT_MAX = 50;

  private final int max;
  private final Set<String> admitted = ConcurrentHashMap.newKeySet();

  /** {@code known} (the lab's services) are admitted first and count toward {@code max}. */
  public ServiceLabels(int max, Collection<String> known) {
    if (max < 1) {
      throw new IllegalArgumentException("at least one service label: " + max);
    }
    this.max = max;
    for (String s : known) {
      if (admitted.size() < max) {
        admitted.add(s);
      }
    }
  }

  /** The label for {@code service}: its own name while there is room, else {@link #OTHER}. */
  public String label(String service) {
    if (admitted.contains(service)) {
      return service;
    }
    synchronized (this) {
      if (admitted.contains(service)) {
        return service;
      }
      if (admitted.size() < max) {
        admitted.add(service);
        return service;
      }
    }
    return OTHER;
  }

  public int max() {
    return max;
  }
}
