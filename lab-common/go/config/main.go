// SPDX-License-Identifier: Apache-2.0

package config

import (
	"errors"
	"fmt"
	"os"
)

// UsageError is a bad setting: the process exits with code 2 and a one-line message, as the Java
// services and the ./lab CLI do.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usage marks err as a bad setting.
func Usage(err error) error { return UsageError{Err: err} }

// Main runs a service and exits: 0 when run returns nil, 2 with "service: message" for a
// UsageError, 1 for any other error. Started with the single argument -healthcheck it is the
// container's HEALTHCHECK instead (the image has no shell and no curl): GET /health on PORT
// (default defaultPort), exit 0 on a 200.
func Main(service string, defaultPort int, run func() error) {
	if len(os.Args) == 2 && os.Args[1] == HealthcheckFlag {
		if err := Healthcheck(os.LookupEnv, defaultPort); err != nil {
			fmt.Fprintln(os.Stderr, service+": healthcheck:", err)
			os.Exit(1)
		}
		return
	}
	err := run()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, service+":", err)
	if errors.As(err, new(UsageError)) {
		os.Exit(2)
	}
	os.Exit(1)
}
