// SPDX-License-Identifier: Apache-2.0

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readOrder, writeOrder } from '../src/order.js';

describe('order JSON', () => {
  it('writes the record value field for field as the Java worker does', () => {
    assert.equal(
      writeOrder({ delayMs: 250, fail: true, quantity: 2, sku: 'ABC-1', orderId: 'o-1', extra: 'dropped' }),
      '{"orderId":"o-1","sku":"ABC-1","quantity":2,"fail":true,"delayMs":250}',
    );
  });

  it('reads a valid order, fail and delayMs defaulting to false and 0', () => {
    assert.deepEqual(readOrder('{"orderId":"o-1","sku":"ABC-1","quantity":2,"unknown":1}'), {
      order: { orderId: 'o-1', sku: 'ABC-1', quantity: 2, fail: false, delayMs: 0 },
    });
  });

  it('reads the boundary values', () => {
    const body = { orderId: 'o', sku: 'a'.repeat(64), quantity: 1000, fail: null, delayMs: 60000 };
    assert.deepEqual(readOrder(JSON.stringify(body)).order, { ...body, fail: false });
  });

  /** @type {Array<[string, unknown, string, Array<[string, string]>]>} */
  const invalid = [
    ['not JSON', '{"orderId":', 'body is not valid JSON', []],
    ['an array', '[]', 'body must be a JSON object', []],
    ['null', 'null', 'body must be a JSON object', []],
    ['no orderId', { sku: 'ABC-1', quantity: 2 }, 'invalid field(s): orderId', [['orderId', 'is required']]],
    ['a blank orderId', { orderId: ' ', sku: 'ABC-1', quantity: 2 }, 'invalid field(s): orderId', [['orderId', 'must be a non-empty string']]],
    ['a numeric orderId', { orderId: 7, sku: 'ABC-1', quantity: 2 }, 'invalid field(s): orderId', [['orderId', 'must be a non-empty string']]],
    ['no sku', { orderId: 'o', quantity: 2 }, 'invalid field(s): sku', [['sku', 'is required']]],
    ['a bad sku', { orderId: 'o', sku: 'ABC 1', quantity: 2 }, 'invalid field(s): sku', [['sku', 'must be 1-64 characters of A-Z, a-z, 0-9 and -']]],
    ['a 65-char sku', { orderId: 'o', sku: 'a'.repeat(65), quantity: 2 }, 'invalid field(s): sku', [['sku', 'must be 1-64 characters of A-Z, a-z, 0-9 and -']]],
    ['no quantity', { orderId: 'o', sku: 'A' }, 'invalid field(s): quantity', [['quantity', 'is required']]],
    ['quantity 0', { orderId: 'o', sku: 'A', quantity: 0 }, 'invalid field(s): quantity', [['quantity', 'must be an integer from 1 to 1000']]],
    ['quantity 1001', { orderId: 'o', sku: 'A', quantity: 1001 }, 'invalid field(s): quantity', [['quantity', 'must be an integer from 1 to 1000']]],
    ['quantity 1.5', { orderId: 'o', sku: 'A', quantity: 1.5 }, 'invalid field(s): quantity', [['quantity', 'must be an integer from 1 to 1000']]],
    ['quantity "2"', { orderId: 'o', sku: 'A', quantity: '2' }, 'invalid field(s): quantity', [['quantity', 'must be an integer from 1 to 1000']]],
    ['fail "yes"', { orderId: 'o', sku: 'A', quantity: 1, fail: 'yes' }, 'invalid field(s): fail', [['fail', 'must be true or false']]],
    ['delayMs -1', { orderId: 'o', sku: 'A', quantity: 1, delayMs: -1 }, 'invalid field(s): delayMs', [['delayMs', 'must be an integer from 0 to 60000']]],
    ['delayMs 60001', { orderId: 'o', sku: 'A', quantity: 1, delayMs: 60001 }, 'invalid field(s): delayMs', [['delayMs', 'must be an integer from 0 to 60000']]],
    [
      'every field wrong',
      { orderId: '', sku: '', quantity: -1, fail: 1, delayMs: 'x' },
      'invalid field(s): orderId, sku, quantity, fail, delayMs',
      [
        ['orderId', 'must be a non-empty string'],
        ['sku', 'must be 1-64 characters of A-Z, a-z, 0-9 and -'],
        ['quantity', 'must be an integer from 1 to 1000'],
        ['fail', 'must be true or false'],
        ['delayMs', 'must be an integer from 0 to 60000'],
      ],
    ],
  ];
  for (const [name, body, detail, fields] of invalid) {
    it(`rejects ${name}`, () => {
      const { order, problem } = readOrder(typeof body === 'string' ? body : JSON.stringify(body));
      assert.equal(order, undefined);
      assert.deepEqual(problem, {
        status: 400,
        title: 'Bad Request',
        detail,
        errors: fields.map(([field, text]) => ({ pointer: `#/${field}`, detail: `${field}: ${text}` })),
      });
    });
  }
});
