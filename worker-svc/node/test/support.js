// SPDX-License-Identifier: Apache-2.0

/** Test helpers: a worker on a free loopback port with a recording producer, and an HTTP client. */
import { startWorker } from '../src/worker-service.js';
import { telemetry } from './instrument.js';

/** @typedef {{ send(order: object): Promise<void>, close(): Promise<void> }} Producer */

/**
 * A producer that records what it is given; `failWith` makes every send reject.
 *
 * @param {{ failWith?: Error }} [options]
 */
export function recordingProducer({ failWith } = {}) {
  const sent = [];
  let notify = () => {};
  return {
    sent,
    /** Resolves once `count` orders were sent. */
    waitForSent(count) {
      return sent.length >= count
        ? Promise.resolve(sent)
        : new Promise((resolve) => {
            notify = () => sent.length >= count && resolve(sent);
          });
    },
    async send(order) {
      if (failWith) {
        throw failWith;
      }
      sent.push(order);
      notify();
    },
    async close() {},
  };
}

/**
 * Starts the worker on 127.0.0.1 and a free port.
 *
 * @param {{ variant?: 'fixed'|'broken', producer?: Producer, shutdownGraceMs?: number, ackTimeoutMs?: number,
 *   deferredLoops?: number }} [options]
 */
export function startTestWorker({ variant = 'fixed', producer = recordingProducer(), shutdownGraceMs, ackTimeoutMs, deferredLoops } = {}) {
  return startWorker({ bindHost: '127.0.0.1', port: 0, variant }, telemetry, producer, { shutdownGraceMs, ackTimeoutMs, deferredLoops });
}

/**
 * POSTs `body` (a string is sent as is, anything else as JSON) and reads the answer.
 *
 * @returns {Promise<{ status: number, contentType: string | null, json: any }>}
 */
export async function post(worker, path, body, headers = {}) {
  const response = await fetch(`http://127.0.0.1:${worker.port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), json: await response.json() };
}

/** @returns {Promise<{ status: number, contentType: string | null, json: any }>} */
export async function get(worker, path) {
  const response = await fetch(`http://127.0.0.1:${worker.port}${path}`);
  return { status: response.status, contentType: response.headers.get('content-type'), json: await response.json() };
}

/** @type {Readonly<import('../src/order.js').Order>} */
export const ORDER = Object.freeze({ orderId: 'order-1', sku: 'ABC-1', quantity: 2, fail: false, delayMs: 0 });
