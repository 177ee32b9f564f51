// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"

	"tracelab.dev/lab/lab-common/go/order"
	"tracelab.dev/lab/lab-common/go/problem"
	"tracelab.dev/lab/lab-common/go/telemetry"
)

// maxBodyBytes bounds an order request body.
const maxBodyBytes = 16 << 10

// defaultBodyReadTimeout is how long a request body may stall before the answer is 408.
const defaultBodyReadTimeout = 5 * time.Second

// defaultWorkerWait is how long the worker may take to answer after the order's delayMs: it
// answers within 5 s of it (202 once Kafka acknowledged the order, else 503), so this leaves a
// margin for a loaded machine.
const defaultWorkerWait = 10 * time.Second

// ordersHandler is POST /orders: validate, hand the order to the worker over HTTP, answer 202 when
// the worker did (it answers 202 only once Kafka has the order). Anything else is a 5xx problem
// saying the order was NOT accepted: the worker's 503 passes on as 503 with its Retry-After, no
// answer within the bound is 504, the rest 502.
// It runs inside the SERVER span; the worker client decides what crosses the HTTP boundary.
type ordersHandler struct {
	worker  *http.Client
	workURL string
	// bodyReadTimeout bounds reading the body (0: defaultBodyReadTimeout); a stall past it is 408.
	bodyReadTimeout time.Duration
	// workerWait bounds the worker's answer after the order's delayMs (0: defaultWorkerWait).
	workerWait time.Duration
}

type accepted struct {
	OrderID string `json:"orderId"`
	TraceID string `json:"traceId"`
}

func (h *ordersHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o, p := readOrder(w, r, h.readTimeout())
	if p != nil {
		problem.Write(w, r, *p)
		return
	}
	span := trace.SpanFromContext(r.Context())
	span.SetAttributes(telemetry.OrderIDKey.String(o.OrderID))
	ctx := telemetry.WithOrderID(r.Context(), o.OrderID) // stamps the CLIENT span

	if p, retryAfter := h.handOff(ctx, o); p != nil {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		problem.Write(w, r, *p)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(accepted{OrderID: o.OrderID, TraceID: span.SpanContext().TraceID().String()})
}

// handOff posts the order to the worker's /work within delayMs + workerWait. Nil when the worker
// answered 202; else the problem to answer and, for a worker's 503, its Retry-After.
func (h *ordersHandler) handOff(ctx context.Context, o order.Order) (*problem.Problem, string) {
	notAccepted := "order " + o.OrderID + " NOT accepted: "
	body, err := json.Marshal(o)
	if err != nil {
		return ptr(problem.New(http.StatusInternalServerError, notAccepted+"the gateway failed; see its log")), ""
	}
	bound := time.Duration(o.DelayMs)*time.Millisecond + h.waitBound()
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.workURL, bytes.NewReader(body))
	if err != nil {
		return ptr(problem.New(http.StatusBadGateway, notAccepted+"worker URL "+h.workURL+" is not usable")), ""
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.worker.Do(req)
	if err != nil {
		slog.WarnContext(ctx, "worker call failed", "url", h.workURL, "err", err)
		if errors.Is(err, context.DeadlineExceeded) {
			return ptr(problem.New(http.StatusGatewayTimeout,
				fmt.Sprintf("%sthe worker did not answer within %d ms", notAccepted, bound.Milliseconds()))), ""
		}
		return ptr(problem.New(http.StatusBadGateway, notAccepted+"worker unreachable at "+h.workURL+": "+failure(err))), ""
	}
	defer resp.Body.Close() // ends the CLIENT span
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusAccepted:
		return nil, ""
	case http.StatusServiceUnavailable:
		retryAfter := resp.Header.Get("Retry-After")
		if retryAfter == "" {
			retryAfter = "1"
		}
		return ptr(problem.New(http.StatusServiceUnavailable,
			notAccepted+"the worker could not hand it to Kafka ("+workerDetail(resp.StatusCode, answer)+"); retry later")), retryAfter
	default:
		return ptr(problem.New(http.StatusBadGateway, fmt.Sprintf("%sworker answered %d", notAccepted, resp.StatusCode))), ""
	}
}

// workerDetail is the detail of the worker's problem answer, or its status when it has none.
func workerDetail(status int, body []byte) string {
	var p problem.Problem
	if json.Unmarshal(body, &p) == nil && p.Detail != "" {
		return "worker: " + p.Detail
	}
	return fmt.Sprintf("worker answered %d", status)
}

func (h *ordersHandler) waitBound() time.Duration {
	if h.workerWait > 0 {
		return h.workerWait
	}
	return defaultWorkerWait
}

// failure names a failed call's cause without internals.
func failure(err error) string {
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return "cannot connect"
	default:
		return "connection failed"
	}
}

func (h *ordersHandler) readTimeout() time.Duration {
	if h.bodyReadTimeout > 0 {
		return h.bodyReadTimeout
	}
	return defaultBodyReadTimeout
}

// readOrder reads and validates the request body, under a fresh order id. The body must arrive
// within readTimeout (else 408); broken chunking or a body cut short is 400. After either the rest
// of the connection cannot be trusted, so the answer closes it.
func readOrder(w http.ResponseWriter, r *http.Request, readTimeout time.Duration) (order.Order, *problem.Problem) {
	if reason := notJSON(r.Header.Get("Content-Type")); reason != "" {
		return order.Order{}, ptr(problem.New(http.StatusUnsupportedMediaType, reason))
	}
	if r.ContentLength > maxBodyBytes {
		return order.Order{}, tooLarge(fmt.Sprintf(" (%d bytes)", r.ContentLength))
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(readTimeout)) // unsupported writers (tests' recorders) just do not time out
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	_ = rc.SetReadDeadline(time.Time{})
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooBig):
		return order.Order{}, tooLarge("")
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		w.Header().Set("Connection", "close")
		return order.Order{}, ptr(problem.New(http.StatusRequestTimeout,
			fmt.Sprintf("the request body stalled for %d ms", readTimeout.Milliseconds())))
	case errors.Is(err, io.ErrUnexpectedEOF):
		w.Header().Set("Connection", "close")
		return order.Order{}, badRequest("request body truncated: the connection ended before it did")
	case err != nil:
		w.Header().Set("Connection", "close")
		return order.Order{}, badRequest("malformed request body: " + err.Error())
	}
	return validateOrder(body, uuid.NewString())
}

func tooLarge(size string) *problem.Problem {
	return badRequest(fmt.Sprintf("body too large%s; the limit is %d bytes", size, maxBodyBytes))
}

func ptr(p problem.Problem) *problem.Problem { return &p }
