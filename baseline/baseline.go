// Package baseline is the record of a target's known differences: one file per target profile, kept in
// the repository (baselines/<profile>.json), listing the scenarios that are expected to fail, warn or
// deviate there, each with the reason, a link and the date it was recorded — as the OpenID Foundation's
// conformance suite keeps its expected failures.
//
// A run against the target compares its results with the baseline: a failure that is not listed fails the
// run, and so does a listed scenario that now passes (stale: the API or the suite changed) and an entry
// that names no scenario of the features. Expected failures do not.
package baseline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"
)

// Dir is the baselines' directory in the repository, relative to its root: one <profile>.json each.
const Dir = "baselines"

// Outcomes an entry expects (Entry.Outcome).
const (
	Fail      = "fail"      // the scenario fails: an RFC MUST or a documented behaviour is not met
	Warn      = "warn"      // a SHOULD-level assertion is not met
	Deviation = "deviation" // the target differs from the mock's documented choice where RingCentral's is UNVERIFIED
)

// Baseline is a target profile's known differences.
type Baseline struct {
	// Profile is the target profile the baseline belongs to (OAUTH_ENV).
	Profile string  `json:"profile"`
	Entries []Entry `json:"entries"`
	// Path is the file the baseline was read from; empty when there was none (no known differences).
	Path string `json:"-"`
}

// Entry is one known difference.
type Entry struct {
	// Feature is the feature file (e.g. features/negatives.feature) and Scenario the scenario's name as the
	// run shows it (an outline's name with the row's values).
	Feature  string `json:"feature"`
	Scenario string `json:"scenario"`
	// Example optionally narrows an outline to one row: its cells, joined with " | ".
	Example string `json:"example,omitempty"`
	// Outcome is Fail, Warn or Deviation.
	Outcome string `json:"outcome"`
	// Reason says why, Link where it is documented or discussed, Recorded when it was first seen
	// (YYYY-MM-DD).
	Reason   string `json:"reason"`
	Link     string `json:"link,omitempty"`
	Recorded string `json:"recorded"`
}

// String names the entry as a reader would look for it.
func (e Entry) String() string {
	s := e.Feature + ": " + e.Scenario
	if e.Example != "" {
		s += " [" + e.Example + "]"
	}
	return s
}

// Matches reports whether the entry names the scenario of feature with the example row cells (empty for
// a plain scenario).
func (e Entry) Matches(feature, scenario, example string) bool {
	return e.Feature == feature && e.Scenario == scenario && (e.Example == "" || e.Example == example)
}

// Load reads the baseline at path. A missing file is an empty baseline for profile, so a target without
// known differences needs no file.
func Load(path, profile string) (*Baseline, error) {
	b := &Baseline{Profile: profile}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return b, nil
	}
	b.Path = path
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(b); err != nil {
		return nil, fmt.Errorf("baseline: %s: %w", path, err)
	}
	if b.Profile != profile {
		return nil, fmt.Errorf("baseline: %s is the baseline of profile %q, not %q", path, b.Profile, profile)
	}
	var problems []string
	for i, e := range b.Entries {
		switch {
		case e.Feature == "" || e.Scenario == "":
			problems = append(problems, fmt.Sprintf("entry %d: feature and scenario are required", i+1))
		case !slices.Contains([]string{Fail, Warn, Deviation}, e.Outcome):
			problems = append(problems, fmt.Sprintf("entry %d (%s): outcome %q; want fail, warn or deviation", i+1, e, e.Outcome))
		case strings.TrimSpace(e.Reason) == "":
			problems = append(problems, fmt.Sprintf("entry %d (%s): a reason is required", i+1, e))
		}
		if _, err := time.Parse(time.DateOnly, e.Recorded); err != nil && e.Feature != "" {
			problems = append(problems, fmt.Sprintf("entry %d (%s): recorded %q; want a date YYYY-MM-DD", i+1, e, e.Recorded))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("baseline: %s:\n  %s", path, strings.Join(problems, "\n  "))
	}
	return b, nil
}

// Find returns the entry for a scenario, if any.
func (b *Baseline) Find(feature, scenario, example string) (Entry, bool) {
	if b == nil {
		return Entry{}, false
	}
	for _, e := range b.Entries {
		if e.Matches(feature, scenario, example) {
			return e, true
		}
	}
	return Entry{}, false
}
