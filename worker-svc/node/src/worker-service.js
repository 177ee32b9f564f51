// SPDX-License-Identifier: Apache-2.0

/**
 * The worker: POST /work hands the order to the job queue (the async boundary); the deferred work
 * prepares it and produces it to Kafka. The request answers 202 only once Kafka has acknowledged
 * the record, so an order answered 202 is on the topic whatever happens to the worker next; when
 * the send fails or is not acknowledged within delayMs + ACK_TIMEOUT_MS it answers 503
 * problem+json with Retry-After (the order is not accepted). GET /health answers 200;
 * GET /delivery counts the sends (acknowledged, given up on, in progress).
 * The SERVER span comes from @opentelemetry/instrumentation-http; the route names it.
 */
import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import http from 'node:http';
import { once } from 'node:events';
import { bareHandOff } from '@tracelab/broken-variants/bare-hand-off';
import { contextBoundHandOff } from './context-bound-hand-off.js';
import { deferredWork } from './deferred-work.js';
import { JobQueue } from './job-queue.js';
import { DELIVERY_TIMEOUT_MS } from './order-producer.js';
import { notJson } from './media-type.js';
import { MAX_BODY_BYTES, readOrder } from './order.js';
import { ATTR_APP_ORDER_ID } from './order-id-span-processor.js';
import { badRequest, problem, sendProblem } from './problem.js';
import { TRACED_ROUTE } from './telemetry.js';

const DEFERRED_LOOPS = 16;
/**
 * How long POST /work waits, after the order's delayMs, for Kafka's acknowledgement before it
 * answers 503; the producer gives up after as long (DELIVERY_TIMEOUT_MS), the gateway waits
 * delayMs + 10 s for the answer.
 */
export const ACK_TIMEOUT_MS = DELIVERY_TIMEOUT_MS;
const RETRY_AFTER_S = '1';
const TIMED_OUT = Symbol('timed out');
const INSTRUMENTATION_SCOPE = 'dev.tracelab.worker';

/**
 * Starts the worker and resolves once it listens.
 *
 * @param {{ bindHost: string, port: number, variant: 'fixed'|'broken' }} config
 * @param {{ tracerProvider: import('@opentelemetry/api').TracerProvider }} telemetry
 * @param {{ send(order: object): Promise<void>, close(): Promise<void> }} producer
 * @param {{ shutdownGraceMs?: number, ackTimeoutMs?: number, deferredLoops?: number,
 *   readiness?: { notReadyReason(): Promise<string|null>, close(): Promise<void> } }} [options]
 *   how long close() lets deferred work finish; how long a request waits for the acknowledgement
 *   after delayMs; how many jobs run at once; what GET /health/ready asks (default: always ready)
 */
export async function startWorker(
  config,
  telemetry,
  producer,
  { shutdownGraceMs = 5000, ackTimeoutMs = ACK_TIMEOUT_MS, deferredLoops = DEFERRED_LOOPS, readiness = alwaysReady } = {},
) {
  const prepare = deferredWork({ tracer: telemetry.tracerProvider.getTracer(INSTRUMENTATION_SCOPE), producer });
  const queue = new JobQueue({ concurrency: deferredLoops });
  const handOff = config.variant === 'broken' ? bareHandOff(queue) : contextBoundHandOff(queue);

  const server = http.createServer((request, response) => {
    route(request, response, { server, handOff, prepare, producer, readiness, ackTimeoutMs }).catch((e) => {
      console.error('worker-svc: request failed:', e);
      if (!response.headersSent) {
        sendProblem(response, problem(500, 'Internal Server Error', 'the worker failed; see its log'), path(request));
      } else {
        response.destroy();
      }
    });
  });
  server.listen(config.port, config.bindHost);
  await once(server, 'listening');

  return {
    port: /** @type {import('node:net').AddressInfo} */ (server.address()).port,
    /**
     * Stops taking requests, lets deferred work finish (then aborts it; a request still waiting
     * for it is answered 503), closes the producer.
     */
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      await handOff.close(shutdownGraceMs);
      await closed;
      await producer.close();
      await readiness.close();
    },
  };
}

const alwaysReady = { notReadyReason: async () => null, close: async () => {} };

async function route(request, response, { server, handOff, prepare, producer, readiness, ackTimeoutMs }) {
  const requestPath = path(request);
  if (request.method === TRACED_ROUTE.method && requestPath === TRACED_ROUTE.path) {
    nameServerSpan(TRACED_ROUTE.path);
    const unsupported = notJson(request.headers['content-type']);
    if (unsupported !== null) {
      request.resume();
      sendProblem(response, problem(415, 'Unsupported Media Type', unsupported), requestPath);
      return;
    }
    const body = await readBody(request);
    const { order, problem: invalid } = body === null ? { problem: tooLarge() } : readOrder(body);
    if (invalid) {
      sendProblem(response, invalid, requestPath);
      return;
    }
    trace.getActiveSpan()?.setAttribute(ATTR_APP_ORDER_ID, order.orderId);
    const refused = await handOffAndAwait(handOff, prepare, order, ackTimeoutMs);
    if (!server.listening) {
      response.setHeader('connection', 'close'); // stopping: do not keep the connection
    }
    if (refused !== null) {
      response.setHeader('retry-after', RETRY_AFTER_S);
      const detail = `order ${order.orderId} NOT accepted: ${refused}; nothing was queued for it, retry later`;
      sendProblem(response, problem(503, 'Service Unavailable', detail), requestPath);
      return;
    }
    sendJson(response, 202, { orderId: order.orderId, accepted: true });
  } else if (request.method === 'GET' && requestPath === '/health') {
    sendJson(response, 200, { status: 'UP' });
  } else if (request.method === 'GET' && requestPath === '/health/ready') {
    const reason = await readiness.notReadyReason();
    if (reason === null) {
      sendJson(response, 200, { status: 'UP', kafka: 'UP' });
    } else {
      sendProblem(response, problem(503, 'Service Unavailable', reason), requestPath);
    }
  } else if (request.method === 'GET' && requestPath === '/delivery') {
    sendJson(response, 200, producer.counts?.() ?? {});
  } else {
    request.resume();
    sendProblem(response, problem(404, 'Not Found', `no route ${request.method} ${requestPath}`), requestPath);
  }
}

/**
 * Hands the order to the deferred work (the async boundary, unchanged: the job runs on a queue
 * loop) and waits until Kafka has acknowledged it, for at most delayMs + ackTimeoutMs. Resolves
 * to null when it was acknowledged, else to why the order is not accepted. A job that has not sent
 * yet when the wait is over sees `answered` aborted and does not send.
 */
async function handOffAndAwait(handOff, prepare, order, ackTimeoutMs) {
  const answered = new AbortController();
  let settle;
  const acknowledged = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });
  try {
    handOff.submit((signal) => prepare(order, signal, answered.signal).then(settle.resolve, settle.reject));
  } catch {
    return 'the worker is shutting down'; // the queue is closed
  }
  const boundMs = order.delayMs + ackTimeoutMs;
  let timer;
  const outOfTime = new Promise((resolve) => {
    timer = setTimeout(resolve, boundMs, TIMED_OUT);
  });
  try {
    const result = await Promise.race([
      acknowledged.then(
        () => null,
        (e) => `the send to Kafka failed: ${e.message}`,
      ),
      outOfTime,
    ]);
    if (result === TIMED_OUT) {
      answered.abort();
      return `Kafka did not acknowledge it within ${boundMs} ms`;
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * instrumentation-http names a server span by its method alone until it learns the route: it
 * renames the span to `METHOD route` and sets http.route when the response finishes.
 */
function nameServerSpan(httpRoute) {
  const rpcMetadata = getRPCMetadata(context.active());
  if (rpcMetadata?.type === RPCType.HTTP) {
    rpcMetadata.route = httpRoute;
  }
}

/** The body as text, or null when it exceeds MAX_BODY_BYTES. */
async function readBody(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      request.resume();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge() {
  return badRequest(`body too large; the limit is ${MAX_BODY_BYTES} bytes`);
}

function path(request) {
  return (request.url ?? '/').split('?', 1)[0];
}

function sendJson(response, status, value) {
  const json = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  response.end(json);
}
