// SPDX-License-Identifier: Apache-2.0

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowlistFor, originPattern, propagatesTo } from '../src/propagation.js';

const config = { apiOrigin: 'http://127.0.0.1:4001', analyticsUrl: 'http://127.0.0.1:4002/collect' };
const page = 'http://127.0.0.1:4000';

function targets(variant) {
  const allowlist = allowlistFor(variant, config);
  return {
    sameOrigin: propagatesTo('/orders', page, allowlist),
    api: propagatesTo('http://127.0.0.1:4001/orders', page, allowlist),
    analytics: propagatesTo(config.analyticsUrl, page, allowlist),
  };
}

test('fixed: same origin and the API origin get the trace context, the third party does not', () => {
  assert.deepEqual(targets('fixed'), { sameOrigin: true, api: true, analytics: false });
});

test('leak: the catch-all allowlist sends the trace context to the third party too', () => {
  assert.deepEqual(targets('leak'), { sameOrigin: true, api: true, analytics: true });
});

test('missing-entry: only the same origin gets it; the API origin is not listed', () => {
  assert.deepEqual(targets('missing-entry'), { sameOrigin: true, api: false, analytics: false });
});

test('the origin pattern matches that origin exactly: no other port, no longer host', () => {
  const p = originPattern('http://127.0.0.1:4001');
  assert.equal(p.test('http://127.0.0.1:4001/orders'), true);
  assert.equal(p.test('http://127.0.0.1:4001'), true);
  assert.equal(p.test('http://127.0.0.1:40011/orders'), false);
  assert.equal(p.test('http://127.0.0.1:4001.evil.test/orders'), false);
  assert.equal(p.test('https://127.0.0.1:4001/orders'), false);
  assert.equal(p.test('http://127x0x0x1:4001/orders'), false);
});

test('an unknown variant is a clear error', () => {
  assert.throws(() => allowlistFor('open', config), /unknown frontend variant 'open'/);
});
