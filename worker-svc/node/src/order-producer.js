// SPDX-License-Identifier: Apache-2.0

/**
 * Produces orders to topic `orders` (key = orderId, value = the order's JSON) with kafkajs.
 * The PRODUCER span `send orders` comes from @opentelemetry/instrumentation-kafkajs, which also
 * injects that span's context into the record headers (the producer half of the Kafka boundary)
 * and ends the span when the broker acknowledges the record.
 *
 * Delivery: a send that fails (broker restarting, leader moving, not connected yet) is tried
 * again with exponential backoff until DELIVERY_TIMEOUT_MS after the first attempt, as the Java
 * worker's client does; each attempt is its own `send orders` span. A send still failing then is
 * counted as a send failure and rejected (the deferred work logs it with the order id, and the
 * request, which waits for the outcome, answers 503 instead of 202). A retried send may reach Kafka twice (an attempt
 * that timed out may have been written); the consumer's ledger skips the duplicate.
 */
import kafkajs from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeOrder } from './order.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

export const TOPIC = 'orders';

/**
 * How long a send is retried: as long as the request waits for the acknowledgement (the worker
 * answers 503 then), so an order the client was told is not accepted is not written later either.
 */
export const DELIVERY_TIMEOUT_MS = 5_000;

export class OrderProducer {
  #producer;
  /** @type {Promise<void> | null} */
  #connected = null;
  #deliveryTimeoutMs;
  #initialBackoffMs;
  #maxBackoffMs;
  #closing = new AbortController();
  #counts = { acknowledged: 0, sendFailures: 0, pending: 0 };

  /**
   * @param {string[]} brokers host:port list
   * @param {{ deliveryTimeoutMs?: number, initialBackoffMs?: number, maxBackoffMs?: number,
   *   client?: { connect(): Promise<void>, send(record: object): Promise<unknown>, disconnect(): Promise<void> } }} [options]
   *   client replaces the kafkajs producer (tests)
   */
  constructor(
    brokers,
    { deliveryTimeoutMs = DELIVERY_TIMEOUT_MS, initialBackoffMs = 250, maxBackoffMs = 5000, client } = {},
  ) {
    this.#deliveryTimeoutMs = deliveryTimeoutMs;
    this.#initialBackoffMs = initialBackoffMs;
    this.#maxBackoffMs = maxBackoffMs;
    this.#producer =
      client ??
      new Kafka({
        clientId: 'worker-svc',
        brokers,
        logLevel: logLevel.WARN,
        retry: { retries: 5 },
      }).producer({
        // murmur2 on the key, as the Java client partitions (and no kafkajs warning about it)
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
      });
  }

  /**
   * Connects on first use (so the service answers /health before the broker is reachable) and
   * sends, retrying as described above; rejects only when the order was given up on.
   */
  async send(order) {
    const deadline = Date.now() + this.#deliveryTimeoutMs;
    this.#counts.pending++;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#connect();
          await this.#producer.send({
            topic: TOPIC,
            acks: -1,
            messages: [{ key: order.orderId, value: writeOrder(order) }],
          });
          this.#counts.acknowledged++;
          return;
        } catch (e) {
          const backoffMs = Math.min(this.#initialBackoffMs * 2 ** (attempt - 1), this.#maxBackoffMs);
          if (this.#closing.signal.aborted || Date.now() + backoffMs > deadline) {
            this.#counts.sendFailures++;
            e.message = `${e.message} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'})`;
            throw e;
          }
          try {
            await sleep(backoffMs, undefined, { signal: this.#closing.signal });
          } catch {
            // closing: the next failure gives up
          }
        }
      }
    } finally {
      this.#counts.pending--;
    }
  }

  /** Orders the broker acknowledged, orders given up on, and sends still in progress. */
  counts() {
    return { ...this.#counts };
  }

  async close() {
    this.#closing.abort();
    if (this.#connected !== null) {
      await this.#producer.disconnect();
      this.#connected = null;
    }
  }

  #connect() {
    this.#connected ??= this.#producer.connect().catch((e) => {
      this.#connected = null; // the next attempt tries again
      throw e;
    });
    return this.#connected;
  }
}
