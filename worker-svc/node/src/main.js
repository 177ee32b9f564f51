// SPDX-License-Identifier: Apache-2.0

/**
 * `node --import ./src/instrument.js src/main.js` (npm start). Environment: PORT (8081),
 * BIND_HOST (0.0.0.0), KAFKA_BOOTSTRAP_SERVERS (127.0.0.1:9092), TRACELAB_VARIANT (fixed|broken)
 * and the standard OTEL_* variables. A bad setting is a one-line error and exit code 2. SIGTERM or
 * SIGINT stops the server, lets deferred work finish, closes the producer and flushes the spans.
 */
import { telemetry } from './instrument.js';
import { ConfigError, readConfig } from './config.js';
import { kafkaReadiness } from './kafka-readiness.js';
import { OrderProducer } from './order-producer.js';
import { startWorker } from './worker-service.js';

let config;
try {
  config = readConfig();
} catch (e) {
  if (!(e instanceof ConfigError)) {
    throw e;
  }
  console.error(`worker-svc: ${e.message}`);
  process.exit(2);
}

let worker;
try {
  worker = await startWorker(config, telemetry, new OrderProducer(config.kafkaBootstrapServers), {
    readiness: kafkaReadiness(config.kafkaBootstrapServers),
  });
} catch (e) {
  console.error(`worker-svc: cannot start on ${config.bindHost}:${config.port}: ${e.message}`);
  await telemetry.shutdown();
  process.exit(1);
}
console.log(`worker-svc (${config.variant}) listening on ${config.bindHost}:${worker.port}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    if (stopping) {
      return;
    }
    stopping = true;
    try {
      await worker.close();
    } catch (e) {
      console.error(`worker-svc: error while stopping: ${e}`);
    } finally {
      await telemetry.shutdown();
    }
    process.exit(0);
  });
}
