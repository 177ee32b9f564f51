// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The default budget for requests in flight (no AUDITOR_MAX_INFLIGHT_MB) on heaps of every size: a
 * container with -XX:MaxRAMPercentage=50 on a 23 GiB machine has an 11.5 GiB heap, whose quarter is
 * over the 2 GiB the budget can count, and the auditor refused to start.
 */
class DefaultMemoryBudgetTest {

  private static final long GIB = 1024L * 1024 * 1024;
  private static final long WORST = Auditor.worstRequestBytes(16 * 1024 * 1024, 64 * 1024 * 1024);

  @Test
  void aQuarterOfAnOrdinaryHeap() {
    assertThat(Auditor.defaultMemoryBudget(WORST, 4 * GIB)).isEqualTo(GIB);
  }

  @Test
  void atLeastOneWorstCaseRequestOnASmallHeap() {
    assertThat(Auditor.defaultMemoryBudget(WORST, 256L * 1024 * 1024)).isEqualTo(WORST);
  }

  @Test
  void cappedAtWhatTheBudgetCanCountOnALargeHeap() {
    assertThat(Auditor.defaultMemoryBudget(WORST, (long) (11.5 * GIB)))
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(Auditor.defaultMemoryBudget(WORST, 64 * GIB)).isEqualTo(Integer.MAX_VALUE);
  }
}
