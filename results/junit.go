package results

import (
	"encoding/xml"
	"fmt"
	"os"
	"sort"
	"strings"
)

// JUnit XML in the form CI tools read (the Maven Surefire schema that Jenkins, GitLab and GitHub test
// reporters understand): one testsuite per feature, one testcase per scenario. A scenario that passed
// after a request was retried carries a flakyFailure per retry; one that failed although retried carries
// rerunFailure elements. Warnings, deviations and known failures do not fail the run, so they are
// skipped test cases whose message says which they are and why.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	Time      string         `xml:"time,attr"`
	Failure   *junitProblem  `xml:"failure,omitempty"`
	Skipped   *junitProblem  `xml:"skipped,omitempty"`
	Flaky     []junitProblem `xml:"flakyFailure,omitempty"`
	Rerun     []junitProblem `xml:"rerunFailure,omitempty"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes r as JUnit XML at path.
func WriteJUnit(path string, r *Run) error {
	b, err := JUnit(r)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// JUnit renders r as JUnit XML.
func JUnit(r *Run) ([]byte, error) {
	notes := map[string]Note{}
	for _, n := range r.Notes {
		notes[n.Feature+"\x00"+n.Scenario+"\x00"+n.Example] = n
	}
	byFeature := map[string]*junitSuite{}
	var order []string
	top := junitSuites{Name: "conformance: " + r.Profile + " (" + r.Target + ")", Time: seconds(r.Duration.Seconds())}
	for _, s := range r.Scenarios {
		suite := byFeature[s.Feature]
		if suite == nil {
			suite = &junitSuite{Name: s.Feature}
			byFeature[s.Feature] = suite
			order = append(order, s.Feature)
		}
		name := s.Name
		if s.Example != "" {
			name += " [" + s.Example + "]"
		}
		c := junitCase{Name: name, Classname: s.Feature, Time: seconds(s.Duration.Seconds())}
		note := notes[s.Feature+"\x00"+s.Name+"\x00"+s.Example]
		switch s.Status {
		case Failed:
			msg := failureOf(s)
			c.Failure = &junitProblem{Message: firstLine(msg), Type: "failed", Text: msg}
			for _, f := range s.Flaky {
				c.Rerun = append(c.Rerun, junitProblem{Message: f, Type: "retried"})
			}
		case Skipped, Warned, Deviated, Known:
			label := map[string]string{Skipped: "skipped", Warned: "SHOULD-level warning", Deviated: "deviation from the mock's documented choice", Known: "known failure"}[s.Status]
			c.Skipped = &junitProblem{Message: label + ": " + firstLine(note.Message), Text: note.Message}
			if note.Baseline != "" {
				c.Skipped.Message += " (baseline: " + note.Baseline + ")"
			}
		default:
			for _, f := range s.Flaky {
				c.Flaky = append(c.Flaky, junitProblem{Message: f, Type: "retried"})
			}
		}
		c.SystemOut = stepsText(s)
		suite.Cases = append(suite.Cases, c)
		suite.Tests++
		top.Tests++
		switch {
		case c.Failure != nil:
			suite.Failures++
			top.Failures++
		case c.Skipped != nil:
			suite.Skipped++
			top.Skipped++
		}
	}
	sort.Strings(order)
	for _, f := range order {
		suite := byFeature[f]
		total := 0.0
		for _, s := range r.Scenarios {
			if s.Feature == f {
				total += s.Duration.Seconds()
			}
		}
		suite.Time = seconds(total)
		top.Suites = append(top.Suites, *suite)
	}
	b, err := xml.MarshalIndent(top, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("results: encoding JUnit XML: %w", err)
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// failureOf is the failed step and its error.
func failureOf(s Scenario) string {
	for _, st := range s.Steps {
		if st.Status == "failed" {
			return st.Text + ": " + st.Error
		}
	}
	return s.Status
}

// stepsText lists the steps with their statuses, for the test case's output.
func stepsText(s Scenario) string {
	var b strings.Builder
	for _, st := range s.Steps {
		fmt.Fprintf(&b, "%-8s %s\n", st.Status, st.Text)
	}
	return b.String()
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
