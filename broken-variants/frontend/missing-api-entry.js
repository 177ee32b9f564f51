// SPDX-License-Identifier: Apache-2.0

/*
 * DEFECT (cors, frontend): the cross-origin API is missing from the propagation allowlist.
 *   The page moved its API to another origin (another port here) and nobody added that origin to
 *   `propagateTraceHeaderCorsUrls`; the fetch instrumentation then, correctly, keeps the trace
 *   context to itself.
 * SYMPTOM: the API's POST /orders arrives without `traceparent`: the gateway's SERVER span
 *   "POST /orders" starts a NEW trace. One request = two traces: {frontend POST} and
 *   {gateway POST /orders ... process orders}. The auditor reports the gateway span as an
 *   orphan root, boundary cors, with this fix.
 * FIX: frontend/src/propagation.js lists the API origin; the API answers the CORS preflight with
 *   `Access-Control-Allow-Headers: traceparent, tracestate`.
 * SWITCH: the frontend variant `missing-entry` (./lab up --frontend missing-entry).
 */

/** @returns {RegExp[]} an allowlist without the API's origin */
export function missingApiEntry(_config) {
  return []; // THE BUG: the API's origin is not listed, so requests to it carry no trace context
}
