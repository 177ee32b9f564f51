// SPDX-License-Identifier: Apache-2.0

// Package telemetry builds one service's OpenTelemetry SDK from the standard OTEL_* environment
// and stamps the lab's app.order_id attribute. Nothing is registered globally: the returned
// TracerProvider and propagator are passed to the components that need them.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// DefaultBatchDelay is the batch span processor's schedule delay unless OTEL_BSP_SCHEDULE_DELAY
// says otherwise: short, so a trace's spans reach the auditor well within a second, as the Java
// services do.
const DefaultBatchDelay = 100 * time.Millisecond

// Telemetry is one service's SDK: its tracer provider and the propagator for its boundaries.
type Telemetry struct {
	TracerProvider *sdktrace.TracerProvider
	Propagator     propagation.TextMapPropagator
}

// FromEnv builds the SDK for a service from the environment:
//   - OTEL_SERVICE_NAME (default serviceName) and OTEL_RESOURCE_ATTRIBUTES;
//   - OTEL_TRACES_EXPORTER: otlp (default) or none;
//   - OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and the other OTLP
//     variables, read by the OTLP/HTTP exporter (OTEL_EXPORTER_OTLP_PROTOCOL must be
//     http/protobuf, the only protocol these services speak);
//   - OTEL_PROPAGATORS (default tracecontext,baggage; b3, b3multi, jaeger, xray, ottrace, none);
//   - OTEL_BSP_* (schedule delay default 100 ms) and OTEL_TRACES_SAMPLER, read by the SDK;
//   - OTEL_SDK_DISABLED=true: no span is recorded or exported (a provider that samples nothing,
//     with no processor); the propagator still carries an incoming context on.
func FromEnv(ctx context.Context, serviceName string) (*Telemetry, error) {
	propagator, err := propagatorFromEnv()
	if err != nil {
		return nil, err
	}
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName(serviceName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
	)
	if err != nil {
		return nil, fmt.Errorf("resource: %w", err)
	}
	if SDKDisabled() {
		return &Telemetry{
			TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithSampler(sdktrace.NeverSample())),
			Propagator:     propagator,
		}, nil
	}
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSpanProcessor(OrderIDStamper{}),
		sdktrace.WithSpanProcessor(LifecycleStamper{}),
	}
	switch exporter := strings.TrimSpace(os.Getenv("OTEL_TRACES_EXPORTER")); exporter {
	case "", "otlp":
		if p := strings.TrimSpace(os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")); p != "" && p != "http/protobuf" {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%s is not supported (use http/protobuf)", p)
		}
		exp, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("OTLP exporter: %w", err)
		}
		var bsp []sdktrace.BatchSpanProcessorOption
		if os.Getenv("OTEL_BSP_SCHEDULE_DELAY") == "" {
			bsp = append(bsp, sdktrace.WithBatchTimeout(DefaultBatchDelay))
		}
		opts = append(opts, sdktrace.WithBatcher(exp, bsp...))
	case "none":
	default:
		return nil, fmt.Errorf("OTEL_TRACES_EXPORTER=%s is not supported (use otlp or none)", exporter)
	}
	return &Telemetry{TracerProvider: sdktrace.NewTracerProvider(opts...), Propagator: propagator}, nil
}

// SDKDisabled reports OTEL_SDK_DISABLED=true (case-insensitive), the standard switch that turns
// the SDK off.
func SDKDisabled() bool {
	return strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true")
}

// Shutdown flushes the spans not yet exported and stops the exporter.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	return t.TracerProvider.Shutdown(ctx)
}

func propagatorFromEnv() (propagation.TextMapPropagator, error) {
	raw := strings.TrimSpace(os.Getenv("OTEL_PROPAGATORS"))
	if raw == "" {
		return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}), nil
	}
	var names []string
	for _, n := range strings.Split(raw, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	p, err := autoprop.TextMapPropagator(names...)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("OTEL_PROPAGATORS=%s", raw), err)
	}
	return p, nil
}
