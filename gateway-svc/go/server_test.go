// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/propagators/b3"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"tracelab.dev/lab/lab-common/go/config"
	"tracelab.dev/lab/lab-common/go/flow"
	"tracelab.dev/lab/lab-common/go/problem"
	"tracelab.dev/lab/lab-common/go/telemetry"
)

var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// testLab is a gateway on loopback in front of a worker stub, with an in-memory span recorder.
type testLab struct {
	spans   *tracetest.SpanRecorder
	gateway *httptest.Server
	calls   chan *http.Request // what the worker stub received
}

// startLab starts the gateway; workerStatus 0 means the worker is unreachable.
func startLab(t *testing.T, v config.Variant, workerStatus int, prop propagation.TextMapPropagator) *testLab {
	t.Helper()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(telemetry.OrderIDStamper{}), sdktrace.WithSpanProcessor(spans))
	calls := make(chan *http.Request, 10)
	worker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls <- r
		w.WriteHeader(workerStatus)
	}))
	workerURL := worker.URL
	if workerStatus == 0 {
		worker.Close()
	} else {
		t.Cleanup(worker.Close)
	}
	gw := httptest.NewServer(newHandler(&ordersHandler{worker: workerClient(v, tp, prop), workURL: workerURL + "/work"}, tp, prop))
	t.Cleanup(gw.Close)
	return &testLab{spans: spans, gateway: gw, calls: calls}
}

// do sends one request and returns the response with its body read.
func (l *testLab) do(t *testing.T, method, path, contentType, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, l.gateway.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := l.gateway.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// ended closes the gateway, which waits for its handlers to return (so every span that will
// ever end has ended), and returns the spans by name.
func (l *testLab) ended(t *testing.T) map[string]sdktrace.ReadOnlySpan {
	t.Helper()
	l.gateway.Close()
	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range l.spans.Ended() {
		byName[s.Name()] = s
	}
	if len(byName) != len(l.spans.Ended()) {
		t.Fatalf("span names not unique: %v", names(l.spans.Ended()))
	}
	if len(l.spans.Started()) != len(l.spans.Ended()) {
		t.Fatalf("started %v but ended %v", names(l.spans.Started()), names(l.spans.Ended()))
	}
	return byName
}

func names[S sdktrace.ReadOnlySpan](spans []S) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.SpanKind().String()+" "+s.Name())
	}
	return out
}

func attr(s sdktrace.ReadOnlySpan, key attribute.Key) attribute.Value {
	for _, kv := range s.Attributes() {
		if kv.Key == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

func decodeAccepted(t *testing.T, resp *http.Response, body []byte) accepted {
	t.Helper()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status = %d, body %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var a accepted
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	return a
}

func decodeProblem(t *testing.T, resp *http.Response, body []byte, status int) problem.Problem {
	t.Helper()
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != problem.ContentType {
		t.Fatalf("got %d %s %s, want %d problem+json", resp.StatusCode, resp.Header.Get("Content-Type"), body, status)
	}
	var p problem.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != status || p.Title != http.StatusText(status) || p.Type != "about:blank" {
		t.Errorf("problem = %+v", p)
	}
	if strings.Contains(string(body), "goroutine") || strings.Contains(string(body), ".go:") {
		t.Errorf("problem leaks internals: %s", body)
	}
	return p
}

// assertFragment checks the gateway's two spans of one request: SERVER POST /orders (parent
// serverParent, invalid for a root) and its child CLIENT POST, both carrying app.order_id.
func assertFragment(t *testing.T, spans map[string]sdktrace.ReadOnlySpan, a accepted, serverParent trace.SpanContext) (server, client sdktrace.ReadOnlySpan) {
	t.Helper()
	if len(spans) != 2 {
		t.Fatalf("spans = %v, want exactly SERVER %q and CLIENT %q", names(mapValues(spans)), flow.GatewayServerSpan, flow.GatewayClientSpan)
	}
	server, client = spans[flow.GatewayServerSpan], spans[flow.GatewayClientSpan]
	if server == nil || server.SpanKind() != trace.SpanKindServer || client == nil || client.SpanKind() != trace.SpanKindClient {
		t.Fatalf("spans = %v", names(mapValues(spans)))
	}
	if server.Parent().SpanID() != serverParent.SpanID() || server.Parent().TraceID() != serverParent.TraceID() {
		t.Errorf("server parent = %v, want %v", server.Parent(), serverParent)
	}
	if client.Parent().SpanID() != server.SpanContext().SpanID() || client.SpanContext().TraceID() != server.SpanContext().TraceID() {
		t.Errorf("client parent = %v, want the server span %v", client.Parent(), server.SpanContext())
	}
	if a.TraceID != server.SpanContext().TraceID().String() {
		t.Errorf("traceId = %s, want %s", a.TraceID, server.SpanContext().TraceID())
	}
	for _, s := range []sdktrace.ReadOnlySpan{server, client} {
		if got := attr(s, telemetry.OrderIDKey).AsString(); got != a.OrderID {
			t.Errorf("%s app.order_id = %q, want %q", s.Name(), got, a.OrderID)
		}
	}
	if got := attr(server, "http.route").AsString(); got != "/orders" {
		t.Errorf("http.route = %q", got)
	}
	if got := attr(server, "http.response.status_code").AsInt64(); got != 202 {
		t.Errorf("server status code = %d", got)
	}
	if got := attr(client, "http.response.status_code").AsInt64(); got != 202 {
		t.Errorf("client status code = %d", got)
	}
	return server, client
}

func mapValues(m map[string]sdktrace.ReadOnlySpan) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range m {
		out = append(out, s)
	}
	return out
}

const validOrder = `{"sku": "ABC-1", "quantity": 2}`

func TestFixedGatewayPropagatesTheClientSpanToTheWorker(t *testing.T) {
	lab := startLab(t, config.Fixed, http.StatusAccepted, w3c)

	resp, body := lab.do(t, "POST", "/orders", "application/json", validOrder, nil)
	a := decodeAccepted(t, resp, body)
	call := <-lab.calls
	server, client := assertFragment(t, lab.ended(t), a, trace.SpanContext{})

	want := "00-" + server.SpanContext().TraceID().String() + "-" + client.SpanContext().SpanID().String() + "-01"
	if got := call.Header.Get("traceparent"); got != want {
		t.Errorf("worker got traceparent %q, want %q (parent = the CLIENT span)", got, want)
	}
	if got := call.Header.Get("X-Trace-ID"); got != "" {
		t.Errorf("worker got X-Trace-ID %q", got)
	}
	wantResponse := "00-" + server.SpanContext().TraceID().String() + "-" + server.SpanContext().SpanID().String() + "-01"
	if got := resp.Header.Get("traceresponse"); got != wantResponse {
		t.Errorf("traceresponse = %q, want %q", got, wantResponse)
	}
	if call.Method != "POST" || call.URL.Path != "/work" || call.Header.Get("Content-Type") != "application/json" {
		t.Errorf("worker call = %s %s %s", call.Method, call.URL.Path, call.Header.Get("Content-Type"))
	}
}

func TestWorkerReceivesTheOrderAsJSON(t *testing.T) {
	bodies := make(chan string, 1)
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	worker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- string(b)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer worker.Close()
	gw := httptest.NewServer(newHandler(&ordersHandler{worker: workerClient(config.Fixed, tp, w3c), workURL: worker.URL + "/work"}, tp, w3c))
	defer gw.Close()

	resp, err := gw.Client().Post(gw.URL+"/orders", "application/json", strings.NewReader(`{"sku":"A-1","quantity":3,"fail":true,"delayMs":250}`))
	if err != nil {
		t.Fatal(err)
	}
	var a accepted
	_ = json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()

	want := `{"orderId":"` + a.OrderID + `","sku":"A-1","quantity":3,"fail":true,"delayMs":250}`
	if got := <-bodies; got != want {
		t.Errorf("worker body = %s, want %s", got, want)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(a.OrderID) {
		t.Errorf("orderId %q is not a UUID", a.OrderID)
	}
}

func TestIncomingTraceparentIsContinued(t *testing.T) {
	lab := startLab(t, config.Fixed, http.StatusAccepted, w3c)
	caller := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    mustTraceID("4bf92f3577b34da6a3ce929d0e0e4736"),
		SpanID:     mustSpanID("00f067aa0ba902b7"),
		TraceFlags: trace.FlagsSampled,
		Remote:     true,
	})

	resp, body := lab.do(t, "POST", "/orders", "application/json", validOrder,
		map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
	a := decodeAccepted(t, resp, body)
	<-lab.calls
	assertFragment(t, lab.ended(t), a, caller)

	if a.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("traceId = %s, want the caller's", a.TraceID)
	}
}

func TestB3MultiPropagatorIsHonoured(t *testing.T) {
	lab := startLab(t, config.Fixed, http.StatusAccepted, b3.New(b3.WithInjectEncoding(b3.B3MultipleHeader)))

	resp, body := lab.do(t, "POST", "/orders", "application/json", validOrder, map[string]string{
		"X-B3-TraceId": "4bf92f3577b34da6a3ce929d0e0e4736", "X-B3-SpanId": "00f067aa0ba902b7", "X-B3-Sampled": "1",
	})
	a := decodeAccepted(t, resp, body)
	call := <-lab.calls
	_, client := assertFragment(t, lab.ended(t), a, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: mustTraceID("4bf92f3577b34da6a3ce929d0e0e4736"), SpanID: mustSpanID("00f067aa0ba902b7"),
	}))
	if got := call.Header.Get("X-B3-SpanId"); got != client.SpanContext().SpanID().String() {
		t.Errorf("X-B3-SpanId = %q, want the CLIENT span %s", got, client.SpanContext().SpanID())
	}
	if got := call.Header.Get("traceparent"); got != "" {
		t.Errorf("traceparent %q sent with b3multi only", got)
	}
}

func TestBrokenGatewaySendsOnlyXTraceID(t *testing.T) {
	lab := startLab(t, config.Broken, http.StatusAccepted, w3c)

	resp, body := lab.do(t, "POST", "/orders", "application/json", validOrder, nil)
	a := decodeAccepted(t, resp, body)
	call := <-lab.calls
	assertFragment(t, lab.ended(t), a, trace.SpanContext{}) // the fragment {1,2} is whole

	for _, h := range []string{"traceparent", "tracestate", "baggage"} {
		if got := call.Header.Get(h); got != "" {
			t.Errorf("worker got %s %q from the broken gateway", h, got)
		}
	}
	if id := call.Header.Get("X-Trace-ID"); !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("X-Trace-ID = %q, want a UUID", id)
	}
}

func TestWorkerFailuresAre502Problems(t *testing.T) {
	tests := []struct {
		name         string
		variant      config.Variant
		workerStatus int // 0: unreachable
		detail       string
		clientCode   int64
	}{
		{"fixed, unreachable", config.Fixed, 0, "worker unreachable at ", 0},
		{"broken, unreachable", config.Broken, 0, "worker unreachable at ", 0},
		{"fixed, worker 500", config.Fixed, 500, "worker answered 500", 500},
		{"broken, worker 500", config.Broken, 500, "worker answered 500", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := startLab(t, tt.variant, tt.workerStatus, w3c)

			resp, body := lab.do(t, "POST", "/orders", "application/json", validOrder, nil)
			p := decodeProblem(t, resp, body, http.StatusBadGateway)
			if !strings.Contains(p.Detail, tt.detail) || p.Instance != "/orders" {
				t.Errorf("problem = %+v, want detail containing %q", p, tt.detail)
			}
			spans := lab.ended(t)
			if len(spans) != 2 {
				t.Fatalf("spans = %v", names(mapValues(spans)))
			}
			server, client := spans[flow.GatewayServerSpan], spans[flow.GatewayClientSpan]
			if server.Status().Code != codes.Error || attr(server, "http.response.status_code").AsInt64() != 502 {
				t.Errorf("server span status %v code %v, want ERROR 502", server.Status(), attr(server, "http.response.status_code"))
			}
			if client.Status().Code != codes.Error || attr(client, "http.response.status_code").AsInt64() != tt.clientCode {
				t.Errorf("client span status %v code %v, want ERROR %d", client.Status(), attr(client, "http.response.status_code"), tt.clientCode)
			}
			if client.Parent().SpanID() != server.SpanContext().SpanID() {
				t.Errorf("client parent %v", client.Parent())
			}
		})
	}
}

// A worker that could not get the order acknowledged by Kafka answers 503 with Retry-After: the
// client gets a 503 problem saying the order was NOT accepted, with the worker's Retry-After.
func TestWorkerRefusalIsA503ProblemWithRetryAfter(t *testing.T) {
	for _, v := range []config.Variant{config.Fixed, config.Broken} {
		t.Run(string(v), func(t *testing.T) {
			tp := sdktrace.NewTracerProvider()
			worker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Retry-After", "3")
				problem.Write(w, r, problem.New(http.StatusServiceUnavailable, "order x NOT accepted: Kafka did not acknowledge it within 5000 ms"))
			}))
			t.Cleanup(worker.Close)
			gw := httptest.NewServer(newHandler(&ordersHandler{worker: workerClient(v, tp, w3c), workURL: worker.URL + "/work"}, tp, w3c))
			t.Cleanup(gw.Close)

			resp, err := gw.Client().Post(gw.URL+"/orders", "application/json", strings.NewReader(validOrder))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			p := decodeProblem(t, resp, body, http.StatusServiceUnavailable)
			if got := resp.Header.Get("Retry-After"); got != "3" {
				t.Errorf("Retry-After = %q, want 3", got)
			}
			if !strings.Contains(p.Detail, "NOT accepted") || !strings.Contains(p.Detail, "Kafka did not acknowledge it within 5000 ms") {
				t.Errorf("detail = %q", p.Detail)
			}
		})
	}
}

// A worker that does not answer within the bound (delayMs + workerWait) is a 504 problem: the
// order was NOT accepted.
func TestSilentWorkerIsA504Problem(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	release := make(chan struct{})
	worker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(worker.Close)
	t.Cleanup(func() { close(release) })
	gw := httptest.NewServer(newHandler(&ordersHandler{worker: workerClient(config.Fixed, tp, w3c), workURL: worker.URL + "/work", workerWait: 200 * time.Millisecond}, tp, w3c))
	t.Cleanup(gw.Close)

	resp, err := gw.Client().Post(gw.URL+"/orders", "application/json", strings.NewReader(validOrder))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := decodeProblem(t, resp, body, http.StatusGatewayTimeout)
	if !strings.Contains(p.Detail, "NOT accepted: the worker did not answer within 200 ms") {
		t.Errorf("detail = %q", p.Detail)
	}
}

func TestBadRequestsAre4xxProblemsWithOneServerSpan(t *testing.T) {
	big := `{"sku":"` + strings.Repeat("A", 20_000) + `","quantity":1}`
	tests := []struct {
		name, contentType, body, detail string
		status                          int
	}{
		{"malformed JSON", "application/json", `{"sku": "ABC-1", `, "body is not valid JSON", 0},
		{"not an object", "application/json", `[1,2]`, "body must be a JSON object", 0},
		{"missing sku", "application/json", `{"quantity": 1}`, "invalid field(s): sku", 0},
		{"quantity as string", "application/json", `{"sku": "ABC-1", "quantity": "2"}`, "invalid field(s): quantity", 0},
		{"wrong content type", "text/plain", validOrder, "Content-Type must be application/json, was text/plain", 415},
		{"no content type", "", validOrder, "Content-Type must be application/json, was none", 415},
		{"a type that starts like JSON", "application/jsonx", validOrder, "Content-Type must be application/json, was application/jsonx", 415},
		{"a +json type", "application/json-patch+json", validOrder, "Content-Type must be application/json, was application/json-patch+json", 415},
		{"JSON not in UTF-8", "application/json; charset=iso-8859-1", validOrder, "Content-Type must be application/json in UTF-8 (charset utf-8 or none), was application/json; charset=iso-8859-1", 415},
		{"charset is fine but body is not", "application/json; charset=utf-8", `{}`, "invalid field(s): sku, quantity", 0},
		{"oversized body", "application/json", big, fmt.Sprintf("body too large (%d bytes); the limit is 16384 bytes", len(big)), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := startLab(t, config.Fixed, http.StatusAccepted, w3c)

			resp, body := lab.do(t, "POST", "/orders", tt.contentType, tt.body, nil)
			status := tt.status
			if status == 0 {
				status = http.StatusBadRequest
			}
			p := decodeProblem(t, resp, body, status)
			if p.Detail != tt.detail || p.Instance != "/orders" {
				t.Errorf("problem = %+v, want detail %q", p, tt.detail)
			}
			spans := lab.ended(t)
			server := spans[flow.GatewayServerSpan]
			if len(spans) != 1 || server == nil {
				t.Fatalf("spans = %v, want the SERVER span only", names(mapValues(spans)))
			}
			if server.Status().Code != codes.Unset || attr(server, "http.response.status_code").AsInt64() != int64(status) {
				t.Errorf("server span %v %v, want UNSET (a client error) and %d", server.Status(), attr(server, "http.response.status_code"), status)
			}
			if len(lab.calls) != 0 {
				t.Errorf("the worker was called")
			}
		})
	}
}

func TestProblemListsTheInvalidFields(t *testing.T) {
	lab := startLab(t, config.Fixed, http.StatusAccepted, w3c)

	resp, body := lab.do(t, "POST", "/orders", "application/json", `{"sku": "ABC 1", "quantity": 0}`, nil)

	want := `{"type":"about:blank","title":"Bad Request","status":400,"detail":"invalid field(s): sku, quantity",` +
		`"instance":"/orders","errors":[{"pointer":"#/sku","detail":"sku: must be 1-64 characters of A-Z, a-z, 0-9 and -"},` +
		`{"pointer":"#/quantity","detail":"quantity: must be an integer from 1 to 1000"}]}`
	if resp.StatusCode != 400 || string(body) != want {
		t.Errorf("got %d %s\nwant %s", resp.StatusCode, body, want)
	}
}

func TestUntracedRoutes(t *testing.T) {
	tests := []struct {
		name, method, path string
		status             int
		body               string
	}{
		{"health", "GET", "/health", 200, `{"status":"UP"}` + "\n"},
		{"unknown route", "GET", "/nope", 404,
			`{"type":"about:blank","title":"Not Found","status":404,"detail":"no route GET /nope","instance":"/nope"}`},
		{"wrong method", "GET", "/orders", 405,
			`{"type":"about:blank","title":"Method Not Allowed","status":405,"detail":"GET /orders; allowed: POST","instance":"/orders"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := startLab(t, config.Fixed, http.StatusAccepted, w3c)

			resp, body := lab.do(t, tt.method, tt.path, "", "",
				map[string]string{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
			if resp.StatusCode != tt.status || string(body) != tt.body {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			if spans := lab.ended(t); len(spans) != 0 {
				t.Errorf("spans = %v, want none", names(mapValues(spans)))
			}
			if got := resp.Header.Get("traceresponse"); got != "" {
				t.Errorf("traceresponse %q on an untraced route", got)
			}
		})
	}
}

func TestUnsampledRequestAnswersTraceresponseWithFlags00(t *testing.T) {
	lab := startLab(t, config.Fixed, http.StatusAccepted, w3c)

	resp, body := lab.do(t, "POST", "/orders", "application/json", validOrder,
		map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"})
	decodeAccepted(t, resp, body)
	call := <-lab.calls

	tr := resp.Header.Get("traceresponse")
	if !regexp.MustCompile(`^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$`).MatchString(tr) {
		t.Errorf("traceresponse = %q", tr)
	}
	if tp := call.Header.Get("traceparent"); !regexp.MustCompile(`^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$`).MatchString(tp) {
		t.Errorf("worker traceparent = %q", tp)
	}
	if spans := lab.ended(t); len(spans) != 0 {
		t.Errorf("recorded %v for an unsampled trace", names(mapValues(spans)))
	}
}

func mustTraceID(s string) trace.TraceID {
	id, err := trace.TraceIDFromHex(s)
	if err != nil {
		panic(err)
	}
	return id
}

func mustSpanID(s string) trace.SpanID {
	id, err := trace.SpanIDFromHex(s)
	if err != nil {
		panic(err)
	}
	return id
}

func TestOversizedChunkedBodyIsA400Problem(t *testing.T) {
	lab := startLab(t, config.Fixed, http.StatusAccepted, w3c)
	body := `{"sku":"` + strings.Repeat("A", 20_000) + `","quantity":1}`
	// a reader of unknown length: the body goes chunked, without Content-Length
	resp, err := lab.gateway.Client().Post(lab.gateway.URL+"/orders", "application/json", io.MultiReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)

	p := decodeProblem(t, resp, b, http.StatusBadRequest)
	if p.Detail != "body too large; the limit is 16384 bytes" {
		t.Errorf("detail = %q", p.Detail)
	}
	if spans := lab.ended(t); len(spans) != 1 {
		t.Errorf("spans = %v", names(mapValues(spans)))
	}
}
