// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import dev.tracelab.flow.Variant;
import java.nio.file.Path;

/**
 * @param healthPort port of {@code GET /health} and {@code GET /ledger}; 0 picks a free port
 * @param ledgerFile where the ledger persists ({@code LEDGER_FILE}); null keeps it in memory
 */
public record ConsumerConfig(
    String bindHost,
    int healthPort,
    String kafkaBootstrapServers,
    Variant variant,
    Path ledgerFile) {

  /** A consumer whose ledger lives in memory. */
  public ConsumerConfig(
      String bindHost, int healthPort, String kafkaBootstrapServers, Variant variant) {
    this(bindHost, healthPort, kafkaBootstrapServers, variant, null);
  }
}
