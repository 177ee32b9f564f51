// SPDX-License-Identifier: Apache-2.0

// Command consumer-svc is the Go implementation of the lab's consumer: it consumes topic orders
// in group consumer-svc, processes each record in one CONSUMER span "process orders" and commits
// after processing; an order with fail: true gets an ERROR span with the exception recorded.
// A duplicate delivery is skipped, poison is dead-lettered to orders.dlq, transient failures are
// retried in place and then dead-lettered. GET /health and GET /ledger answer on PORT without a
// span.
//
// Configured only by the environment: PORT (8082, health only), BIND_HOST (0.0.0.0),
// KAFKA_BOOTSTRAP_SERVERS (127.0.0.1:9092), TRACELAB_VARIANT (fixed|broken), LEDGER_FILE (unset:
// the ledger lives in memory) and the standard
// OTEL_* variables (OTEL_SERVICE_NAME defaults to consumer-svc). SIGTERM or SIGINT stops it
// gracefully and flushes its spans.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	broken "tracelab.dev/lab/broken-variants/go"
	"tracelab.dev/lab/lab-common/go/config"
	"tracelab.dev/lab/lab-common/go/flow"
	"tracelab.dev/lab/lab-common/go/telemetry"
)

const stopGrace = 10 * time.Second

type settings struct {
	bindHost         string
	port             int
	bootstrapServers string
	variant          config.Variant
	ledgerFile       string
}

func main() {
	config.Main(flow.Consumer, 8082, run)
}

func run() error {
	s, err := readSettings(config.Env(os.LookupEnv))
	if err != nil {
		return config.Usage(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	tel, err := telemetry.FromEnv(ctx, flow.Consumer)
	if err != nil {
		return config.Usage(err)
	}
	parent := recordParent(tel.Propagator)
	if s.variant == config.Broken {
		parent = broken.IgnoredRecordHeaders
	}
	client, err := kgo.NewClient(clientOptions(s.bootstrapServers)...)
	if err != nil {
		return config.Usage(fmt.Errorf("KAFKA_BOOTSTRAP_SERVERS=%s: %w", s.bootstrapServers, err))
	}
	ledger, err := openLedger(s.ledgerFile)
	if err != nil {
		client.Close()
		return config.Usage(err)
	}
	defer ledger.close()
	dl := newDeadLetters(tel.TracerProvider, tel.Propagator, clientProducer(client))
	proc := newProcessor(tel.TracerProvider, parent, ledger, dl)
	if s.variant == config.Linked {
		proc.lineage = recordLink(tel.Propagator)
	}
	loopCtx, endLoop := ctx, func() {} // the context the poll loop runs in for its whole life
	tracer := tel.TracerProvider.Tracer("tracelab.dev/lab/consumer-svc/go")
	switch s.variant {
	case config.Lifecycle:
		loopCtx, endLoop = broken.LifecycleSpan(ctx, tracer)
		proc.parent = broken.LifecycleParent
	case config.LifecycleFixed:
		loopCtx, proc.lineage = lifecycleUnits(ctx, tracer, tel.Propagator)
	}
	c := &consumer{client: client, proc: proc}

	ln, err := net.Listen("tcp", net.JoinHostPort(s.bindHost, strconv.Itoa(s.port)))
	if err != nil {
		client.Close()
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", c.health)
	mux.HandleFunc("GET /health/ready", c.ready)
	mux.HandleFunc("GET /ledger", ledger.serve)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			slog.Error("health server stopped", "err", err)
		}
	}()

	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		c.run(loopCtx)
		endLoop() // before the flush below
	}()
	fmt.Printf("%s (%s) consuming %s, health on %s:%d\n", flow.Consumer, s.variant, flow.Topic, s.bindHost, ln.Addr().(*net.TCPAddr).Port)

	<-ctx.Done()
	<-loopDone
	stopCtx, cancel := context.WithTimeout(context.Background(), stopGrace)
	defer cancel()
	client.Close() // leaves the group; offsets were committed after each processed poll
	if err := srv.Shutdown(stopCtx); err != nil {
		slog.Warn("health shutdown", "err", err)
	}
	if err := tel.Shutdown(stopCtx); err != nil {
		slog.Warn("span flush", "err", err)
	}
	return nil
}

func readSettings(env config.Env) (settings, error) {
	port, err := env.Port(8082)
	if err != nil {
		return settings{}, err
	}
	variant, err := env.Variant()
	if err != nil {
		return settings{}, err
	}
	return settings{
		bindHost:         env.BindHost(),
		port:             port,
		bootstrapServers: env.Get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
		variant:          variant,
		ledgerFile:       env.Get("LEDGER_FILE", ""),
	}, nil
}
