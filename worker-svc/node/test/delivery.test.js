// SPDX-License-Identifier: Apache-2.0

/**
 * The worker's delivery at unit level (a fake client, no broker): a send that fails transiently
 * is retried until it goes through; one that keeps failing is given up after the delivery
 * timeout and counted; closing stops the retries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OrderProducer } from '../src/order-producer.js';

const ORDER = { orderId: 'o-1', sku: 'A', quantity: 1, fail: false, delayMs: 0 };

/** A kafkajs-like producer whose sends fail with the given errors first, then succeed. */
function flakyClient(...failures) {
  const client = {
    sends: [],
    connects: 0,
    async connect() {
      client.connects++;
    },
    async send(record) {
      client.sends.push(record);
      const failure = failures.shift();
      if (failure) {
        throw failure;
      }
    },
    async disconnect() {},
  };
  return client;
}

describe('order producer delivery', () => {
  it('retries a send across a transient failure', async () => {
    const client = flakyClient(new Error('Connection error: connect ECONNREFUSED'), new Error('This server is not the leader'));
    const producer = new OrderProducer([], { client, initialBackoffMs: 1 });

    await producer.send(ORDER);

    assert.equal(client.sends.length, 3);
    assert.deepEqual(client.sends[2], {
      topic: 'orders',
      acks: -1,
      messages: [{ key: 'o-1', value: JSON.stringify(ORDER) }],
    });
    assert.deepEqual(producer.counts(), { acknowledged: 1, sendFailures: 0, pending: 0 });
  });

  it('retries a failed connect too', async () => {
    let connects = 0;
    const client = flakyClient();
    client.connect = async () => {
      if (++connects === 1) {
        throw new Error('broker down');
      }
    };
    const producer = new OrderProducer([], { client, initialBackoffMs: 1 });

    await producer.send(ORDER);

    assert.equal(connects, 2);
    assert.deepEqual(producer.counts(), { acknowledged: 1, sendFailures: 0, pending: 0 });
  });

  it('gives up after the delivery timeout and counts the failure', async () => {
    const down = () => new Error('Connection error: connect ECONNREFUSED');
    const client = flakyClient(...Array.from({ length: 100 }, down));
    const producer = new OrderProducer([], { client, deliveryTimeoutMs: 30, initialBackoffMs: 4, maxBackoffMs: 8 });

    await assert.rejects(producer.send(ORDER), /ECONNREFUSED \(gave up after \d+ attempts\)/);

    assert.ok(client.sends.length > 1 && client.sends.length < 100, `${client.sends.length} attempts`);
    assert.deepEqual(producer.counts(), { acknowledged: 0, sendFailures: 1, pending: 0 });
  });

  it('stops retrying when closed', async () => {
    const client = flakyClient(...Array.from({ length: 100 }, () => new Error('broker down')));
    const producer = new OrderProducer([], { client, deliveryTimeoutMs: 120_000, initialBackoffMs: 60_000 });

    const sending = producer.send(ORDER);
    await new Promise((resolve) => setImmediate(resolve));
    await producer.close();

    await assert.rejects(sending, /broker down \(gave up after 2 attempts\)/);
    assert.deepEqual(producer.counts(), { acknowledged: 0, sendFailures: 1, pending: 0 });
  });
});
