// SPDX-License-Identifier: Apache-2.0

/**
 * The worker's in-process job queue: a fixed pool of async worker loops, started when the queue is
 * created (at boot), each taking the next job and awaiting it. A job is `(signal) => Promise`;
 * `signal` aborts when the queue is closed and the grace period is over.
 *
 * The queue knows nothing about tracing. Whatever context a loop resumes in after its `await` is
 * the one it had when it started waiting (the boot-time context), not the context of the code
 * that pushed the job: carrying the request's context is the hand-off's job
 * (context-bound-hand-off.js).
 */
export class JobQueue {
  /** @type {Array<(signal: AbortSignal) => Promise<unknown>>} */
  #pending = [];
  /** @type {Array<(job: ((signal: AbortSignal) => Promise<unknown>) | null) => void>} */
  #idle = [];
  #abort = new AbortController();
  #closed = false;
  #onError;
  #loops;

  /**
   * @param {{ concurrency?: number, onError?: (error: unknown) => void }} [options]
   *   onError sees what a job threw (the loop goes on with the next job)
   */
  constructor({ concurrency = 16, onError = (e) => console.error('worker-svc: job failed:', e) } = {}) {
    this.#onError = onError;
    this.#loops = Array.from({ length: concurrency }, () => this.#loop());
  }

  /** Queues `job` as it is; it runs on the first free loop. */
  push(job) {
    if (this.#closed) {
      throw new Error('job queue is closed');
    }
    const idle = this.#idle.shift();
    if (idle) {
      idle(job);
    } else {
      this.#pending.push(job);
    }
  }

  /**
   * Stops accepting jobs, lets queued and running ones finish for up to `graceMs`, then aborts
   * the rest through their signal and waits for the loops to end.
   */
  async close(graceMs = 5000) {
    if (!this.#closed) {
      this.#closed = true;
      for (const idle of this.#idle.splice(0)) {
        idle(null);
      }
    }
    let timer;
    const graceOver = new Promise((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(this.#loops), graceOver]);
    clearTimeout(timer);
    this.#abort.abort(new Error('job queue closed'));
    await Promise.all(this.#loops);
  }

  async #loop() {
    for (;;) {
      const job = await this.#next();
      if (job === null) {
        return;
      }
      try {
        await job(this.#abort.signal);
      } catch (e) {
        this.#onError(e);
      }
    }
  }

  #next() {
    if (this.#pending.length > 0) {
      return Promise.resolve(this.#pending.shift());
    }
    if (this.#closed) {
      return Promise.resolve(null);
    }
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
