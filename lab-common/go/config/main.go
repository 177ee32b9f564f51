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
// UsageError, 1 for any other error.
func Main(service string, run func() error) {
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
