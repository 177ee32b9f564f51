// SPDX-License-Identifier: Apache-2.0

// Package order is the order's JSON form on the wire: the gateway's request to the worker and
// the Kafka record value the consumer reads.
package order

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Order is one order as it travels gateway -> worker -> Kafka -> consumer. Field order and
// names match the Java services' JSON.
type Order struct {
	OrderID  string `json:"orderId"`
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	// Fail asks the consumer to fail this order (its process span gets status ERROR).
	Fail bool `json:"fail"`
	// DelayMs makes the worker's deferred work wait this long (a slow trace).
	DelayMs int64 `json:"delayMs"`
}

// Parse reads an order written by a producer; unknown fields are ignored, a missing orderId is
// an error.
func Parse(data []byte) (Order, error) {
	var o Order
	if err := json.Unmarshal(data, &o); err != nil {
		return Order{}, fmt.Errorf("malformed order JSON: %w", err)
	}
	if o.OrderID == "" {
		return Order{}, errors.New("order without orderId")
	}
	return o, nil
}
