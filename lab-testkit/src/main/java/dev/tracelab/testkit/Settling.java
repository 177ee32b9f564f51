// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

/**
 * Whether the auditor has judged everything it received: no trace in flight in this poll and the
 * one before, with the same number of judged traces (a trace leaves the in-flight set just before
 * its verdict is counted, so one poll alone could read between the two).
 */
final class Settling {

  private int previousInFlight = -1;
  private long previousTraces = -1;

  boolean settled(int inFlight, long traces) {
    boolean settled = inFlight == 0 && previousInFlight == 0 && previousTraces == traces;
    previousInFlight = inFlight;
    previousTraces = traces;
    return settled;
  }
}
