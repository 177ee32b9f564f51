// SPDX-License-Identifier: Apache-2.0

/**
 * Readiness of the worker: the broker answers a cluster description within a second. Liveness
 * (GET /health) never asks Kafka; readiness (GET /health/ready) does, so a broker restart makes
 * the worker unready, not dead. Answers are kept for half a second.
 */
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const TIMEOUT_MS = 1000;
const CACHE_MS = 500;

/** @param {string[]} brokers host:port list */
export function kafkaReadiness(brokers) {
  const admin = new Kafka({
    clientId: 'worker-svc-readiness',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: TIMEOUT_MS,
    requestTimeout: TIMEOUT_MS,
    retry: { retries: 0 },
  }).admin();
  let connected = null;
  let last = { at: 0, reason: 'not checked yet' };

  async function check() {
    try {
      connected ??= admin.connect();
      await connected;
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      });
      try {
        const cluster = await Promise.race([admin.describeCluster(), timeout]);
        return cluster.brokers.length > 0 ? null : 'Kafka cluster has no brokers';
      } finally {
        clearTimeout(timer);
      }
    } catch (e) {
      connected = null;
      await admin.disconnect().catch(() => {});
      return `Kafka unreachable: ${e.message}`;
    }
  }

  return {
    /** @returns {Promise<string|null>} null when ready, else why not */
    async notReadyReason() {
      if (Date.now() - last.at >= CACHE_MS) {
        last = { at: Date.now(), reason: await check() };
      }
      return last.reason;
    },
    async close() {
      await admin.disconnect().catch(() => {});
    },
  };
}
