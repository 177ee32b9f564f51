// SPDX-License-Identifier: Apache-2.0

/**
 * One order as it travels gateway -> worker -> Kafka -> consumer, and its JSON form on the wire
 * (the POST /work body and the Kafka record value). The worker checks the same rules as the
 * gateway (an order reaches it already validated; a direct caller gets the same answers), plus
 * the orderId the gateway adds.
 */
import { badRequest, fieldError } from './problem.js';

/** @typedef {{ orderId: string, sku: string, quantity: number, fail: boolean, delayMs: number }} Order */

export const MAX_BODY_BYTES = 16 * 1024;
const SKU = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Parses and validates a POST /work body; every invalid field is reported, not just the first.
 *
 * @param {string} body
 * @returns {{ order: Order, problem?: undefined } | { order?: undefined, problem: ReturnType<typeof badRequest> }}
 */
export function readOrder(body) {
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    return { problem: badRequest('body is not valid JSON') };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { problem: badRequest('body must be a JSON object') };
  }
  const errors = [];
  const { orderId, sku, quantity, fail, delayMs } = json;
  if (orderId === undefined || orderId === null) {
    errors.push(fieldError('orderId', 'is required'));
  } else if (typeof orderId !== 'string' || orderId.trim() === '') {
    errors.push(fieldError('orderId', 'must be a non-empty string'));
  }
  if (sku === undefined || sku === null) {
    errors.push(fieldError('sku', 'is required'));
  } else if (typeof sku !== 'string' || !SKU.test(sku)) {
    errors.push(fieldError('sku', 'must be 1-64 characters of A-Z, a-z, 0-9 and -'));
  }
  if (quantity === undefined || quantity === null) {
    errors.push(fieldError('quantity', 'is required'));
  } else if (!isIntegerIn(quantity, 1, 1000)) {
    errors.push(fieldError('quantity', 'must be an integer from 1 to 1000'));
  }
  if (fail !== undefined && fail !== null && typeof fail !== 'boolean') {
    errors.push(fieldError('fail', 'must be true or false'));
  }
  if (delayMs !== undefined && delayMs !== null && !isIntegerIn(delayMs, 0, 60_000)) {
    errors.push(fieldError('delayMs', 'must be an integer from 0 to 60000'));
  }
  if (errors.length > 0) {
    const fields = errors.map((e) => e.pointer.slice(2)).join(', ');
    return { problem: badRequest(`invalid field(s): ${fields}`, errors) };
  }
  return { order: { orderId, sku, quantity, fail: fail ?? false, delayMs: delayMs ?? 0 } };
}

/** The record value: the same JSON, field for field and in the same order, as the Java OrderJson. */
export function writeOrder(order) {
  const { orderId, sku, quantity, fail, delayMs } = order;
  return JSON.stringify({ orderId, sku, quantity, fail, delayMs });
}

function isIntegerIn(value, min, max) {
  return Number.isInteger(value) && value >= min && value <= max;
}
