package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/drift"
	"github.com/rcoauth/conformance/results"
)

// Inputs are what a run report shows besides the run itself, each optional, in the types of the packages
// that write them.
type Inputs struct {
	// Baseline is the profile's known differences (nil, or no entries: none) and Drift the latest drift
	// between the mock and a real target (nil: none recorded).
	Baseline *baseline.Baseline
	Drift    *drift.Report
	// History are the earlier runs; the report shows those of the run's profile.
	History []results.HistoryLine
}

// LoadInputs reads, from the reports root reports, the run history (results.HistoryFile) and the latest
// drift (drift.FileName): one of each for every profile, where the harness writes them (README "Reports").
// Either may be missing. The baseline is the caller's, which loaded it for the run's verdict. A malformed
// file is an error; the Inputs then hold what could be read.
func LoadInputs(reports string) (Inputs, error) {
	var in Inputs
	var err1, err2 error
	in.History, err1 = results.ReadHistory(filepath.Join(reports, results.HistoryFile))
	in.Drift, err2 = LoadDrift(filepath.Join(reports, drift.FileName))
	return in, errors.Join(err1, err2)
}

// LoadDrift reads a drift report written by drift.Write; a missing file is a nil report and no error.
func LoadDrift(path string) (*drift.Report, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var r drift.Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("report: %s is not a drift report: %w", path, err)
	}
	return &r, nil
}

// driftView is a drift report as the pages show it: each difference with the reason of the real target's
// baseline entry for its scenario, so a difference the target is known for reads as known, not as news.
type driftView struct {
	Mock        drift.RunRef         `json:"mock"`
	Real        drift.RunRef         `json:"real"`
	Differences []driftDifferenceRow `json:"differences"`
}

type driftDifferenceRow struct {
	drift.Difference
	// Reason is "known (<outcome>): <the entry's reason>", or empty for a difference no entry names.
	Reason string `json:"reason,omitempty"`
}

// explainDrift returns d's view with the reasons of b's entries; b is the baseline of d's real target and
// may be nil. A nil d is a nil view.
func explainDrift(d *drift.Report, b *baseline.Baseline) *driftView {
	if d == nil {
		return nil
	}
	v := &driftView{Mock: d.Mock, Real: d.Target, Differences: []driftDifferenceRow{}}
	for _, x := range d.Diffs {
		row := driftDifferenceRow{Difference: x}
		if e, ok := b.Find(x.Feature, x.Scenario, x.Example); ok {
			row.Reason = "known (" + e.Outcome + "): " + e.Reason
		}
		v.Differences = append(v.Differences, row)
	}
	return v
}

// baselineFor picks the baseline of profile among bs, or nil.
func baselineFor(bs []*baseline.Baseline, profile string) *baseline.Baseline {
	for _, b := range bs {
		if b.Profile == profile {
			return b
		}
	}
	return nil
}

// loadBaselines reads every <profile>.json in dir, by file name.
func loadBaselines(dir string) ([]*baseline.Baseline, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var out []*baseline.Baseline
	for _, e := range entries {
		if profile, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			b, err := baseline.Load(filepath.Join(dir, e.Name()), profile)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
	}
	return out, nil
}
