// Package drift compares how the mock and a real target answered the same scenarios: for each scenario
// both runs passed through, their HTTP exchanges are paired in order and compared on what a client
// depends on — the status, the OAuth error, RingCentral's errorCodes, the headers that matter (caching,
// rate limiting, the Bearer challenge) and the JSON body's shape with every value masked. The
// differences are the places where the mock no longer matches RingCentral (or never did).
package drift

import (
	"cmp"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/results"
)

// FileName is the name of a drift report in a reports directory.
const FileName = "drift.json"

// Report is the drift between a mock run and a real-target run.
type Report struct {
	Mock   RunRef `json:"mock"`
	Target RunRef `json:"target"`
	// Compared counts the scenarios both runs ran and the exchange pairs compared.
	Scenarios int          `json:"scenarios_compared"`
	Exchanges int          `json:"exchanges_compared"`
	Diffs     []Difference `json:"differences"`
}

// RunRef names a run.
type RunRef struct {
	Profile string    `json:"profile"`
	Target  string    `json:"target"`
	Started time.Time `json:"started"`
}

// Difference is one thing a real target answered otherwise than the mock.
type Difference struct {
	Feature  string `json:"feature"`
	Scenario string `json:"scenario"`
	Example  string `json:"example,omitempty"`
	// Exchange is the exchange's position in the scenario (1-based), Request its method and path.
	Exchange int    `json:"exchange"`
	Request  string `json:"request"`
	// Field is what differs: "status", "error", "errorCode", "header Cache-Control", "shape", "sequence".
	Field  string `json:"field"`
	Mock   string `json:"mock"`
	Actual string `json:"target"`
}

// String renders a difference on one line.
func (d Difference) String() string {
	row := ""
	if d.Example != "" {
		row = " [" + d.Example + "]"
	}
	return fmt.Sprintf("%s: %s%s, exchange %d (%s): %s: the mock answered %s, the target %s",
		d.Feature, d.Scenario, row, d.Exchange, d.Request, d.Field, d.Mock, d.Actual)
}

// headersThatMatter are the response headers a client's behaviour depends on.
var headersThatMatter = []string{"Cache-Control", "Pragma", "WWW-Authenticate", "Retry-After",
	"X-Rate-Limit-Group", "X-Rate-Limit-Limit", "X-Rate-Limit-Window"}

// Compare pairs the scenarios of the two runs and compares their exchanges in order: those that ran to the
// end (passed, warned or deviated) and, on either side, those that failed (or failed as their baseline
// expected), whose exchanges up to the failure are what the target answered — often the very difference
// that failed them. A different number of exchanges is a difference only between two scenarios that both
// ran to the end.
func Compare(mock, target *results.Run) Report {
	r := Report{
		Mock:   RunRef{Profile: mock.Profile, Target: mock.Target, Started: mock.Started},
		Target: RunRef{Profile: target.Profile, Target: target.Target, Started: target.Started},
	}
	key := func(s results.Scenario) string { return s.Feature + "\x00" + s.Name + "\x00" + s.Example }
	byKey := map[string]results.Scenario{}
	for _, s := range mock.Scenarios {
		if compared(s) {
			byKey[key(s)] = s
		}
	}
	for _, t := range target.Scenarios {
		m, ok := byKey[key(t)]
		if !ok || !compared(t) {
			continue
		}
		r.Scenarios++
		mx, tx := exchanges(m), exchanges(t)
		for i := 0; i < len(mx) && i < len(tx); i++ {
			r.Exchanges++
			diffs := compareExchange(mx[i], tx[i])
			for _, d := range diffs {
				d.Feature, d.Scenario, d.Example, d.Exchange = t.Feature, t.Name, t.Example, i+1
				r.Diffs = append(r.Diffs, d)
			}
			if len(diffs) > 0 && diffs[0].Field == "sequence" {
				break // the scenarios took different paths: later pairs mean nothing
			}
		}
		if len(mx) != len(tx) && ran(m) && ran(t) {
			r.Diffs = append(r.Diffs, Difference{Feature: t.Feature, Scenario: t.Name, Example: t.Example,
				Exchange: min(len(mx), len(tx)) + 1, Field: "sequence",
				Mock: fmt.Sprintf("%d exchanges", len(mx)), Actual: fmt.Sprintf("%d exchanges", len(tx))})
		}
	}
	sort.SliceStable(r.Diffs, func(i, j int) bool {
		a, b := r.Diffs[i], r.Diffs[j]
		if a.Feature != b.Feature {
			return a.Feature < b.Feature
		}
		if a.Scenario != b.Scenario {
			return a.Scenario < b.Scenario
		}
		return a.Exchange < b.Exchange
	})
	return r
}

// ran reports whether a scenario ran to its end on its target.
func ran(s results.Scenario) bool {
	return s.Status == results.Passed || s.Status == results.Warned || s.Status == results.Deviated
}

// compared reports whether a scenario's exchanges are compared: it ran to its end, or it failed.
func compared(s results.Scenario) bool {
	return ran(s) || s.Status == results.Failed || s.Status == results.Known
}

// exchanges are a scenario's exchanges in order, its steps' but not its cleanup's (whose requests depend on
// how many sessions a target keeps, not on the scenario).
func exchanges(s results.Scenario) []driver.Exchange {
	var out []driver.Exchange
	for _, st := range s.Steps {
		out = append(out, st.Exchanges...)
	}
	return out
}

// compareExchange compares one pair; a first difference of field "sequence" means the requests differ.
func compareExchange(m, t driver.Exchange) []Difference {
	mreq, treq := request(m), request(t)
	if mreq != treq {
		return []Difference{{Request: treq, Field: "sequence", Mock: mreq, Actual: treq}}
	}
	var out []Difference
	add := func(field, mv, tv string) {
		if mv != tv {
			out = append(out, Difference{Request: treq, Field: field, Mock: mv, Actual: tv})
		}
	}
	add("status", fmt.Sprint(m.Status), fmt.Sprint(t.Status))
	mb, tb := gjson.Parse(m.ResponseBody), gjson.Parse(t.ResponseBody)
	add("error", orNone(mb.Get("error").String()), orNone(tb.Get("error").String()))
	add("errorCode", orNone(codes(mb)), orNone(codes(tb)))
	add("content type", mediaType(m.ResponseHeader), mediaType(t.ResponseHeader))
	for _, h := range headersThatMatter {
		add("header "+h, headerShape(h, m.ResponseHeader), headerShape(h, t.ResponseHeader))
	}
	add("shape", Shape(m.ResponseBody), Shape(t.ResponseBody))
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func request(x driver.Exchange) string {
	path := x.URL
	if u, err := url.Parse(x.URL); err == nil {
		path = u.Path
	}
	return x.Method + " " + path
}

func codes(body gjson.Result) string {
	var out []string
	for _, c := range body.Get("errors.#.errorCode").Array() {
		out = append(out, c.String())
	}
	return strings.Join(out, ",")
}

func mediaType(h http.Header) string {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return orNone(h.Get("Content-Type"))
	}
	return mt
}

// headerShape is what matters of a header: its value for caching headers, the scheme and attribute names
// of a challenge, and presence for the rate-limit headers, whose numbers vary.
func headerShape(name string, h http.Header) string {
	v := h.Get(name)
	switch {
	case v == "":
		return "absent"
	case name == "Cache-Control" || name == "Pragma":
		return strings.ToLower(strings.ReplaceAll(v, " ", ""))
	case name == "WWW-Authenticate":
		scheme, params, _ := strings.Cut(v, " ")
		var names []string
		for _, p := range strings.Split(params, ",") {
			if k, _, ok := strings.Cut(strings.TrimSpace(p), "="); ok {
				names = append(names, k)
			}
		}
		sort.Strings(names)
		return strings.ToLower(scheme) + " " + strings.Join(names, ",")
	case name == "X-Rate-Limit-Group":
		return strings.ToLower(v)
	}
	return "present"
}

// Shape renders a JSON body with every value masked: each path with its type, sorted ("errors[].errorCode:
// string"); arrays are described by the union of their elements. A body that is not JSON is "not JSON",
// and an empty one "empty".
func Shape(body string) string {
	if strings.TrimSpace(body) == "" {
		return "empty"
	}
	if !gjson.Valid(body) {
		return "not JSON"
	}
	paths := map[string]bool{}
	var walk func(prefix string, v gjson.Result)
	walk = func(prefix string, v gjson.Result) {
		switch {
		case v.IsObject():
			paths[prefix+": object"] = true
			v.ForEach(func(k, val gjson.Result) bool {
				p := k.String()
				if prefix != "" {
					p = prefix + "." + p
				}
				walk(p, val)
				return true
			})
		case v.IsArray():
			paths[prefix+": array"] = true
			for _, e := range v.Array() {
				walk(prefix+"[]", e)
			}
		default:
			t := map[gjson.Type]string{gjson.String: "string", gjson.Number: "number", gjson.True: "boolean", gjson.False: "boolean", gjson.Null: "null"}[v.Type]
			paths[prefix+": "+t] = true
		}
	}
	walk("", gjson.Parse(body))
	out := make([]string, 0, len(paths))
	for p := range paths {
		out = append(out, strings.TrimPrefix(p, ": "))
	}
	sort.Strings(out)
	return "{" + strings.Join(out, "; ") + "}"
}

// Write stores the report as JSON at path.
func Write(path string, r Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("drift: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("drift: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("drift: %w", err)
	}
	return nil
}

// RingCentral is the dialect of the runs drift compares: the mock models RingCentral, so only a target
// judged by RingCentral's rules has drift from it. A server of another dialect (a run of the rfc profile)
// has its own paths and error bodies, and its differences from the RFCs go into its baseline instead.
const RingCentral = "ringcentral"

// Latest finds, among the results.json files under dir, the latest run against the mock (a run with the
// mock's control API) and the latest against a real target (without it), among the runs judged by
// dialect; "" takes every dialect, and a record written before runs kept their dialect counts as
// RingCentral's. Either may be nil.
func Latest(dir, dialect string) (mock, target *results.Run, err error) {
	err = filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || e.Name() != results.FileName {
			return err
		}
		r, err := results.Read(path)
		if err != nil {
			return nil // a half-written or foreign file is no run to compare
		}
		if d := cmp.Or(r.Dialect, RingCentral); dialect != "" && d != dialect {
			return nil
		}
		if r.Control {
			if mock == nil || r.Started.After(mock.Started) {
				mock = r
			}
		} else if target == nil || r.Started.After(target.Started) {
			target = r
		}
		return nil
	})
	return mock, target, err
}
