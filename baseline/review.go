package baseline

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rcoauth/conformance/catalog"
	"github.com/rcoauth/conformance/results"
)

// Review is what a run's results mean against the baseline.
type Review struct {
	// NewFailures are the scenarios that failed and that the baseline does not expect to.
	NewFailures []results.Scenario
	// Stale are entries whose scenario ran and passed: the API or the suite changed; look at it.
	Stale []Entry
	// Changed are entries whose scenario ran with another outcome than the entry expects.
	Changed []Changed
	// Unmatched are entries that name no scenario of the features.
	Unmatched []Entry
	// Expected counts the outcomes the baseline expected; NewWarnings and NewDeviations the warnings and
	// deviations it does not list (they do not fail the run, but belong in it once understood).
	Expected, NewWarnings, NewDeviations int
}

// Changed is an entry whose scenario had another outcome.
type Changed struct {
	Entry Entry
	Got   string // the scenario's status
}

// OK reports whether the run passes against the baseline: no new failure, no stale, changed or
// unmatched entry.
func (r Review) OK() bool {
	return len(r.NewFailures) == 0 && len(r.Stale) == 0 && len(r.Changed) == 0 && len(r.Unmatched) == 0
}

// Problems lists, one line each, why the run does not pass against the baseline.
func (r Review) Problems() []string {
	var out []string
	for _, s := range r.NewFailures {
		out = append(out, fmt.Sprintf("new failure: %s: %s%s", s.Feature, s.Name, row(s.Example)))
	}
	for _, e := range r.Stale {
		out = append(out, fmt.Sprintf("stale baseline entry (the scenario now passes; the API or the suite changed): %s", e))
	}
	for _, c := range r.Changed {
		out = append(out, fmt.Sprintf("changed: %s is expected to %s but was %s", c.Entry, c.Entry.Outcome, c.Got))
	}
	for _, e := range r.Unmatched {
		out = append(out, fmt.Sprintf("baseline entry matches no scenario of the features: %s", e))
	}
	return out
}

func row(example string) string {
	if example == "" {
		return ""
	}
	return " [" + example + "]"
}

// outcomeOf maps a scenario status to the outcome a baseline entry names; "" for passed and skipped.
func outcomeOf(status string) string {
	switch status {
	case results.Failed, results.Known:
		return Fail
	case results.Warned:
		return Warn
	case results.Deviated:
		return Deviation
	}
	return ""
}

// Compare reviews a run's results against b; features tells an entry for a scenario the run did not
// select (ignored) from one that names no scenario at all.
func Compare(b *Baseline, run *results.Run, features *catalog.Catalog) Review {
	var r Review
	var entries []Entry
	if b != nil {
		entries = b.Entries
	}
	for _, s := range run.Scenarios {
		if s.Status == results.Failed {
			r.NewFailures = append(r.NewFailures, s)
		}
	}
	for _, n := range run.Notes {
		switch {
		case n.Baseline != "":
			r.Expected++
		case n.Kind == results.NoteWarning:
			r.NewWarnings++
		case n.Kind == results.NoteDeviation:
			r.NewDeviations++
		}
	}
	for _, e := range entries {
		var ran []results.Scenario
		for _, s := range run.Scenarios {
			if e.Matches(s.Feature, s.Name, s.Example) {
				ran = append(ran, s)
			}
		}
		if len(ran) == 0 {
			if features != nil && !features.Has(e.Feature, e.Scenario, e.Example) {
				r.Unmatched = append(r.Unmatched, e)
			}
			continue
		}
		for _, s := range ran {
			switch got := outcomeOf(s.Status); {
			case s.Status == results.Passed:
				r.Stale = append(r.Stale, e)
			case got == "" || got == e.Outcome || s.Status == results.Failed:
				// skipped, as expected, or a failure already counted as new
			default:
				r.Changed = append(r.Changed, Changed{Entry: e, Got: s.Status})
			}
		}
	}
	return r
}

// Suggest returns ready-to-paste entries for the outcomes of run that the baseline does not list yet:
// failures, and the warnings and deviations without a baseline reason. Each needs a reason written by a
// person; the placeholder says so.
func Suggest(run *results.Run, today time.Time) []Entry {
	messages := map[string]string{}
	for _, n := range run.Notes {
		if n.Baseline == "" {
			messages[n.Feature+"\x00"+n.Scenario+"\x00"+n.Example] = n.Message
		}
	}
	var out []Entry
	for _, s := range run.Scenarios {
		outcome := outcomeOf(s.Status)
		if outcome == "" || s.Status == results.Known {
			continue
		}
		msg, noted := messages[s.Feature+"\x00"+s.Name+"\x00"+s.Example]
		if s.Status != results.Failed && !noted {
			continue // expected by the baseline already
		}
		if msg == "" {
			msg = failedStep(s)
		}
		out = append(out, Entry{
			Feature: s.Feature, Scenario: s.Name, Example: s.Example, Outcome: outcome,
			Reason:   "TODO: why this differs — observed: " + firstLine(msg),
			Recorded: today.Format(time.DateOnly),
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func failedStep(s results.Scenario) string {
	for _, st := range s.Steps {
		if st.Error != "" {
			return st.Text + ": " + st.Error
		}
	}
	return s.Status
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
