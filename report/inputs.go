package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/drift"
	"github.com/rcoauth/conformance/results"
)

// The files the real-target path writes and the report reads, all optional (README "Reports").
const (
	// HistoryFile, in the reports directory, has one HistoryEntry per line, one line per run.
	HistoryFile = "history.jsonl"
	// DriftFile, in the reports directory, is the latest Drift between the mock and RingCentral.
	DriftFile = "drift.json"
	// BaselineDir holds one Baseline per profile, <profile>.json, in the repository.
	BaselineDir = "baselines"
)

// Baseline is a profile's known-deviation baseline, baselines/<profile>.json: the scenarios expected not
// to pass against that target, and why. The file may also be a bare JSON array of entries.
type Baseline struct {
	// Profile is the profile the baseline is for; the file's name gives it when absent.
	Profile string          `json:"profile,omitempty"`
	Entries []BaselineEntry `json:"entries"` // in the order the file lists them
}

// BaselineEntry is one expected outcome of a scenario against a target.
type BaselineEntry struct {
	// Scenario is the scenario's name; for an outline, Example narrows it to one row (its values as the
	// scenario's name shows them) or is empty for every row.
	// Feature, optional, is the feature file as the run records it ("features/refresh.feature").
	Scenario string `json:"scenario"`
	Feature  string `json:"feature,omitempty"`
	Example  string `json:"example,omitempty"`
	// Expect is the outcome the target is known to give: "fail", "warn" or "deviation".
	Expect string `json:"expect"`
	// Reason says why, for a reader of the report; Link, optional, points at the evidence.
	Reason string `json:"reason"`
	Link   string `json:"link,omitempty"`
	// Recorded is the date the entry was recorded (YYYY-MM-DD).
	Recorded string `json:"recorded,omitempty"`
}

// Drift is drift.json: how RingCentral's answers differed from the mock's for the same scenarios.
type Drift struct {
	// Generated is when the comparison was made; Mock and Real are the two runs it compared.
	Generated time.Time `json:"generated"`
	Mock      RunRef    `json:"mock"`
	Real      RunRef    `json:"real"`
	// Differences are every difference found; none means the answers agreed.
	Differences []DriftDifference `json:"differences"`
}

// RunRef names one of the runs a Drift compares: the profile, target and start of its results.json.
type RunRef = drift.RunRef

// DriftDifference is one difference between the mock's and a real target's answer to the same exchange.
type DriftDifference struct {
	// Scenario and Feature name the scenario as both runs record it, Example an outline's row.
	Scenario string `json:"scenario"`
	Feature  string `json:"feature,omitempty"`
	Example  string `json:"example,omitempty"`
	// Step is the request (method and path) and Exchange its position in the scenario, from 1.
	Step     string `json:"request,omitempty"`
	Exchange int    `json:"exchange"`
	// Field is what differs: "status", "error", "errorCode", "header:<name>" or "shape:<json path>".
	Field string `json:"field"`
	// Mock and Real are the field's values in each answer; Reason is the reason of the target's baseline
	// entry for the scenario, when the difference is a known one (Explain).
	Mock   string `json:"mock"`
	Real   string `json:"real"`
	Reason string `json:"reason,omitempty"`
}

// HistoryEntry is one line of history.jsonl: a run's summary.
type HistoryEntry struct {
	// Time is when the run started; Profile, Target and Embedded are its results.json's, and say which
	// kind of target it ran against (TargetKind); Commit is the harness's commit; Counts are the scenario
	// outcomes by status (passed, failed, warned, skipped).
	Time     time.Time      `json:"time"`
	Profile  string         `json:"profile"`
	Target   string         `json:"target"`
	Embedded bool           `json:"embedded_mock,omitempty"`
	Commit   string         `json:"commit,omitempty"`
	Counts   map[string]int `json:"counts"`
	// Features, when present, are the counts per feature file, which give the documentation the latest
	// result per feature of a run whose results.json is no longer present.
	Features map[string]map[string]int `json:"features,omitempty"`
}

// LoadBaseline reads dir/<profile>.json (package baseline's format); a missing file is a nil Baseline and
// no error.
func LoadBaseline(dir, profile string) (*Baseline, error) {
	path := filepath.Join(dir, profile+".json")
	if b, err := readOptional(path); b == nil || err != nil {
		return nil, err
	}
	known, err := baseline.Load(path, profile)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	out := &Baseline{Profile: known.Profile}
	for _, e := range known.Entries {
		out.Entries = append(out.Entries, BaselineEntry{Scenario: e.Scenario, Feature: e.Feature, Example: e.Example,
			Expect: e.Outcome, Reason: e.Reason, Link: e.Link, Recorded: e.Recorded})
	}
	return out, nil
}

// LoadDrift reads a drift.json (package drift's format); a missing file is a nil Drift and no error.
func LoadDrift(path string) (*Drift, error) {
	b, err := readOptional(path)
	if b == nil || err != nil {
		return nil, err
	}
	var r drift.Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("report: %s is not a drift report: %w", path, err)
	}
	d := &Drift{Generated: r.Target.Started, Mock: r.Mock, Real: r.Target}
	for _, x := range r.Diffs {
		d.Differences = append(d.Differences, DriftDifference{Scenario: x.Scenario, Feature: x.Feature,
			Example: x.Example, Step: x.Request, Exchange: x.Exchange, Field: x.Field, Mock: x.Mock, Real: x.Actual})
	}
	return d, nil
}

// Explain returns a copy of d whose differences carry the reason of b's entry for their scenario, so a
// difference the target is known for reads as known rather than as news. b is the baseline of the drift's
// real target; either may be nil.
func (d *Drift) Explain(b *Baseline) *Drift {
	if d == nil || b == nil {
		return d
	}
	out := *d
	out.Differences = slices.Clone(d.Differences)
	for i, x := range out.Differences {
		sc := results.Scenario{Name: x.Scenario, Feature: x.Feature, Example: x.Example}
		for _, e := range b.Entries {
			if matches(e, sc) {
				out.Differences[i].Reason = "known (" + e.Expect + "): " + e.Reason
				break
			}
		}
	}
	return &out
}

// LoadHistory reads a history.jsonl (results.HistoryLine per line), oldest line first; a missing file is no
// entries and no error. A line that is not an entry (a run cut short while writing it) is skipped.
func LoadHistory(path string) ([]HistoryEntry, error) {
	b, err := readOptional(path)
	if b == nil || err != nil {
		return nil, err
	}
	var out []HistoryEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var l results.HistoryLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && !l.Started.IsZero() {
			out = append(out, HistoryEntry{Time: l.Started, Profile: l.Profile, Target: l.Target, Embedded: l.Embedded,
				Commit: l.Commit, Counts: l.Counts, Features: l.Features})
		}
	}
	return out, sc.Err()
}

// readOptional returns a file's content, or nil without an error when it does not exist.
func readOptional(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return b, nil
}
