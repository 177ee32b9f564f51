/**
 * Produces orders to topic `orders` (key = orderId, value = the order's JSON) with kafkajs.
 * The PRODUCER span `send orders` comes from @opentelemetry/instrumentation-kafkajs, which also
 * injects that span's context into the record headers (the producer half of the Kafka boundary)
 * and ends the span when the broker acknowledges the record.
 */
import kafkajs from 'kafkajs';
import { writeOrder } from './order.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

export const TOPIC = 'orders';

export class OrderProducer {
  #producer;
  /** @type {Promise<void> | null} */
  #connected = null;

  /** @param {string[]} brokers host:port list */
  constructor(brokers) {
    const kafka = new Kafka({
      clientId: 'worker-svc',
      brokers,
      logLevel: logLevel.WARN,
      retry: { retries: 5 },
    });
    this.#producer = kafka.producer({
      // murmur2 on the key, as the Java client partitions (and no kafkajs warning about it)
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
  }

  /** Connects on first use, so the service answers /health before the broker is reachable. */
  async send(order) {
    await this.#connect();
    await this.#producer.send({
      topic: TOPIC,
      acks: -1,
      messages: [{ key: order.orderId, value: writeOrder(order) }],
    });
  }

  async close() {
    if (this.#connected !== null) {
      await this.#producer.disconnect();
      this.#connected = null;
    }
  }

  #connect() {
    this.#connected ??= this.#producer.connect().catch((e) => {
      this.#connected = null; // the next order tries again
      throw e;
    });
    return this.#connected;
  }
}
