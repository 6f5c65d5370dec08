// Package results is the record of one conformance run: every scenario with its steps, each step with
// its status and the HTTP exchanges it made (redacted), and the notes a reader must see besides pass and
// fail (skips with their reasons, SHOULD-level warnings). The harness writes it as results.json beside the
// other reports; the HTML report, the living documentation, the baseline and drift tools read it.
//
// Nothing in a Run is secret: exchanges are redacted by the driver before they are recorded, and error
// messages by the steps before they are stored.
package results

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/rcoauth/conformance/driver"
)

// FileName is the name of a run's record in its reports directory.
const FileName = "results.json"

// Scenario outcomes (Scenario.Status) and the keys of Run.Counts.
const (
	Passed  = "passed"
	Failed  = "failed"
	Skipped = "skipped"
	// Warned: a SHOULD-level assertion (@should) was not met; the run goes on.
	Warned = "warned"
	// Deviated: on a real target, an expectation that is the mock's documented choice (@unverified, because
	// RingCentral's behaviour is UNVERIFIED) was not met; the run goes on.
	Deviated = "deviated"
	// Known: the scenario failed as the target's baseline expects.
	Known = "known"
)

// Kinds of Note.
const (
	NoteSkip      = "skip"
	NoteWarning   = "warning"
	NoteDeviation = "deviation"
	NoteKnown     = "known"
)

// Target kinds (Run.Kind): where a run ran, as the reports and the documentation group results.
const (
	TargetMock       = "mock"
	TargetStandalone = "standalone mock"
	TargetDevtest    = "devtest"
	TargetProduction = "production"
	// TargetOther is a server judged by another dialect than RingCentral's (the rfc profile's
	// node-oidc-provider): neither RingCentral nor a mock of it.
	TargetOther = "another server"
)

// TargetKinds are the target kinds in the order the documentation lists them.
var TargetKinds = []string{TargetMock, TargetStandalone, TargetDevtest, TargetProduction, TargetOther}

// TargetKind says where a run against target, judged by dialect ("" for a record that kept none, read as
// RingCentral's), ran (embedded: the harness started the mock in-process): the embedded mock, a standalone
// mock (any other server of RingCentral's dialect that is not RingCentral's), RingCentral's sandbox
// (devtest) or production, or another dialect's server.
func TargetKind(target string, embedded bool, dialect string) string {
	if embedded {
		return TargetMock
	}
	if dialect != "" && dialect != "ringcentral" {
		return TargetOther
	}
	u, err := url.Parse(target)
	host := ""
	if err == nil {
		host = strings.ToLower(u.Hostname())
	}
	switch {
	case host == "ringcentral.com" || strings.HasSuffix(host, ".ringcentral.com"):
		if strings.Contains(host, "devtest") {
			return TargetDevtest
		}
		return TargetProduction
	default:
		return TargetStandalone
	}
}

// Run is one run of the suite against one target.
type Run struct {
	// Harness is the harness's version: its module version or VCS revision, "devel" for a test binary.
	Harness string `json:"harness"`
	// Commit is the git commit of the harness that ran (with "-dirty" when the work tree had changes), or
	// empty when it is not known.
	Commit string `json:"commit,omitempty"`
	// Profile is the environment profile (OAUTH_ENV) and Target the base URL the run spoke to.
	Profile  string `json:"profile"`
	Target   string `json:"target"`
	Embedded bool   `json:"embedded_mock"`
	Control  bool   `json:"mock_control"`
	// Kind is the kind of target (TargetKind) and Dialect the rules beyond the RFCs it was judged by
	// ("ringcentral", or "rfc" for another OAuth server); both are empty in a record written before they
	// were kept, whose kind KindOf derives.
	Kind    string `json:"target_kind,omitempty"`
	Dialect string `json:"dialect,omitempty"`
	// Seed, Tags, Concurrency and Strict are the run options. TagLimited says a tag expression selected
	// the scenarios, so the run is not the whole suite (a godog CLI run's --tags are not seen here).
	Seed        int64  `json:"seed"`
	Tags        string `json:"tags,omitempty"`
	TagLimited  bool   `json:"tag_limited,omitempty"`
	Concurrency int    `json:"concurrency"`
	Strict      bool   `json:"strict"`
	// Started is when the run began; Duration how long it took.
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	// Counts are scenario outcomes by status.
	Counts map[string]int `json:"counts"`
	// SecretVariables names the profile variable behind each fingerprint of a secret value, so a report can
	// show "$RC_CLIENT_SECRET" where an exchange holds "[redacted:…]". A Basic credential's fingerprint
	// names its pair, "RC_CLIENT_ID:RC_CLIENT_SECRET". Fingerprints of tokens issued during the run are not
	// here.
	SecretVariables map[string]string `json:"secret_variables,omitempty"`
	// Notes are the skips and warnings, sorted by feature and scenario.
	Notes []Note `json:"notes"`
	// Users is how many test users the run spread its scenarios over; Rate the Auth-group pacing per user
	// and app ("5/1m0s"; "off" on the mock).
	Users int    `json:"users"`
	Rate  string `json:"auth_rate"`
	// Budgets are the Auth-group requests the run made, by test user and app.
	Budgets []Budget `json:"budgets,omitempty"`
	// Stopped says why the run stopped early (the target could not be reached); empty if it did not.
	Stopped string `json:"stopped,omitempty"`
	// Scenarios are in the order they finished; run.json, the short summary, leaves them out.
	Scenarios []Scenario `json:"scenarios,omitempty"`
}

// KindOf is the run's kind of target: the one it recorded, or else the one its target and Embedded say.
func (r *Run) KindOf() string {
	if r.Kind != "" {
		return r.Kind
	}
	return TargetKind(r.Target, r.Embedded, r.Dialect)
}

// Note is something a reader of the run must see besides pass and fail: a skipped scenario and why, a
// SHOULD-level requirement that was not met, a deviation from the mock's documented choice, or a failure
// the target's baseline expects.
type Note struct {
	Kind     string   `json:"kind"` // NoteSkip, NoteWarning, NoteDeviation or NoteKnown
	Scenario string   `json:"scenario"`
	Feature  string   `json:"feature"`
	Example  string   `json:"example,omitempty"`
	Clauses  []string `json:"clauses,omitempty"`
	Message  string   `json:"message"`
	// Baseline is the reason of the baseline entry that expected this outcome; empty when it is new.
	Baseline string `json:"baseline,omitempty"`
}

// Scenario is one scenario (one example row of an outline) as it ran.
type Scenario struct {
	// Name is the scenario's name (an outline's with the row's values), Feature its file, Line its line
	// (an example row's for an outline) and Example the row's cells joined with " | ".
	Name    string `json:"name"`
	Feature string `json:"feature"`
	Line    int    `json:"line,omitempty"`
	Example string `json:"example,omitempty"`
	// Tags are the scenario's tags, the feature's included; Clauses the RFC clauses among them.
	Tags    []string `json:"tags"`
	Clauses []string `json:"clauses,omitempty"`
	// Status is Passed, Failed, Skipped, Warned, Deviated or Known.
	Status   string        `json:"status"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	Steps    []Step        `json:"steps"`
	// User is the test user the scenario ran as (1, 2, …).
	User int `json:"user,omitempty"`
	// Flaky lists the requests that got no answer or a 5xx and were sent again: a scenario that passed
	// with them passed flakily.
	Flaky []string `json:"flaky,omitempty"`
	// Auth are the scenario's Auth-group requests (token, revoke, authorize, userinfo, wstoken), in order.
	Auth []AuthRequest `json:"auth,omitempty"`
	// Cleanup are the exchanges made after the last step (revoking the scenario's sessions).
	Cleanup []driver.Exchange `json:"cleanup,omitempty"`
}

// Budget is the Auth-group usage of one test user with one app (User 0: requests made for no user, such
// as the client_credentials grant).
type Budget struct {
	User int    `json:"user"`
	App  string `json:"app"`
	// Requests were sent; ClientErrors answered 4xx; RateLimited answered 429 although paced.
	Requests     int `json:"requests"`
	ClientErrors int `json:"client_errors"`
	RateLimited  int `json:"rate_limited"`
	// Waited is the time spent waiting for the budget.
	Waited time.Duration `json:"waited_ns"`
}

// AuthRequest is one Auth-group request: the budget it spent (test user and app), why that user's
// (Cred: the per-user variable whose owner it is, "" for the scenario's user, "-" for no user), and the
// answer's status (0 when none came).
type AuthRequest struct {
	User   int    `json:"user"`
	App    string `json:"app"`
	Cred   string `json:"cred,omitempty"`
	Status int    `json:"status"`
	// Burst is the number of requests sent at once with this one (concurrent refreshes), 0 for one alone.
	Burst int `json:"burst,omitempty"`
}

// Step is one step as it ran.
type Step struct {
	// Type is "Context" (Given), "Action" (When) or "Outcome" (Then), as Gherkin's pickles say.
	Type string `json:"type"`
	Text string `json:"text"`
	// Status is godog's: passed, failed, skipped, undefined, pending or ambiguous.
	Status string `json:"status"`
	// Error is the failure or skip reason, redacted.
	Error     string            `json:"error,omitempty"`
	Exchanges []driver.Exchange `json:"exchanges,omitempty"`
}

// Write stores r as JSON at path.
func Write(path string, r *Run) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("results: encoding %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// Read loads a Run written by Write.
func Read(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("results: %s is not a run record: %w", path, err)
	}
	return &r, nil
}
