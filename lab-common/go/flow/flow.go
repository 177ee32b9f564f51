// SPDX-License-Identifier: Apache-2.0

// Package flow names the parts of the lab's request flow that the Go services emit or consume:
// service names, the topic, the consumer group and span names. The flow itself (six spans,
// their kinds and parents) is defined in lab-common/src/main/java/dev/tracelab/flow/Flow.java;
// these constants must match it.
package flow

const (
	// Gateway is the gateway's service.name (its folder name).
	Gateway = "gateway-svc"
	// Consumer is the consumer's service.name (its folder name).
	Consumer = "consumer-svc"

	// Topic is the Kafka topic the worker produces orders to.
	Topic = "orders"
	// ConsumerGroup is the consumer's Kafka group id.
	ConsumerGroup = "consumer-svc"

	// GatewayServerSpan is step 1: the gateway's SERVER span.
	GatewayServerSpan = "POST /orders"
	// GatewayClientSpan is step 2: the gateway's CLIENT span (semconv: the method only).
	GatewayClientSpan = "POST"
	// ProcessSpan is step 6: the consumer's CONSUMER span for one record.
	ProcessSpan = "process " + Topic
)
