// SPDX-License-Identifier: Apache-2.0

/*
 * Which cross-origin URLs may receive the trace context (traceparent, tracestate).
 *
 * The fetch instrumentation always propagates to the page's own origin. To any other origin it
 * propagates only when the URL matches an entry of `propagateTraceHeaderCorsUrls`, and the browser
 * then sends a CORS preflight that the other origin must answer with
 * `Access-Control-Allow-Headers: traceparent, tracestate`. The allowlist names the lab's API
 * origin exactly, nothing else: a third party (the analytics endpoint) never learns the trace.
 *
 * The two defects this replaces live in broken-variants/frontend/.
 */
import { catchAllAllowlist } from '@tracelab/broken-variants-frontend/catch-all-allowlist';
import { missingApiEntry } from '@tracelab/broken-variants-frontend/missing-api-entry';

/** The page's variants: `fixed`, and the two defects. */
export const VARIANTS = Object.freeze(['fixed', 'leak', 'missing-entry']);

/** A RegExp matching exactly the URLs under `origin` (scheme, host and port; nothing longer). */
export function originPattern(origin) {
  const normalized = new URL(origin).origin; // throws on a malformed origin
  const escaped = normalized.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^${escaped}(?:/|$)`);
}

/** The fix: the lab's API origin, and only it. */
export function apiOnlyAllowlist(config) {
  // tracelab:exercise cors begin
  return [originPattern(config.apiOrigin)];
  // tracelab:exercise cors end
}

/** The allowlist of `variant` (`fixed`, `leak`, `missing-entry`) for the page's `config`. */
export function allowlistFor(variant, config) {
  switch (variant ?? 'fixed') {
    case 'fixed':
      return apiOnlyAllowlist(config);
    case 'leak':
      return catchAllAllowlist(config);
    case 'missing-entry':
      return missingApiEntry(config);
    default:
      throw new Error(`unknown frontend variant '${variant}' (expected one of ${VARIANTS.join(', ')})`);
  }
}

/**
 * Whether the trace context goes with a request to `url` from a page at `pageOrigin`: the rule
 * the fetch instrumentation applies (same origin always; another origin only on the allowlist).
 */
export function propagatesTo(url, pageOrigin, allowlist) {
  const target = new URL(url, pageOrigin);
  if (target.origin === new URL(pageOrigin).origin) {
    return true;
  }
  return allowlist.some((entry) =>
    typeof entry === 'string' ? entry === target.href : entry.test(target.href));
}
