// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.worker;

import dev.tracelab.flow.Variant;

/**
 * @param port 0 picks a free port
 */
public record WorkerConfig(
    String bindHost, int port, String kafkaBootstrapServers, Variant variant) {}
