// SPDX-License-Identifier: Apache-2.0

/**
 * `--instrumentation agent` (docs/auto-instrumentation.md): the zero-code instrumentation of the
 * Node.js worker, loaded after the worker's own SDK with
 * `node --import ./src/instrument.js --import ./src/auto-instrument.js src/main.js`.
 *
 * It is the package's documented entry point and nothing else: `@opentelemetry/auto-instrumentations-node/register`
 * starts a NodeSDK configured by the standard OTEL_* variables (service name, OTLP endpoint,
 * propagators; OTEL_NODE_ENABLED_INSTRUMENTATIONS picks the libraries) and registers it globally.
 * It comes second because the worker's own SDK refuses to start when a global context manager is
 * already registered (telemetry.js); in this order the NodeSDK finds the worker's context manager
 * and propagator in place (it logs that it could not register its own), registers its
 * TracerProvider globally, and its HTTP and kafkajs instrumentations replace the worker's patches:
 * the worker's SERVER and PRODUCER spans then come from this SDK (measured: same tree, the PRODUCER
 * span without app.order_id, and a span per GET /health). No instrumentation carries the context
 * through the worker's own job queue.
 */
import '@opentelemetry/auto-instrumentations-node/register';
