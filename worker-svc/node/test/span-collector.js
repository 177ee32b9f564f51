// SPDX-License-Identifier: Apache-2.0

/**
 * Reads the finished spans of an InMemorySpanExporter and lets a test wait, without sleeping, until
 * a given number have ended: it is also a SpanProcessor, notified on each span's end (after the
 * SimpleSpanProcessor before it has exported that span).
 */
export class SpanCollector {
  #exporter;
  #waiters = new Set();
  #startWaiters = new Set();

  /** @param {import('@opentelemetry/sdk-trace-base').InMemorySpanExporter} exporter */
  constructor(exporter) {
    this.#exporter = exporter;
  }

  /** @returns {import('@opentelemetry/sdk-trace-base').ReadableSpan[]} */
  finished() {
    return this.#exporter.getFinishedSpans();
  }

  reset() {
    this.#exporter.reset();
  }

  /** Resolves with the finished spans once there are `count` of them; rejects after `timeoutMs`. */
  waitFor(count, timeoutMs = 5000) {
    if (this.finished().length >= count) {
      return Promise.resolve(this.finished());
    }
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (this.finished().length >= count) {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(this.finished());
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const names = this.finished().map((s) => s.name);
        reject(new Error(`expected ${count} finished spans within ${timeoutMs} ms, got ${JSON.stringify(names)}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Resolves once a span named `name` has started (since the last reset of this waiter). */
  waitForStarted(name) {
    return new Promise((resolve) => {
      this.#startWaiters.add({ name, resolve });
    });
  }

  onStart(span) {
    for (const waiter of [...this.#startWaiters]) {
      if (waiter.name === span.name) {
        this.#startWaiters.delete(waiter);
        waiter.resolve(span);
      }
    }
  }

  onEnding() {}

  onEnd() {
    for (const waiter of [...this.#waiters]) {
      waiter();
    }
  }

  forceFlush() {
    return Promise.resolve();
  }

  shutdown() {
    return Promise.resolve();
  }
}
