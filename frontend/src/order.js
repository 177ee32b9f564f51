/* Pure pieces of placing an order: the request body and reading the order id back from it. */

/** The order the page places: a fresh id (the span's app.order_id), one SKU. */
export function newOrder(randomUUID = () => crypto.randomUUID()) {
  return { orderId: randomUUID(), sku: 'BROWSER-1', quantity: 1 };
}

/**
 * The order id in a fetch's init (its JSON body), or undefined: the fetch instrumentation hands
 * the init to `applyCustomAttributesOnSpan`, which puts it on the CLIENT span as app.order_id.
 */
export function orderIdOf(init) {
  const body = init && typeof init === 'object' ? init.body : undefined;
  if (typeof body !== 'string') {
    return undefined;
  }
  try {
    const parsed = JSON.parse(body);
    return parsed && typeof parsed.orderId === 'string' ? parsed.orderId : undefined;
  } catch {
    return undefined;
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
