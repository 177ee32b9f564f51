// SPDX-License-Identifier: Apache-2.0

/*
 * DEFECT (leak, frontend): the propagation allowlist is a catch-all.
 *   `propagateTraceHeaderCorsUrls: [new RegExp(".*")]` was meant to "make the cross-origin API work", and it
 *   does, but it also matches every other origin the page calls.
 * SYMPTOM: the third-party analytics endpoint receives `traceparent` (and `tracestate`,
 *   `baggage` when set): the page's trace ids, and whatever the baggage carries, leave for a
 *   party that has no business with them; its CORS preflight asks for the header first. The
 *   traces themselves stay connected, so no orphan figure shows it: only the headers the third
 *   party received do (BrowserPropagationTest checks them).
 * FIX: frontend/src/propagation.js lists the lab's API origin, exactly, and nothing else.
 * SWITCH: the frontend variant `leak` (FrontendServer variant; ./lab up --frontend leak).
 */

/** @returns {RegExp[]} an allowlist that matches every URL */
export function catchAllAllowlist(_config) {
  return [new RegExp('.*')]; // THE BUG: every origin gets the trace context, third parties included
}
