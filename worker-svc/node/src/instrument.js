// SPDX-License-Identifier: Apache-2.0

/**
 * Process entry for telemetry, loaded before the service with
 * `node --import ./src/instrument.js src/main.js`: it must run before `node:http` and kafkajs are
 * imported, so the instrumentations can patch them. The ESM loader hook (import-in-the-middle)
 * intercepts only the modules the instrumentations ask for.
 */
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { createTelemetry, registerTelemetry } from './telemetry.js';

const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

/** This process's SDK; main.js takes it from here and shuts it down on SIGTERM/SIGINT. */
export const telemetry = createOrExit();
registerTelemetry(telemetry);

function createOrExit() {
  try {
    return createTelemetry();
  } catch (e) {
    console.error(`worker-svc: ${e.message}`);
    process.exit(2);
  }
}

await waitForAllMessagesAcknowledged();
