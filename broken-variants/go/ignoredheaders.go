// SPDX-License-Identifier: Apache-2.0

// DEFECT (kafka, consumer-svc): the consumer ignores the record headers. The producer did inject
// traceparent into them, but the process span starts from context.Background(), as code does
// when it "just wants a span per message".
//
// SYMPTOM: the process span "process orders" (flow step 6) starts a NEW trace. One request = two
// traces: {POST /orders, POST, POST /work, order.prepare, send orders} and {process orders}.
// The auditor reports step 6 as an orphan root on consumer-svc: Kafka boundary (all consumer
// spans). With fail=true the ERROR span lands in that lone fragment, away from its request.
//
// FIX: consumer-svc/go/parent.go (recordParent) extracts the context from the record headers
// (kotel.NewRecordCarrier and the configured propagator) and makes it the span's parent.
//
// SWITCH: consumer-svc with TRACELAB_VARIANT=broken (CLI: --consumer broken; scenario broken-kafka).

package broken

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
)

// IgnoredRecordHeaders is the context a record's process span starts from: none.
func IgnoredRecordHeaders(context.Context, *kgo.Record) context.Context {
	return context.Background() // THE BUG: the record's headers carry traceparent; nobody reads them
}
