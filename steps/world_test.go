package steps

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/driver"
)

// TestJudge checks the severity rules: a failed @should scenario warns (skipping the rest of the
// scenario) unless the run is strict; a skip passes through; a target that cannot be reached fails even a
// @should scenario, because it is no conformance finding.
func TestJudge(t *testing.T) {
	unreachable := &driver.TransportError{Method: "GET", URL: "http://127.0.0.1:1/", Err: errors.New("connection refused")}
	tests := []struct {
		name     string
		should   bool
		strict   bool
		err      error
		wantSkip bool
		wantNote string
	}{
		{"a passing step", true, false, nil, false, ""},
		{"a MUST failure fails", false, false, errors.New("status 200; want 400"), false, ""},
		{"a SHOULD failure warns", true, false, errors.New("status 200; want 401"), true, "warning"},
		{"a SHOULD failure fails when strict", true, true, errors.New("status 200; want 401"), false, ""},
		{"a skip passes through", false, false, fmt.Errorf("%w: profile does not set RC_JWT", godog.ErrSkip), true, ""},
		{"an unreachable target fails a SHOULD scenario", true, false, fmt.Errorf("API call: %w", unreachable), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := newTestWorld(t, "http://127.0.0.1:1")
			w.s.cfg.Strict = tt.strict
			if tt.should {
				w.tags[tagShould] = true
				w.clauses = []string{"rfc6749-5.2"}
			}
			got := w.judge(tt.err)
			if (got == nil) != (tt.err == nil) {
				t.Fatalf("judge(%v) = %v", tt.err, got)
			}
			if isSkip := errors.Is(got, godog.ErrSkip); isSkip != tt.wantSkip {
				t.Errorf("judge(%v) = %v; skip=%v, want %v", tt.err, got, isSkip, tt.wantSkip)
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
