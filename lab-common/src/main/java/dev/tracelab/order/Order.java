// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.order;

/**
 * One order as it travels gateway -> worker -> Kafka -> consumer.
 *
 * @param fail the consumer fails this order (its process span gets status ERROR)
 * @param delayMs the deferred work waits this long before producing (a slow trace)
 */
public record Order(String orderId, String sku, int quantity, boolean fail, long delayMs) {}
