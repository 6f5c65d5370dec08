package steps

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/rcoauth/conformance/driver"
)

// TestVerdict checks the severity rules: a failed assertion (a Then step) of a @should scenario warns
// (skipping the rest of the scenario) unless the run is strict; a failed Given or When step is a failure
// whatever the level; a skip passes through; a target that cannot be reached fails even a @should
// scenario, because it is no conformance finding.
func TestVerdict(t *testing.T) {
	unreachable := &driver.TransportError{Method: "GET", URL: "http://127.0.0.1:1/", Err: errors.New("connection refused")}
	const then, given, when = messages.PickleStepType_OUTCOME, messages.PickleStepType_CONTEXT, messages.PickleStepType_ACTION
	tests := []struct {
		name     string
		step     messages.PickleStepType
		should   bool
		strict   bool
		err      error
		wantSkip bool
		wantNote string
	}{
		{"a passing step", then, true, false, nil, false, ""},
		{"a MUST failure fails", then, false, false, errors.New("status 200; want 400"), false, ""},
		{"a SHOULD failure warns", then, true, false, errors.New("status 200; want 401"), true, "warning"},
		{"a SHOULD failure fails when strict", then, true, true, errors.New("status 200; want 401"), false, ""},
		{"a failed Given of a SHOULD scenario fails", given, true, false, errors.New("signing in: status 400"), false, ""},
		{"a failed When of a SHOULD scenario fails", when, true, false, errors.New("no code to exchange"), false, ""},
		{"a skip passes through", then, false, false, fmt.Errorf("%w: profile does not set RC_JWT", godog.ErrSkip), true, ""},
		{"an unreachable target fails a SHOULD scenario", then, true, false, fmt.Errorf("API call: %w", unreachable), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := newTestWorld(t, "http://127.0.0.1:1")
			w.s.cfg.Strict = tt.strict
			w.step = &godog.Step{Type: tt.step, Text: "a sentence"}
			if tt.should {
				w.tags[tagShould] = true
				w.clauses = []string{"rfc6749-5.2"}
			}
			got := tt.err
			w.verdict(&got)
			if (got == nil) != (tt.err == nil) {
				t.Fatalf("verdict(%v) = %v", tt.err, got)
			}
			if isSkip := errors.Is(got, godog.ErrSkip); isSkip != tt.wantSkip {
				t.Errorf("verdict(%v) = %v; skip=%v, want %v", tt.err, got, isSkip, tt.wantSkip)
			}
			notes := w.s.Notes()
			switch {
			case tt.wantNote == "" && len(notes) > 0:
				t.Errorf("notes %v; want none", notes)
			case tt.wantNote != "" && (len(notes) != 1 || notes[0].Kind != tt.wantNote || !strings.Contains(strings.Join(notes[0].Clauses, " "), "rfc6749-5.2")):
				t.Errorf("notes %v; want one %s naming its clause", notes, tt.wantNote)
			}
		})
	}
}
