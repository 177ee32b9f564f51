// SPDX-License-Identifier: Apache-2.0

// Command gateway-svc is the Go implementation of the lab's gateway: POST /orders validates an
// order, hands it to the worker's POST /work over HTTP and answers 202 {"orderId", "traceId"}
// with a traceresponse header; GET /health answers without a span.
//
// Configured only by the environment: PORT (8080), BIND_HOST (0.0.0.0), WORKER_URL
// (http://127.0.0.1:8081), TRACELAB_VARIANT (fixed|broken) and the standard OTEL_* variables
// (OTEL_SERVICE_NAME defaults to gateway-svc). SIGTERM or SIGINT stops it gracefully and flushes
// its spans.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	broken "tracelab.dev/lab/broken-variants/go"
	"tracelab.dev/lab/lab-common/go/config"
	"tracelab.dev/lab/lab-common/go/flow"
	"tracelab.dev/lab/lab-common/go/telemetry"
)

const (
	connectTimeout = 2 * time.Second
	stopGrace      = 10 * time.Second
)

type settings struct {
	bindHost string
	port     int
	workURL  string
	variant  config.Variant
}

func main() {
	config.Main(flow.Gateway, 8080, run)
}

func run() error {
	s, err := readSettings(config.Env(os.LookupEnv))
	if err != nil {
		return config.Usage(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	tel, err := telemetry.FromEnv(ctx, flow.Gateway)
	if err != nil {
		return config.Usage(err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(s.bindHost, strconv.Itoa(s.port)))
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newHandler(&ordersHandler{worker: workerClient(s.variant, tel.TracerProvider, tel.Propagator), workURL: s.workURL}, tel.TracerProvider, tel.Propagator),
		ReadHeaderTimeout: 5 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Printf("%s (%s) listening on %s:%d\n", flow.Gateway, s.variant, s.bindHost, ln.Addr().(*net.TCPAddr).Port)

	select {
	case err = <-served:
	case <-ctx.Done():
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), stopGrace)
	defer cancel()
	if shutdownErr := srv.Shutdown(stopCtx); shutdownErr != nil {
		slog.Warn("http shutdown", "err", shutdownErr)
	}
	if flushErr := tel.Shutdown(stopCtx); flushErr != nil {
		slog.Warn("span flush", "err", flushErr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func readSettings(env config.Env) (settings, error) {
	port, err := env.Port(8080)
	if err != nil {
		return settings{}, err
	}
	variant, err := env.Variant()
	if err != nil {
		return settings{}, err
	}
	raw := env.Get("WORKER_URL", "http://127.0.0.1:8081")
	base, err := url.Parse(raw)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return settings{}, fmt.Errorf("WORKER_URL=%s is not an http(s) URL", raw)
	}
	return settings{
		bindHost: env.BindHost(),
		port:     port,
		workURL:  base.ResolveReference(&url.URL{Path: "/work"}).String(),
		variant:  variant,
	}, nil
}

// workerClient is the HTTP client for the worker: the HTTP boundary's caller side.
func workerClient(v config.Variant, tp trace.TracerProvider, prop propagation.TextMapPropagator) *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.DialContext = (&net.Dialer{Timeout: connectTimeout}).DialContext
	base.MaxIdleConnsPerHost = 64
	var rt http.RoundTripper
	if v == config.Broken {
		rt = broken.XTraceIDTransport(tp, base)
	} else {
		rt = tracingTransport(tp, prop, base)
	}
	return &http.Client{Transport: rt} // each call is bounded by its context (ordersHandler.handOff)
}
