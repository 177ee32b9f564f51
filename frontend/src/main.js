// SPDX-License-Identifier: Apache-2.0

/*
 * The lab's page: reads its configuration from the lab, starts tracing, then places orders with
 * fetch, to the page's own origin or to the API origin, and tells the analytics endpoint (a third
 * party) that an order was placed. `window.tracelab.placeOrder(via)` is what the buttons call and
 * what the browser tests drive.
 */
import { newOrder, ordersUrl } from './order.js';
import { startTracing } from './tracing.js';

async function boot() {
  const config = await (await fetch('/frontend-config.json')).json(); // before tracing: not traced
  const tracing = startTracing(config);

  async function placeOrder(via) {
    const init = {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(newOrder()),
    };
    let response;
    let body = {};
    try {
      response = await fetch(ordersUrl(via, config), init);
      body = await response.json().catch(() => ({}));
    } finally {
      tracing.orderPlaced(init, body.orderId); // the span goes out, with the id the gateway gave
    }
    // a third party: a simple request (text/plain, no custom header) that needs no preflight,
    // unless a trace header is added to it
    await fetch(config.analyticsUrl, { method: 'POST', body: 'order_placed' }).catch(() => undefined);
    await tracing.provider.forceFlush();
    const result = { via, status: response.status, orderId: body.orderId ?? null, traceId: body.traceId ?? null };
    show(result);
    return result;
  }

  function show(result) {
    const row = document.createElement('li');
    row.className = 'order';
    row.textContent = `${result.via}: ${result.status} order ${result.orderId} trace ${result.traceId}`;
    document.getElementById('orders').prepend(row);
  }

  for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('button[data-via]'))) {
    button.addEventListener('click', () => placeOrder(button.dataset.via));
  }
  document.getElementById('variant').textContent = config.variant;
  document.getElementById('api-origin').textContent = config.apiOrigin;
  /** @type {Window & { tracelab?: object }} */ (window).tracelab = { config, placeOrder };
  document.body.dataset.ready = 'true';
}

boot().catch((e) => {
  document.body.dataset.ready = 'error';
  document.getElementById('error').textContent = String(e);
});
