/**
 * The worker: POST /work answers 202 at once and hands the order to the job queue (the async
 * boundary); the deferred work prepares it and produces it to Kafka. GET /health answers 200;
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
import { MAX_BODY_BYTES, readOrder } from './order.js';
import { ATTR_APP_ORDER_ID } from './order-id-span-processor.js';
import { badRequest, problem, sendProblem } from './problem.js';
import { TRACED_ROUTE } from './telemetry.js';

const DEFERRED_LOOPS = 16;
const INSTRUMENTATION_SCOPE = 'dev.tracelab.worker';

/**
 * Starts the worker and resolves once it listens.
 *
 * @param {{ bindHost: string, port: number, variant: 'fixed'|'broken' }} config
 * @param {{ tracerProvider: import('@opentelemetry/api').TracerProvider }} telemetry
 * @param {{ send(order: object): Promise<void>, close(): Promise<void> }} producer
 * @param {{ shutdownGraceMs?: number, readiness?: { notReadyReason(): Promise<string|null>, close(): Promise<void> } }} [options]
 *   how long close() lets deferred work finish; what GET /health/ready asks (default: always ready)
 */
export async function startWorker(config, telemetry, producer, { shutdownGraceMs = 5000, readiness = alwaysReady } = {}) {
  const prepare = deferredWork({ tracer: telemetry.tracerProvider.getTracer(INSTRUMENTATION_SCOPE), producer });
  const queue = new JobQueue({ concurrency: DEFERRED_LOOPS });
  const handOff = config.variant === 'broken' ? bareHandOff(queue) : contextBoundHandOff(queue);

  const server = http.createServer((request, response) => {
    route(request, response, handOff, prepare, producer, readiness).catch((e) => {
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
    port: server.address().port,
    /** Stops taking requests, lets deferred work finish (then aborts it), closes the producer. */
    async close() {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeIdleConnections();
      });
      await handOff.close(shutdownGraceMs);
      await producer.close();
      await readiness.close();
    },
  };
}

const alwaysReady = { notReadyReason: async () => null, close: async () => {} };

async function route(request, response, handOff, prepare, producer, readiness) {
  const requestPath = path(request);
  if (request.method === TRACED_ROUTE.method && requestPath === TRACED_ROUTE.path) {
    nameServerSpan(TRACED_ROUTE.path);
    const body = await readBody(request);
    const { order, problem: invalid } = body === null ? { problem: tooLarge() } : readOrder(body);
    if (invalid) {
      sendProblem(response, invalid, requestPath);
      return;
    }
    trace.getActiveSpan()?.setAttribute(ATTR_APP_ORDER_ID, order.orderId);
    handOff.submit((signal) => prepare(order, signal));
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
