// SPDX-License-Identifier: Apache-2.0

package config

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// HealthcheckFlag is the one argument that turns a service binary into its own container health
// probe: the Go images are FROM scratch (no shell, no curl), so their HEALTHCHECK runs
// `<binary> -healthcheck`, which GETs http://127.0.0.1:$PORT/health.
const HealthcheckFlag = "-healthcheck"

// Healthcheck GETs /health of the service on loopback at PORT (def when unset) and returns nil
// on a 200, an error naming what failed otherwise.
func Healthcheck(env Env, def int) error {
	port, err := env.Port(def)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * time.Second}
	url := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + "/health"
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
