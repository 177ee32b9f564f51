// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"tracelab.dev/lab/lab-common/go/config"
)

const order1 = `{"sku":"ABC-1","quantity":1}`

// rawGateway is a gateway in front of a worker stub answering 202, with a short body read timeout.
func rawGateway(t *testing.T, readTimeout time.Duration) string {
	t.Helper()
	tp := sdktrace.NewTracerProvider()
	worker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/health" {
			return // 200
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(worker.Close)
	gw := httptest.NewServer(newHandler(&ordersHandler{worker: workerClient(config.Fixed, tp, w3c),
		workURL: worker.URL + "/work", bodyReadTimeout: readTimeout}, tp, w3c))
	t.Cleanup(gw.Close)
	return gw.Listener.Addr().String()
}

// rawSend writes request exactly as given; halfClose ends the request stream there (net/http then
// cancels the request's context: a client that half-closes is gone, so only broken requests do).
func rawSend(t *testing.T, addr, request string, halfClose bool) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	if halfClose {
		_ = conn.(*net.TCPConn).CloseWrite()
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func wantProblem(t *testing.T, resp *http.Response, status int) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("got %d %s %s, want %d problem+json", resp.StatusCode, resp.Header.Get("Content-Type"), body, status)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil || p["status"] != float64(status) {
		t.Fatalf("problem body %s", body)
	}
	return p
}

func post(contentType, body string) string {
	return fmt.Sprintf("POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		contentType, len(body), body)
}

const chunkedHead = "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"

func TestWellFormedChunkedBodyIsAccepted(t *testing.T) {
	addr := rawGateway(t, time.Second)
	resp := rawSend(t, addr, chunkedHead+fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(order1), order1), false)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestMalformedBodiesAre400(t *testing.T) {
	addr := rawGateway(t, time.Second)
	for name, request := range map[string]string{
		"bad chunk size":    chunkedHead + "zz\r\n" + order1 + "\r\n0\r\n\r\n",
		"truncated chunked": chunkedHead + "40\r\n{\"sku\":",
		"truncated length":  "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\nConnection: close\r\n\r\n" + order1,
		"trailing garbage":  post("application/json", order1+" x"),
		"two values":        post("application/json", order1+order1),
		"truncated json":    post("application/json", `{"sku":"ABC-1","quan`),
	} {
		t.Run(name, func(t *testing.T) {
			wantProblem(t, rawSend(t, addr, request, true), http.StatusBadRequest)
		})
	}
}

func TestStalledBodyIs408(t *testing.T) {
	timeout := 700 * time.Millisecond
	addr := rawGateway(t, timeout)
	t0 := time.Now()
	resp := rawSend(t, addr, "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"+order1, false)
	took := time.Since(t0)
	wantProblem(t, resp, http.StatusRequestTimeout)
	if took < timeout || took > timeout+5*time.Second {
		t.Errorf("answered after %v, want about %v", took, timeout)
	}
	if !resp.Close {
		t.Errorf("408 without Connection: close")
	}
}

func TestNonJSONContentTypeIs415(t *testing.T) {
	addr := rawGateway(t, time.Second)
	wantProblem(t, rawSend(t, addr, post("text/plain", order1), true), http.StatusUnsupportedMediaType)
	wantProblem(t, rawSend(t, addr, "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", true),
		http.StatusUnsupportedMediaType)
}

func TestWrongMethodIs405WithAllow(t *testing.T) {
	addr := rawGateway(t, time.Second)
	for _, m := range []string{"GET", "PUT", "DELETE", "PATCH"} {
		resp := rawSend(t, addr, m+" /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", true)
		wantProblem(t, resp, http.StatusMethodNotAllowed)
		if got := resp.Header.Get("Allow"); got != "POST" {
			t.Errorf("%s: Allow = %q", m, got)
		}
	}
}

func TestReadinessFollowsTheWorker(t *testing.T) {
	addr := rawGateway(t, time.Second)
	if resp := rawSend(t, addr, "GET /health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false); resp.StatusCode != 200 {
		t.Fatalf("ready: %d", resp.StatusCode)
	}
	lab := startLab(t, config.Fixed, 0, w3c) // worker unreachable
	resp, body := lab.do(t, "GET", "/health/ready", "", "", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"status":503`) {
		t.Errorf("not ready: %d %s", resp.StatusCode, body)
	}
	if resp, _ := lab.do(t, "GET", "/health", "", "", nil); resp.StatusCode != 200 {
		t.Errorf("liveness: %d", resp.StatusCode)
	}
	if spans := lab.ended(t); len(spans) != 0 {
		t.Errorf("health made spans")
	}
}
