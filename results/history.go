package results

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// HistoryFile is the name of the run history in the reports directory: one JSON line per run, appended,
// which the reports and the living documentation read for the latest result per target and the trend.
const HistoryFile = "history.jsonl"

// HistoryLine is one run in the history.
type HistoryLine struct {
	Started  time.Time      `json:"started"`
	Duration time.Duration  `json:"duration_ns"`
	Profile  string         `json:"profile"`
	Target   string         `json:"target"`
	Embedded bool           `json:"embedded_mock,omitempty"`
	Kind     string         `json:"target_kind,omitempty"` // Run.Kind
	Dialect  string         `json:"dialect,omitempty"`
	Control  bool           `json:"mock_control,omitempty"`
	Harness  string         `json:"harness"`
	Commit   string         `json:"commit,omitempty"`
	Tags     string         `json:"tags,omitempty"`
	Seed     int64          `json:"seed"`
	Counts   map[string]int `json:"counts"`
	Flaky    int            `json:"flaky"`
	// Requests and RateLimited total the Auth-group budgets.
	Requests    int    `json:"auth_requests"`
	RateLimited int    `json:"rate_limited"`
	Stopped     string `json:"stopped,omitempty"`
	// Results is the run's results.json, relative to the history file.
	Results string `json:"results,omitempty"`
	// Features are the scenario outcomes per feature file, for the latest result per feature once the
	// run's results.json is gone.
	Features map[string]map[string]int `json:"features,omitempty"`
}

// Line summarizes r for the history; results is where its results.json lies.
func Line(r *Run, results string) HistoryLine {
	l := HistoryLine{
		Started: r.Started, Duration: r.Duration, Profile: r.Profile, Target: r.Target, Embedded: r.Embedded,
		Kind: r.Kind, Dialect: r.Dialect,
		Control: r.Control, Harness: r.Harness, Commit: r.Commit, Tags: r.Tags, Seed: r.Seed, Counts: r.Counts,
		Stopped: r.Stopped, Results: results, Features: map[string]map[string]int{},
	}
	for _, s := range r.Scenarios {
		if l.Features[s.Feature] == nil {
			l.Features[s.Feature] = map[string]int{}
		}
		l.Features[s.Feature][s.Status]++
		if len(s.Flaky) > 0 && s.Status == Passed {
			l.Flaky++
		}
	}
	for _, b := range r.Budgets {
		l.Requests += b.Requests
		l.RateLimited += b.RateLimited
	}
	return l
}

// KindOf is the line's kind of target: the one its run recorded, or else the one its target says.
func (l HistoryLine) KindOf() string {
	if l.Kind != "" {
		return l.Kind
	}
	return TargetKind(l.Target, l.Embedded, l.Dialect)
}

// AppendHistory appends one line to the history at path, creating it if needed.
func AppendHistory(path string, l HistoryLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("results: encoding a history line: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("results: %w", err)
	}
	return f.Close()
}

// ReadHistory reads the history at path, oldest first; a missing file is an empty history. A line that is
// not a history line (a hand edit, a crash mid-write) is an error naming the line.
func ReadHistory(path string) ([]HistoryLine, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	var out []HistoryLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var l HistoryLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("results: %s:%d: %w", path, n, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("results: %s: %w", path, err)
	}
	return out, nil
}
