package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/results"
)

// data is what the run report embeds as JSON and its script renders.
type data struct {
	Statuses  []string              `json:"statuses"`
	Run       runMeta               `json:"run"`
	Summary   summary               `json:"summary"`
	Grants    []Axis                `json:"grants"`
	Areas     []Axis                `json:"areas"`
	Matrix    []cell                `json:"matrix"`
	Clauses   []clauseRow           `json:"clauses"`
	Scenarios []scenarioView        `json:"scenarios"`
	Baseline  *baselineView         `json:"baseline"`
	Drift     *driftView            `json:"drift"`
	History   []results.HistoryLine `json:"history"`
	Variables map[string]bool       `json:"variables"`
}

type runMeta struct {
	Profile     string `json:"profile"`
	Target      string `json:"target"`
	Kind        string `json:"kind"`
	Dialect     string `json:"dialect"`
	TagLimited  bool   `json:"tag_limited"`
	Seed        string `json:"seed"`
	Tags        string `json:"tags"`
	Commit      string `json:"commit"`
	Started     string `json:"started"`
	Duration    string `json:"duration"`
	Concurrency int    `json:"concurrency"`
	Strict      bool   `json:"strict"`
}

type summary struct {
	Total      int            `json:"total"`
	Counts     map[string]int `json:"counts"`
	Warnings   []results.Note `json:"warnings"`
	Deviations []results.Note `json:"deviations"`
	Known      []results.Note `json:"known"`
	Flaky      []results.Note `json:"flaky"`
	Skips      []skipGroup    `json:"skips"`
}

// skipGroup is the scenarios skipped for one reason.
type skipGroup struct {
	Reason    string   `json:"reason"`
	Scenarios []string `json:"scenarios"`
}

// cell is one (grant, area) cell of the conformance matrix.
type cell struct {
	Grant  string         `json:"grant"`
	Area   string         `json:"area"`
	Counts map[string]int `json:"counts"`
}

// clauseRow is one clause with the outcomes of the scenarios that check it.
type clauseRow struct {
	Clause
	Counts    map[string]int `json:"counts"`
	Scenarios []int          `json:"scenarios"`
}

type scenarioView struct {
	ID       int             `json:"id"`
	Name     string          `json:"name"`
	Feature  string          `json:"feature"`
	Example  string          `json:"example,omitempty"` // an outline's row, which alone may tell two rows apart
	Tags     []string        `json:"tags"`
	Clauses  []string        `json:"clauses"`
	Grant    string          `json:"grant"`
	Area     string          `json:"area"`
	Status   string          `json:"status"`
	Duration string          `json:"duration"`
	Notes    []results.Note  `json:"notes,omitempty"`
	Expected *baseline.Entry `json:"expected,omitempty"`
	Steps    []stepView      `json:"steps"`
	Cleanup  []exchangeView  `json:"cleanup,omitempty"`
	Lineage  []TokenEvent    `json:"lineage,omitempty"`
}

type stepView struct {
	Type      string         `json:"type"`
	Text      string         `json:"text"`
	Status    string         `json:"status"`
	Error     string         `json:"error,omitempty"`
	Exchanges []exchangeView `json:"exchanges,omitempty"`
}

type exchangeView struct {
	Method         string              `json:"method"`
	URL            string              `json:"url"`
	RequestHeader  map[string][]string `json:"request_header,omitempty"`
	RequestBody    string              `json:"request_body,omitempty"`
	Status         int                 `json:"status"`
	ResponseHeader map[string][]string `json:"response_header,omitempty"`
	ResponseBody   string              `json:"response_body,omitempty"`
	Duration       string              `json:"duration"`
	Error          string              `json:"error,omitempty"`
	Curl           string              `json:"curl"`
}

// baselineView is the profile's baseline with what each entry matched in this run.
type baselineView struct {
	Profile string          `json:"profile"`
	Entries []baselineMatch `json:"entries"`
}

type baselineMatch struct {
	baseline.Entry
	// State is what the run made of the entry (baseline.Compare): "expected" (the outcome it names),
	// "stale" (the scenario passed), "changed" (another outcome) or "not run" (no scenario of this run is
	// the one it names).
	State string `json:"state"`
}

// Statuses are the scenario outcomes in the order a reader must look at them: what fails the run, what
// does not but is news (a SHOULD not met, a deviation from the mock's documented choice), what the
// baseline expects, then skipped and passed.
var Statuses = []string{results.Failed, results.Warned, results.Deviated, results.Known, results.Skipped, results.Passed}

// statusOrder is each outcome's place in Statuses.
var statusOrder = func() map[string]int {
	m := map[string]int{}
	for i, s := range Statuses {
		m[s] = i
	}
	return m
}()

// build turns a run into the report's data.
func build(run *results.Run, in Inputs) *data {
	d := &data{
		Run: runMeta{
			Profile: run.Profile, Target: run.Target, Kind: run.KindOf(), Dialect: run.Dialect, TagLimited: run.TagLimited,
			Seed: strconv.FormatInt(run.Seed, 10), Tags: run.Tags, Commit: run.Commit,
			Started: formatTime(run.Started), Duration: formatDuration(run.Duration),
			Concurrency: run.Concurrency, Strict: run.Strict,
		},
		Statuses: Statuses, Grants: Grants, Areas: Areas, Variables: map[string]bool{},
	}
	for _, v := range run.SecretVariables {
		for _, name := range strings.Split(v, ":") {
			d.Variables[name] = true
		}
	}
	if in.Drift != nil {
		var b *baseline.Baseline
		if in.Baseline != nil && in.Baseline.Profile == in.Drift.Target.Profile {
			b = in.Baseline
		}
		d.Drift = explainDrift(in.Drift, b)
	}
	for _, h := range in.History {
		if h.Profile == run.Profile {
			d.History = append(d.History, h)
		}
	}
	d.Summary = summarize(run)
	scenarios := slices.Clone(run.Scenarios)
	slices.SortStableFunc(scenarios, func(a, b results.Scenario) int {
		return cmp.Or(cmp.Compare(statusOrder[a.Status], statusOrder[b.Status]),
			cmp.Compare(a.Feature, b.Feature), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Line, b.Line))
	})
	// A note belongs to one case: its scenario and, for an outline, its row.
	noteKey := func(feature, name, example string) string { return feature + "\x00" + name + "\x00" + example }
	notes := map[string][]results.Note{}
	for _, n := range run.Notes {
		k := noteKey(n.Feature, n.Scenario, n.Example)
		notes[k] = append(notes[k], n)
	}
	cells := map[[2]string]*cell{}
	rows := map[string]*clauseRow{}
	var seen []string
	for i, sc := range scenarios {
		v := scenarioView{
			ID: i, Name: sc.Name, Feature: sc.Feature, Example: sc.Example, Status: sc.Status,
			Duration: formatDuration(sc.Duration), Notes: notes[noteKey(sc.Feature, sc.Name, sc.Example)],
		}
		var texts []StepText
		var xs [][]driver.Exchange
		for _, st := range sc.Steps {
			texts = append(texts, StepText{st.Type, st.Text})
			xs = append(xs, st.Exchanges)
		}
		v.Grant, v.Area = Classify(sc.Tags, texts)
		// The page reads these lists without checking for null.
		v.Tags, v.Clauses, v.Steps = append([]string{}, sc.Tags...), append([]string{}, ClausesOf(sc, v.Grant, v.Area)...), []stepView{}
		v.Lineage = Lineage(xs, sc.Cleanup)
		name := NewNamer(run.SecretVariables, v.Lineage)
		for _, st := range sc.Steps {
			sv := stepView{Type: st.Type, Text: st.Text, Status: st.Status, Error: st.Error}
			for _, x := range st.Exchanges {
				sv.Exchanges = append(sv.Exchanges, viewExchange(x, run.Target, name))
			}
			v.Steps = append(v.Steps, sv)
		}
		for _, x := range sc.Cleanup {
			v.Cleanup = append(v.Cleanup, viewExchange(x, run.Target, name))
		}
		if e, ok := in.Baseline.Find(sc.Feature, sc.Name, sc.Example); ok {
			v.Expected = &e
		}
		c := cells[[2]string{v.Grant, v.Area}]
		if c == nil {
			c = &cell{Grant: v.Grant, Area: v.Area, Counts: map[string]int{}}
			cells[[2]string{v.Grant, v.Area}] = c
		}
		c.Counts[sc.Status]++
		for _, id := range v.Clauses {
			r := rows[id]
			if r == nil {
				r = &clauseRow{Counts: map[string]int{}}
				rows[id] = r
				seen = append(seen, id)
			}
			r.Counts[sc.Status]++
			r.Scenarios = append(r.Scenarios, i)
		}
		d.Scenarios = append(d.Scenarios, v)
	}
	for _, g := range Grants {
		for _, a := range Areas {
			if c := cells[[2]string{g.ID, a.ID}]; c != nil {
				d.Matrix = append(d.Matrix, *c)
			}
		}
	}
	for _, c := range ClauseUniverse(seen) {
		r := clauseRow{Clause: c, Counts: map[string]int{}}
		if got := rows[c.ID]; got != nil {
			r.Counts, r.Scenarios = got.Counts, got.Scenarios
		}
		d.Clauses = append(d.Clauses, r)
	}
	if in.Baseline != nil && len(in.Baseline.Entries) > 0 {
		d.Baseline = matchBaseline(in.Baseline, run)
	}
	return d
}

// summarize counts the run's outcomes and groups its notes.
func summarize(run *results.Run) summary {
	s := summary{Counts: map[string]int{}, Total: len(run.Scenarios)}
	for _, sc := range run.Scenarios {
		s.Counts[sc.Status]++
	}
	for _, sc := range run.Scenarios {
		if len(sc.Flaky) > 0 {
			s.Flaky = append(s.Flaky, results.Note{Scenario: sc.Name, Feature: sc.Feature, Example: sc.Example,
				Message: fmt.Sprintf("%s after %d retried request(s): %s", sc.Status, len(sc.Flaky), strings.Join(sc.Flaky, "; "))})
		}
	}
	bySkip := map[string]int{}
	for _, n := range run.Notes {
		switch n.Kind {
		case results.NoteWarning:
			s.Warnings = append(s.Warnings, n)
		case results.NoteDeviation:
			s.Deviations = append(s.Deviations, n)
		case results.NoteKnown:
			s.Known = append(s.Known, n)
		case results.NoteSkip:
			i, ok := bySkip[n.Message]
			if !ok {
				i = len(s.Skips)
				bySkip[n.Message] = i
				s.Skips = append(s.Skips, skipGroup{Reason: n.Message})
			}
			s.Skips[i].Scenarios = append(s.Skips[i].Scenarios, n.Scenario)
		}
	}
	return s
}

// matchBaseline says for each of b's entries what this run made of it, as the run's verdict does
// (baseline.Compare).
func matchBaseline(b *baseline.Baseline, run *results.Run) *baselineView {
	review := baseline.Compare(b, run, nil)
	v := &baselineView{Profile: b.Profile}
	for _, e := range b.Entries {
		state := "not run"
		switch {
		case slices.Contains(review.Stale, e):
			state = "stale"
		case slices.ContainsFunc(review.Changed, func(c baseline.Changed) bool { return c.Entry == e }):
			state = "changed"
		case slices.ContainsFunc(run.Scenarios, func(sc results.Scenario) bool {
			return e.Matches(sc.Feature, sc.Name, sc.Example) && sc.Status != results.Skipped
		}):
			state = "expected"
		}
		v.Entries = append(v.Entries, baselineMatch{Entry: e, State: state})
	}
	return v
}

// viewExchange prepares an exchange for the page, with its curl command.
func viewExchange(x driver.Exchange, target string, name Namer) exchangeView {
	return exchangeView{
		Method: x.Method, URL: x.URL, RequestHeader: x.RequestHeader, RequestBody: x.RequestBody,
		Status: x.Status, ResponseHeader: x.ResponseHeader, ResponseBody: x.ResponseBody,
		Duration: formatDuration(x.Duration), Error: x.Error, Curl: Curl(x, target, name),
	}
}

// formatTime shows a time in UTC to the second, the same wherever the report is opened.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// formatDuration rounds a duration for reading: microseconds below a millisecond, milliseconds below a
// second, then tenths of seconds.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(100 * time.Millisecond).String()
	}
}
