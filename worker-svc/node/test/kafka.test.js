// SPDX-License-Identifier: Apache-2.0

/**
 * Against a real broker, only when KAFKA_BOOTSTRAP_SERVERS is set (topic `orders` is created if
 * missing): the worker's three spans, and the record the consumer side receives.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import kafkajs from 'kafkajs';
import { OrderProducer, TOPIC } from '../src/order-producer.js';
import { spans } from './instrument.js';
import { ORDER, post, startTestWorker } from './support.js';

const brokers = (process.env.KAFKA_BOOTSTRAP_SERVERS ?? '').split(',').filter((b) => b.trim() !== '');

describe('real Kafka', { skip: brokers.length === 0 && 'KAFKA_BOOTSTRAP_SERVERS is not set' }, () => {
  const kafka = new kafkajs.Kafka({ clientId: 'worker-svc-test', brokers, logLevel: kafkajs.logLevel.WARN });
  let worker;
  before(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    worker = await startTestWorker({ producer: new OrderProducer(brokers) });
  });
  after(() => worker?.close());

  it('produces the order in send orders, a child of order.prepare, with the context in the headers', async () => {
    spans.reset();
    const order = { ...ORDER, orderId: randomUUID(), delayMs: 5 };
    assert.equal((await post(worker, '/work', order)).status, 202);

    const finished = [...(await spans.waitFor(3, 30_000))];
    assert.equal(finished.length, 3);
    const byName = Object.fromEntries(finished.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['POST /work', 'order.prepare', 'send orders']);
    const [server, deferred, send] = [byName['POST /work'], byName['order.prepare'], byName['send orders']];
    assert.deepEqual([server.kind, deferred.kind, send.kind], [SpanKind.SERVER, SpanKind.INTERNAL, SpanKind.PRODUCER]);
    assert.equal(server.parentSpanContext, undefined);
    assert.equal(deferred.parentSpanContext.spanId, server.spanContext().spanId);
    assert.equal(send.parentSpanContext.spanId, deferred.spanContext().spanId);
    assert.equal(new Set(finished.map((s) => s.spanContext().traceId)).size, 1);
    for (const span of finished) {
      assert.equal(span.attributes['app.order_id'], order.orderId, span.name);
    }
    assert.equal(send.attributes['messaging.system'], 'kafka');
    assert.equal(send.attributes['messaging.destination.name'], 'orders');
    assert.equal(send.attributes['messaging.operation.type'], 'send');
    assert.equal(send.attributes['messaging.kafka.message.key'], order.orderId);

    const record = await consumeRecord(order.orderId);
    assert.equal(record.value, JSON.stringify(order));
    assert.equal(record.traceparent, `00-${send.spanContext().traceId}-${send.spanContext().spanId}-01`);
  });

  /** Reads topic `orders` from the start, in a fresh group, until the record keyed `key`. */
  async function consumeRecord(key) {
    const consumer = kafka.consumer({ groupId: `worker-svc-test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    try {
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no record keyed ${key} within 30 s`)), 30_000);
        consumer
          .run({
            eachMessage: async ({ message }) => {
              if (message.key?.toString() === key) {
                clearTimeout(timer);
                resolve({ value: message.value.toString(), traceparent: message.headers.traceparent?.toString() });
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
  }
});
