package steps

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/driver"
)

// verdict judges an assertion's failure by where its expectation comes from, and removes secrets from
// the message. Every assertion step function (one registered with v.assertion) defers it:
//
//	func (w *world) tokenIssued() (err error) {
//		defer w.verdict(&err)
//
// Only an assertion made in a Then step is judged: a failing Given or When step is a failed setup, and a
// failure, whatever the scenario's level. In a @should scenario (an RFC SHOULD or a BCP recommendation) the
// failed assertion becomes a warning with its clauses, and skips the rest of the scenario, unless the run
// is strict. A target that could not be reached is no conformance finding: it fails even a @should scenario.
func (w *world) verdict(errp *error) {
	err := *errp
	if err == nil || errors.Is(err, godog.ErrSkip) {
		return
	}
	err = w.redact(err)
	*errp = err
	if !w.asserting() || w.unreachable(err) {
		return
	}
	if w.tags[tagShould] && !w.s.cfg.Strict {
		w.outcome = "warned"
		w.s.note(Note{Kind: "warning", Scenario: w.scenario, Feature: w.feature, Clauses: w.clauses, Message: err.Error()})
		*errp = fmt.Errorf("%w: SHOULD-level requirement not met (%s), reported as a warning: %v", godog.ErrSkip, strings.Join(w.clauses, " "), err)
	}
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
