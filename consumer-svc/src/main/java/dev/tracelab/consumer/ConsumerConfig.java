package dev.tracelab.consumer;

import dev.tracelab.flow.Variant;

/** @param healthPort port of {@code GET /health}; 0 picks a free port */
public record ConsumerConfig(
    String bindHost, int healthPort, String kafkaBootstrapServers, Variant variant) {}
