// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

/**
 * Why one orphan span is an orphan, and where the fix belongs (docs/design.md §4).
 *
 * @param boundary {@code http}, {@code async}, {@code kafka}, {@code missing-parent} or {@code
 *     unknown}
 */
public record Diagnosis(String boundary, String service, String span, String fix) {}
