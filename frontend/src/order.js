// SPDX-License-Identifier: Apache-2.0

/* Pure pieces of placing an order: the request body and reading the order id back from it. */

/** The order the page places (the gateway names it: the response carries its id). */
export function newOrder() {
  return { sku: 'BROWSER-1', quantity: 1 };
}

/** True when a fetch's init places an order (a JSON body with a sku): its span gets the order id. */
export function isOrderRequest(init) {
  const body = init && typeof init === 'object' ? init.body : undefined;
  if (typeof body !== 'string') {
    return false;
  }
  try {
    const parsed = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' && typeof parsed.sku === 'string';
  } catch {
    return false;
  }
}

/** Where an order goes: `same-origin` is the page's own /orders, `api` the API origin's. */
export function ordersUrl(via, config) {
  switch (via) {
    case 'same-origin':
      return '/orders';
    case 'api':
      return `${new URL(config.apiOrigin).origin}/orders`;
    default:
      throw new Error(`unknown target '${via}' (expected same-origin or api)`);
  }
}
