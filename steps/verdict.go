package steps

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/results"
)

// Expectation levels. Every assertion's expectation comes from one of four places, and the scenario says
// which (README "Expectation levels"):
//
//   - an RFC MUST (a clause tag such as @rfc6749-5.2): a failure fails the run;
//   - an RFC SHOULD or BCP recommendation (@should): a failure warns, unless the run is strict;
//   - a behaviour RingCentral documents, with its source in the feature: a failure fails the run;
//   - the mock's documented choice where RingCentral's behaviour is UNVERIFIED (@unverified): asserted on
//     the mock; on a real target a mismatch is recorded as a deviation ("the target answered X where the
//     mock assumes Y") and does not fail the run.
const (
	tagUnverified = "@unverified"
)

// verdict judges a step's failure and removes secrets from its message. Every step function defers it:
//
//	func (w *world) tokenIssued() (err error) {
//		defer w.verdict(&err)
//
// Only an assertion made in a Then step is judged by the scenario's level: a failing Given or When step is a
// failed setup, and a failure whatever the level. A target that could not be reached is no conformance
// finding: it fails even a @should scenario. Last, a failure that the target's baseline expects
// (baselines/<profile>.json, outcome "fail") is recorded as known and does not fail the run.
func (w *world) verdict(errp *error) {
	err := *errp
	if err == nil || errors.Is(err, godog.ErrSkip) {
		return
	}
	err = w.redact(err)
	*errp = err
	if w.unreachable(err) {
		return
	}
	if w.asserting() {
		switch {
		case w.tags[tagShould] && !w.s.cfg.Strict:
			*errp = w.settle(results.Warned, results.NoteWarning, baseline.Warn,
				fmt.Sprintf("SHOULD-level requirement not met (%s), reported as a warning", strings.Join(w.clauses, " ")), err)
			return
		case w.tags[tagUnverified] && !w.onMock():
			*errp = w.settle(results.Deviated, results.NoteDeviation, baseline.Deviation,
				fmt.Sprintf("deviation: %s answered otherwise than the mock's documented choice (RingCentral's behaviour is UNVERIFIED)", w.s.Target()), err)
			return
		}
	}
	if e, ok := w.s.cfg.Baseline.Find(w.id.Feature, w.id.Name, w.id.Example); ok && e.Outcome == baseline.Fail {
		*errp = w.settle(results.Known, results.NoteKnown, baseline.Fail, "known failure (baseline: "+e.Reason+")", err)
	}
}

// settle ends the scenario with outcome instead of a failure: it records a note of kind (naming the
// baseline entry that expected it, if any) and returns the skip that stops the scenario's later steps.
func (w *world) settle(outcome, kind, expected, what string, err error) error {
	w.outcome = outcome
	n := Note{Kind: kind, Scenario: w.scenario, Feature: w.feature, Example: w.id.Example, Clauses: w.clauses, Message: err.Error()}
	if e, ok := w.s.cfg.Baseline.Find(w.id.Feature, w.id.Name, w.id.Example); ok && e.Outcome == expected {
		n.Baseline = e.Reason
	}
	w.s.note(n)
	return fmt.Errorf("%w: %s: %v", godog.ErrSkip, what, err)
}

// unreachable reports whether err, or the exchange the assertion looked at, is a failure to reach the
// target at all.
func (w *world) unreachable(err error) bool {
	var te *driver.TransportError
	if errors.As(err, &te) {
		return true
	}
	for _, r := range []*result{w.request, w.api} {
		if r != nil && r.resp == nil && errors.As(r.err, &te) {
			return true
		}
	}
	return false
}

// redact removes secrets from an error message (the profile's secrets and every token the driver saw),
// keeping the error chain for errors.Is/As.
func (w *world) redact(err error) error {
	if w.client == nil {
		return err
	}
	msg := w.client.Redactor().Text(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
