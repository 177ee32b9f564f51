// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kotel"
	"go.opentelemetry.io/otel/propagation"
)

// recordParent is the FIX for the Kafka boundary (consumer side): it extracts the producer's
// context from the record headers with the service's propagator, so the process span is a child
// of the producer's span and one request stays one trace.
//
// Why a parent and not only a link: this service processes each record on its own, so the
// messaging semantic conventions let the process span be a child of the message's creation
// context. Links are for batches, where one span handles records from many traces.
//
// Why kotel's carrier but not kotel's tracer hooks: the hooks add an "orders receive" span per
// record (and name the process span "orders process", with older semantic conventions), which
// the lab's flow (exactly one CONSUMER span "process orders") does not have.
//
// The defect this replaces is broken-variants/go/ignoredheaders.go.
func recordParent(prop propagation.TextMapPropagator) parentFunc {
	return func(ctx context.Context, r *kgo.Record) context.Context {
		// tracelab:exercise kafka begin
		return prop.Extract(ctx, recordHeaders{kotel.NewRecordCarrier(r), r})
		// tracelab:exercise kafka end
	}
}

// recordHeaders is kotel's record carrier with a lenient Get. Kafka header keys are
// case-sensitive, but propagators disagree on case: Java's B3 propagator writes X-B3-TraceId
// while Go's asks for x-b3-traceid. Get matches keys case-insensitively and, as Kafka's
// lastHeader does, returns the last value.
type recordHeaders struct {
	kotel.RecordCarrier
	r *kgo.Record
}

func (c recordHeaders) Get(key string) string {
	for i := len(c.r.Headers) - 1; i >= 0; i-- {
		if strings.EqualFold(c.r.Headers[i].Key, key) {
			return string(c.r.Headers[i].Value)
		}
	}
	return ""
}
