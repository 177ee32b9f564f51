// SPDX-License-Identifier: Apache-2.0

package telemetry

import (
	"context"
	"slices"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestPropagatorFromEnv(t *testing.T) {
	tests := []struct {
		env     string
		fields  []string
		wantErr string
	}{
		{"", []string{"baggage", "traceparent", "tracestate"}, ""},
		{"tracecontext", []string{"traceparent", "tracestate"}, ""},
		{"b3multi", []string{"x-b3-flags", "x-b3-sampled", "x-b3-spanid", "x-b3-traceid"}, ""},
		{"tracecontext, b3", []string{"b3", "traceparent", "tracestate"}, ""},
		{"w3c", nil, "OTEL_PROPAGATORS=w3c"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv("OTEL_PROPAGATORS", tt.env)
			p, err := propagatorFromEnv()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := p.Fields()
			slices.Sort(got)
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
		})
	}
}

func TestFromEnvDefaultsTheServiceNameAndRejectsUnsupportedSettings(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	t.Setenv("OTEL_SERVICE_NAME", "")
	tel, err := FromEnv(context.Background(), "gateway-svc")
	if err != nil {
		t.Fatal(err)
	}
	spans := tracetest.NewSpanRecorder()
	tel.TracerProvider.RegisterSpanProcessor(spans)
	_, s := tel.TracerProvider.Tracer("t").Start(context.Background(), "x")
	s.End()
	if got := spans.Ended()[0].Resource().Set(); !got.HasValue("service.name") {
		t.Fatalf("no service.name")
	} else if v, _ := got.Value("service.name"); v.AsString() != "gateway-svc" {
		t.Errorf("service.name = %q", v.AsString())
	}
	_ = tel.Shutdown(context.Background())

	for k, v := range map[string]string{"OTEL_TRACES_EXPORTER": "zipkin", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"} {
		t.Run(k, func(t *testing.T) {
			t.Setenv("OTEL_TRACES_EXPORTER", "")
			t.Setenv(k, v)
			if _, err := FromEnv(context.Background(), "gateway-svc"); err == nil || !strings.Contains(err.Error(), k+"="+v) {
				t.Errorf("err = %v, want one naming %s=%s", err, k, v)
			}
		})
	}
}

func TestOTELSDKDisabledRecordsNothing(t *testing.T) {
	for _, tt := range []struct {
		value    string
		disabled bool
	}{{"true", true}, {"TRUE", true}, {" true ", true}, {"false", false}, {"", false}, {"1", false}} {
		t.Run(tt.value, func(t *testing.T) {
			t.Setenv("OTEL_TRACES_EXPORTER", "none")
			t.Setenv("OTEL_SDK_DISABLED", tt.value)
			tel, err := FromEnv(context.Background(), "gateway-svc")
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = tel.Shutdown(context.Background()) }()
			_, s := tel.TracerProvider.Tracer("t").Start(context.Background(), "x")
			s.End()
			if got := s.IsRecording() || s.SpanContext().IsSampled(); got == tt.disabled {
				t.Errorf("OTEL_SDK_DISABLED=%q: recorded/sampled = %v, want %v", tt.value, got, !tt.disabled)
			}
		})
	}
}

func TestOrderIDStamperStampsSpansStartedFromAnOrderContext(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(OrderIDStamper{}), sdktrace.WithSpanProcessor(spans))
	tracer := tp.Tracer("t")

	ctx, parent := tracer.Start(context.Background(), "parent")
	_, child := tracer.Start(WithOrderID(ctx, "o-1"), "child")
	child.End()
	parent.End()

	for _, s := range spans.Ended() {
		var got string
		for _, kv := range s.Attributes() {
			if kv.Key == OrderIDKey {
				got = kv.Value.AsString()
			}
		}
		if want := map[string]string{"parent": "", "child": "o-1"}[s.Name()]; got != want {
			t.Errorf("%s app.order_id = %q, want %q", s.Name(), got, want)
		}
	}
}
