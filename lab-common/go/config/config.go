// SPDX-License-Identifier: Apache-2.0

// Package config reads a service process's settings from its environment, with errors that
// name the variable. Every Go service honours the same variables as the Java ones: PORT,
// BIND_HOST, TRACELAB_VARIANT, plus its own (WORKER_URL, KAFKA_BOOTSTRAP_SERVERS).
package config

import (
	"fmt"
	"strconv"
	"strings"
)

// VariantEnv selects which implementation of its boundary a service runs.
const VariantEnv = "TRACELAB_VARIANT"

// Variant is fixed (propagates context), broken (the deliberate defect) or, for the consumer
// only, linked (a new trace joined to the producer's by a span link).
type Variant string

const (
	Fixed  Variant = "fixed"
	Broken Variant = "broken"
	Linked Variant = "linked"
	// Lifecycle (consumer only) is a defect: one subscription span parents every process span.
	Lifecycle Variant = "lifecycle"
	// LifecycleFixed (consumer only) is its fix: per-record traces linked to the lifecycle start span.
	LifecycleFixed Variant = "lifecycle-fixed"
)

// Env looks settings up by name; os.LookupEnv in a process, a map in tests.
type Env func(name string) (string, bool)

// Get is the variable's trimmed value, or def when it is unset or blank.
func (e Env) Get(name, def string) string {
	if v, ok := e(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// BindHost is BIND_HOST, default all interfaces (what a container needs).
func (e Env) BindHost() string {
	return e.Get("BIND_HOST", "0.0.0.0")
}

// Port is PORT, 0 (a free port) to 65535.
func (e Env) Port(def int) (int, error) {
	raw := e.Get("PORT", "")
	if raw == "" {
		return def, nil
	}
	port, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("PORT=%s is not an integer", raw)
	}
	if port < 0 || port > 65535 {
		return 0, fmt.Errorf("PORT=%s is out of range [0, 65535]", raw)
	}
	return port, nil
}

// Variant is TRACELAB_VARIANT: fixed (default), broken, linked, lifecycle or lifecycle-fixed.
func (e Env) Variant() (Variant, error) {
	switch v := Variant(strings.ToLower(e.Get(VariantEnv, string(Fixed)))); v {
	case Fixed, Broken, Linked, Lifecycle, LifecycleFixed:
		return v, nil
	default:
		return "", fmt.Errorf("unknown variant '%s' (expected fixed, broken, linked, lifecycle or lifecycle-fixed)", e.Get(VariantEnv, ""))
	}
}
