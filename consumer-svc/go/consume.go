// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"tracelab.dev/lab/lab-common/go/flow"
	"tracelab.dev/lab/lab-common/go/problem"
)

const (
	maxPollRecords = 100
	commitTimeout  = 5 * time.Second
)

// clientOptions configure the group consumer: topic orders, group consumer-svc, from the
// earliest offset, offsets committed by the loop after processing (never automatically), and no
// rebalance between a poll and its commit.
func clientOptions(bootstrapServers string) []kgo.Opt {
	return []kgo.Opt{
		kgo.SeedBrokers(strings.Split(bootstrapServers, ",")...),
		kgo.ClientID(flow.Consumer),
		kgo.ConsumerGroup(flow.ConsumerGroup),
		kgo.ConsumeTopics(flow.Topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		// a consumer killed without leaving the group holds its partitions until its session
		// expires: keep that short (the broker's minimum is 6 s) so a restart takes over quickly
		kgo.SessionTimeout(6 * time.Second),
		kgo.HeartbeatInterval(2 * time.Second),
	}
}

// consumer polls, processes each record, then commits what it processed.
type consumer struct {
	client  *kgo.Client
	proc    *processor
	running atomic.Bool
}

// run polls until ctx is done. Records are committed only after they were processed, skipped as
// duplicates or dead-lettered, so a crash in between redelivers them (at least once) and the
// ledger makes the redelivery a no-op. A record not done (its dead-letter send failed) is not
// committed: its partition is rewound to it and the rest of that partition's batch waits.
func (c *consumer) run(ctx context.Context) {
	c.running.Store(true)
	defer c.running.Store(false)
	for {
		fetches := c.client.PollRecords(ctx, maxPollRecords)
		if ctx.Err() != nil || fetches.IsClientClosed() {
			c.client.AllowRebalance()
			return
		}
		fetches.EachError(func(topic string, partition int32, err error) {
			slog.WarnContext(ctx, "fetch failed", "topic", topic, "partition", partition, "err", err)
		})
		var done []*kgo.Record
		rewound := map[int32]bool{} // one topic: partitions rewound to a record not done
		fetches.EachRecord(func(r *kgo.Record) {
			if rewound[r.Partition] {
				return
			}
			out, err := c.proc.process(ctx, r)
			if out == notDone {
				slog.WarnContext(ctx, "record not done, will come again", "partition", r.Partition, "offset", r.Offset, "err", err)
				rewound[r.Partition] = true
				c.client.SetOffsets(map[string]map[int32]kgo.EpochOffset{r.Topic: {r.Partition: {Epoch: -1, Offset: r.Offset}}})
				return
			}
			if err != nil {
				slog.WarnContext(ctx, "record failed", "offset", r.Offset, "err", err)
			}
			done = append(done, r)
		})
		if len(done) > 0 {
			// a failed commit (broker restarting, rebalance) redelivers: the ledger skips those
			commitCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
			if err := c.client.CommitRecords(commitCtx, done...); err != nil {
				slog.WarnContext(ctx, "commit failed, those records will come again", "err", err)
			}
			cancel()
		}
		c.client.AllowRebalance()
	}
}

// health answers GET /health: 200 UP while the poll loop runs, 503 DOWN otherwise. No span.
func (c *consumer) health(w http.ResponseWriter, _ *http.Request) {
	status, code := "UP", http.StatusOK
	if !c.running.Load() {
		status, code = "DOWN", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": status})
}

// ready answers GET /health/ready: 200 only while the broker answers a ping within a second, else
// a 503 problem. Liveness (/health) never asks Kafka. No span.
func (c *consumer) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := c.client.Ping(ctx); err != nil {
		problem.Write(w, r, problem.New(http.StatusServiceUnavailable, "Kafka unreachable: "+err.Error()))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "UP", "kafka": "UP"})
}
