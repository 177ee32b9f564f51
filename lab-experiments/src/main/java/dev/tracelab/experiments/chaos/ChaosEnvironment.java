// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.chaos;

import dev.tracelab.env.LabEnvironment;
import java.net.URI;

/**
 * Where {@link ChaosExperiment} runs: how to reach the flow and the consumer's ledger, and how to
 * inject and repair each fault there. The embedded lab ({@link #embedded}) stops and starts its
 * broker and auditor in process and kills its child processes; the compose stack ({@link
 * ComposeChaosEnvironment}) does the same to containers.
 */
public interface ChaosEnvironment {

  /** The gateway's base URL ({@code POST /orders}). */
  URI gatewayUrl();

  /** The consumer's health port base URL: it serves {@code GET /ledger}. */
  URI consumerUrl();

  /** Stops the broker (a controlled shutdown). */
  void stopBroker();

  /** Starts the stopped broker again, on the same address and data. */
  void startBroker();

  /** Kills the consumer's process with SIGKILL. */
  void killConsumer();

  /** Returns when a consumer runs again (restarted, or brought back by its supervisor). */
  void restartConsumer();

  /** Kills the worker's process with SIGKILL. */
  void killWorker();

  /** Returns when a worker runs again (restarted, or brought back by its supervisor). */
  void restartWorker();

  /** Stops the auditor (OTLP receiver and API). */
  void stopAuditor();

  /** Starts a fresh auditor on the same ports. */
  void startAuditor();

  /**
   * The embedded lab as a chaos environment; its worker and consumer must run as child processes
   * ({@code ServiceImplementation.javaProcess()}) so they can be killed.
   */
  static ChaosEnvironment embedded(LabEnvironment lab) {
    return new EmbeddedChaosEnvironment(lab);
  }
}
