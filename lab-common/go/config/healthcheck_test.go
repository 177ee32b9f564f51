// SPDX-License-Identifier: Apache-2.0

package config

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	e := env(map[string]string{"PORT": port})

	if err := Healthcheck(e, 1); err != nil {
		t.Fatalf("healthy service: %v", err)
	}
	status = http.StatusServiceUnavailable
	if err := Healthcheck(e, 1); err == nil {
		t.Fatal("503 must fail the probe")
	}
	srv.Close()
	if err := Healthcheck(e, 1); err == nil {
		t.Fatal("no listener must fail the probe")
	}
	if err := Healthcheck(env(map[string]string{"PORT": "x" + strconv.Itoa(1)}), 1); err == nil {
		t.Fatal("bad PORT must fail the probe")
	}
}
