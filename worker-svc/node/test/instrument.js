// SPDX-License-Identifier: Apache-2.0

/**
 * Test counterpart of src/instrument.js (`node --test --import ./test/instrument.js`): the same
 * registrations, with spans going to an in-memory exporter the tests read through `spans`.
 */
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTelemetry, registerTelemetry } from '../src/telemetry.js';
import { SpanCollector } from './span-collector.js';

const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

const exporter = new InMemorySpanExporter();
/** Every span this test process ended, in order; wait on it with `spans.waitFor(n)`. */
export const spans = new SpanCollector(exporter);
export const telemetry = createTelemetry({
  env: { OTEL_SERVICE_NAME: 'worker-svc' },
  spanProcessors: [new SimpleSpanProcessor(exporter), spans],
});
registerTelemetry(telemetry);

await waitForAllMessagesAcknowledged();
