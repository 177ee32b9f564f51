// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
)

// ledger is the ground truth of what this consumer did, independent of telemetry: the order ids
// whose processing completed, the ones dead-lettered, and how many redeliveries were skipped.
// Recording an id is the commit point of processing: a record whose id is already here is a
// duplicate and is not processed again. Every completion is listed, so an order processed twice
// anyway (the duplicate check bypassed) is listed twice: the ledger shows double processing.
//
// With a file (LEDGER_FILE) every entry is appended as one line ("processed <id>" or
// "dead-lettered <id>") before the offset is committed, and the file is read back on start, so
// a killed and restarted consumer keeps its ledger. Skipped duplicates are counted in memory only.
type ledger struct {
	mu           sync.Mutex
	processed    []string
	deadLettered []string
	seenIDs      map[string]bool
	duplicates   int64
	file         *os.File
}

const (
	processedLine    = "processed "
	deadLetteredLine = "dead-lettered "
)

func newLedger() *ledger {
	return &ledger{processed: []string{}, deadLettered: []string{}, seenIDs: map[string]bool{}}
}

// openLedger reads path back (if present) and appends to it; "" keeps the ledger in memory.
func openLedger(path string) (*ledger, error) {
	l := newLedger()
	if path == "" {
		return l, nil
	}
	if f, err := os.Open(path); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			line := s.Text()
			if id, ok := strings.CutPrefix(line, processedLine); ok {
				l.record(processedLine, id, &l.processed)
			} else if id, ok := strings.CutPrefix(line, deadLetteredLine); ok {
				l.record(deadLetteredLine, id, &l.deadLettered)
			}
		}
		f.Close()
		if err := s.Err(); err != nil {
			return nil, fmt.Errorf("LEDGER_FILE=%s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("LEDGER_FILE=%s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("LEDGER_FILE=%s: %w", path, err)
	}
	l.file = f
	return l, nil
}

// seen tells whether id was processed or dead-lettered already.
func (l *ledger) seen(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seenIDs[processedLine+id] || l.seenIDs[deadLetteredLine+id]
}

func (l *ledger) duplicateSkipped() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.duplicates++
}

func (l *ledger) markProcessed(id string) error { return l.add(processedLine, id, &l.processed) }

func (l *ledger) markDeadLettered(id string) error {
	return l.add(deadLetteredLine, id, &l.deadLettered)
}

func (l *ledger) add(kind, id string, list *[]string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file != nil {
		if _, err := l.file.WriteString(kind + id + "\n"); err != nil {
			return fmt.Errorf("ledger file: %w", err)
		}
	}
	l.record(kind, id, list)
	return nil
}

func (l *ledger) record(kind, id string, list *[]string) {
	l.seenIDs[kind+id] = true
	*list = append(*list, id)
}

type ledgerJSON struct {
	Processed         []string `json:"processed"`
	DeadLettered      []string `json:"deadLettered"`
	DuplicatesSkipped int64    `json:"duplicatesSkipped"`
}

func (l *ledger) snapshot() ledgerJSON {
	l.mu.Lock()
	defer l.mu.Unlock()
	return ledgerJSON{
		Processed:         append([]string{}, l.processed...),
		DeadLettered:      append([]string{}, l.deadLettered...),
		DuplicatesSkipped: l.duplicates,
	}
}

// serve answers GET /ledger with the ledger as JSON. No span.
func (l *ledger) serve(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(l.snapshot())
}

func (l *ledger) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file != nil {
		l.file.Close()
		l.file = nil
	}
}
