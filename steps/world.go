package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/env"
)

// Tags with a meaning to the harness (README "Tags").
const (
	tagMockOnly    = "@mock-only"   // needs the mock's control API (clock, faults, settings)
	tagShould      = "@should"      // checks an RFC SHOULD: a failure warns unless the run is strict
	tagDestructive = "@destructive" // evicts the user's sessions: skipped on real targets unless allowed
)

// rfcTag matches the RFC clause tags, e.g. @rfc6749-5.2 or @rfc7636-4.6.
var rfcTag = regexp.MustCompile(`^@rfc\d+(-[0-9.]+)?$`)

// world is the state of one scenario. godog creates it in the scenario initializer, so concurrent
// scenarios never share it.
type world struct {
	s       *Suite
	profile *env.Profile

	scenario string
	feature  string
	tags     map[string]bool
	clauses  []string

	rec    *driver.Recorder
	client *driver.Client

	app  *appCreds  // the app acting in the scenario (default: the confidential app)
	auth authChoice // how the app authenticates (default: its registered method)

	last     *result              // the latest exchange the scenario's assertions look at
	tokens   []*driver.TokenInfo  // successful token responses, oldest first
	sessions []*driver.TokenInfo  // one entry per sign-in (first token response of each session)
	authz    *authorization       // the latest authorization request and its outcome
	device   *deviceFlow          // the latest device authorization (mock-only flow)
	batch    []*result            // results of repeated or concurrent requests
	patient  bool                 // wait out rate limits even on the mock (calls.go)
	outcome  string               // "skipped" or "warned" once a step said so
	issuedBy map[string]*appCreds // access token -> the app that obtained it, for the cleanup
	waited   []time.Duration      // rate-limit waits of this scenario
}

// result is the outcome of one exchange.
type result struct {
	what  string // "token request", "authorization request", "revocation request", "API call"
	resp  *driver.Response
	err   error // *driver.OAuthError, *driver.MalformedResponseError, *driver.TransportError or other
	token *driver.TokenInfo
}

func newWorld(s *Suite) *world {
	return &world{s: s, profile: s.cfg.Profile, tags: map[string]bool{}}
}

// before prepares the scenario: its realm in the mock, its driver, and the skips its tags call for.
func (w *world) before(ctx context.Context, sc *godog.Scenario) (context.Context, error) {
	w.scenario = sc.Name
	w.feature = sc.Uri
	for _, t := range sc.Tags {
		w.tags[t.Name] = true
		if rfcTag.MatchString(t.Name) {
			w.clauses = append(w.clauses, strings.TrimPrefix(t.Name, "@"))
		}
	}
	if err := w.s.Start(); err != nil {
		return ctx, err
	}
	realm := ""
	if w.s.control {
		realm = fmt.Sprintf("s%04d-%s", w.s.seq.Add(1), slug(sc.Name))
	}
	w.rec = &driver.Recorder{}
	client, err := driver.New(driver.Config{
		BaseURL:  w.s.target,
		Timeout:  w.s.timeout,
		Scenario: realm,
		Recorder: w.rec,
		Redactor: driver.NewRedactor(w.s.fingerprints, w.profile.Secrets()...),
	})
	if err != nil {
		return ctx, err
	}
	w.client = client
	switch {
	case w.tags[tagMockOnly] && !w.s.control:
		return ctx, w.skip("needs the mock's control API (clock, faults or settings): profile %q targets %s without RC_MOCK_CONTROL=true", w.profile.Name(), w.s.target)
	case w.tags[tagDestructive] && !w.s.control && !w.profile.Bool("RC_ALLOW_DESTRUCTIVE"):
		return ctx, w.skip("evicts the user's sessions on %s: set RC_ALLOW_DESTRUCTIVE=true in profile %q to run it", w.s.target, w.profile.Name())
	}
	return ctx, nil
}

// after records the scenario's exchanges and cleans up: on the mock the scenario's realm is dropped; on a
// real target every session the scenario opened is revoked, so runs do not pile up sessions (RingCentral
// allows five per user and app).
func (w *world) after(ctx context.Context, sc *godog.Scenario, err error) (context.Context, error) {
	// godog hands this hook the last step's error, which is nil when the scenario was skipped (a skip stops
	// the later steps without failing them), so the world keeps its own account.
	switch {
	case w.outcome != "":
		w.s.count(w.outcome)
	case err != nil && !errors.Is(err, godog.ErrSkip):
		w.s.count("failed")
	default:
		w.s.count("passed")
	}
	if w.client != nil {
		cleanup, cancel := context.WithTimeout(context.Background(), w.s.timeout)
		defer cancel()
		if w.client.Scenario() != "" {
			_ = w.client.ResetScenario(cleanup)
		} else {
			w.revokeAll(cleanup)
		}
		w.s.addExchanges(w.scenario, w.rec.All())
		w.client.Close()
	}
	return ctx, nil
}

// revokeAll revokes the sessions the scenario opened on a real target; errors are ignored as RingCentral
// advises ("the client should ignore it and not retry", errors.md).
func (w *world) revokeAll(ctx context.Context) {
	seen := map[string]bool{}
	for _, t := range w.tokens {
		if t.SessionID != "" && seen[t.SessionID] {
			continue
		}
		seen[t.SessionID] = true
		// Revoke as the app that obtained the token (registered method, no assertion changes): a token
		// revoked by another app stays valid (RFC 7009 §2.1; RingCentral answers 200 regardless).
		w.app, w.auth = w.issuedBy[t.AccessToken], authChoice{}
		auth, err := w.clientAuth()
		if err != nil {
			continue
		}
		_, _ = w.client.Revoke(ctx, driver.RevokeRequest{Form: driver.NewForm("token", t.AccessToken), Auth: auth})
	}
}

// skip ends the scenario as skipped with a reason that the summary and run.json show.
func (w *world) skip(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	w.outcome = "skipped"
	w.s.note(Note{Kind: "skip", Scenario: w.scenario, Feature: w.feature, Message: msg})
	return fmt.Errorf("%w: %s", godog.ErrSkip, msg)
}

// need returns the profile's values for keys, or a skip naming every missing variable and the profile.
func (w *world) need(keys ...string) ([]string, error) {
	if err := w.profile.Require(keys...); err != nil {
		var missing *env.MissingVariablesError
		if errors.As(err, &missing) {
			return nil, w.skip("profile %q does not set %s", w.profile.Name(), strings.Join(missing.Vars, ", "))
		}
		return nil, err
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = w.profile.Value(k)
	}
	return out, nil
}

// needControl fails a step that needs the mock's control API on a target without it. Scenarios using such
// steps are tagged @mock-only and skipped before they get here; this guards untagged ones.
func (w *world) needControl(what string) error {
	if w.client.Scenario() == "" {
		return fmt.Errorf("%s needs the mock's control API; tag the scenario %s", what, tagMockOnly)
	}
	return nil
}

// judge applies the run's severity rules to a step's error: skips pass through; a failure of a @should
// scenario becomes a warning (recorded with its RFC clauses) and skips the rest of the scenario, unless
// the run is strict.
func (w *world) judge(err error) error {
	if err == nil || errors.Is(err, godog.ErrSkip) {
		return err
	}
	err = w.redact(err)
	// A target that could not be reached is not a conformance finding: it fails even a @should scenario.
	var te *driver.TransportError
	unreachable := errors.As(err, &te) || (w.last != nil && w.last.resp == nil && errors.As(w.last.err, &te))
	if w.tags[tagShould] && !w.s.cfg.Strict && !unreachable {
		w.outcome = "warned"
		w.s.note(Note{Kind: "warning", Scenario: w.scenario, Feature: w.feature, Clauses: w.clauses, Message: err.Error()})
		return fmt.Errorf("%w: SHOULD-level requirement not met (%s), reported as a warning: %v", godog.ErrSkip, strings.Join(w.clauses, " "), err)
	}
	return err
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

// vocabulary registers step definitions for one world. Without a ScenarioContext it only lists them
// (Vocabulary).
type vocabulary struct {
	sc      *godog.ScenarioContext
	w       *world
	subject string
	listing []StepDoc
}

// StepDoc is one step definition of the vocabulary: its subject (the file that defines it) and anchored
// expression.
type StepDoc struct {
	Subject    string
	Expression string
}

// register calls every subject's registration, in the order of the package doc.
func (v *vocabulary) register() {
	for _, sub := range []struct {
		name string
		fn   func()
	}{
		{"apps and client authentication", v.apps},
		{"token requests", v.tokens},
		{"responses", v.responses},
		{"API calls", v.api},
		{"authorization", v.authorize},
		{"revocation", v.revocation},
		{"sessions", v.sessions},
		{"rate limits", v.rateLimits},
		{"clock", v.clock},
		{"faults", v.faults},
		{"grant-specific credentials", v.grantSpecific},
		{"OpenID Connect", v.oidc},
	} {
		v.subject = sub.name
		sub.fn()
	}
}

// Vocabulary lists every step definition, grouped by subject (golden file steps/testdata/vocabulary.golden).
func Vocabulary() []StepDoc {
	v := &vocabulary{w: &world{}}
	v.register()
	return v.listing
}

var (
	ctxType   = reflect.TypeFor[context.Context]()
	errorType = reflect.TypeFor[error]()
)

// step registers fn for the anchored expression expr. fn is a world method taking context.Context first
// (optional) and the expression's captures (string, int, *godog.Table), returning error. The registered
// handler attaches the step's redacted exchanges to the report (cucumber JSON embeddings) and applies
// judge to its error.
func (v *vocabulary) step(expr string, fn any) {
	if !strings.HasPrefix(expr, "^") || !strings.HasSuffix(expr, "$") {
		panic("steps: step expressions are anchored: " + expr)
	}
	if v.sc == nil {
		v.listing = append(v.listing, StepDoc{Subject: v.subject, Expression: expr})
		return
	}
	fv := reflect.ValueOf(fn)
	ft := fv.Type()
	if ft.Kind() != reflect.Func || ft.NumOut() != 1 || ft.Out(0) != errorType {
		panic(fmt.Sprintf("steps: %s: handler must return error, got %s", expr, ft))
	}
	takesCtx := ft.NumIn() > 0 && ft.In(0) == ctxType
	in := []reflect.Type{ctxType}
	for i := 0; i < ft.NumIn(); i++ {
		if i == 0 && takesCtx {
			continue
		}
		in = append(in, ft.In(i))
	}
	wrapped := reflect.FuncOf(in, []reflect.Type{ctxType, errorType}, false)
	w := v.w
	handler := reflect.MakeFunc(wrapped, func(args []reflect.Value) []reflect.Value {
		ctx := args[0].Interface().(context.Context)
		call := args[1:]
		if takesCtx {
			call = args
		}
		var err error
		if out := fv.Call(call)[0]; !out.IsNil() {
			err = out.Interface().(error)
		}
		if w.rec != nil {
			if xs := w.rec.Drain(); len(xs) > 0 {
				if b, jerr := json.MarshalIndent(xs, "", "  "); jerr == nil {
					ctx = godog.Attach(ctx, godog.Attachment{Body: b, FileName: "exchanges.json", MediaType: "application/json"})
				}
			}
		}
		return []reflect.Value{reflect.ValueOf(&ctx).Elem(), errValue(w.judge(err))}
	})
	v.sc.Step(expr, handler.Interface())
}

func errValue(err error) reflect.Value {
	if err == nil {
		return reflect.Zero(errorType)
	}
	return reflect.ValueOf(&err).Elem()
}

// slug makes a realm name from a scenario name.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
		if b.Len() >= 40 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// setResult makes r the exchange the next assertions look at.
func (w *world) setResult(r *result) *result {
	w.last = r
	if r.token != nil {
		w.tokens = append(w.tokens, r.token)
		if w.issuedBy == nil {
			w.issuedBy = map[string]*appCreds{}
		}
		w.issuedBy[r.token.AccessToken] = w.app
	}
	return r
}

// lastResult returns the latest exchange or an error saying there was none.
func (w *world) lastResult() (*result, error) {
	if w.last == nil {
		return nil, errors.New("no request has been made in this scenario yet")
	}
	return w.last, nil
}

// latestToken returns the newest successful token response.
func (w *world) latestToken() (*driver.TokenInfo, error) {
	if len(w.tokens) == 0 {
		return nil, errors.New("no token has been issued in this scenario yet")
	}
	return w.tokens[len(w.tokens)-1], nil
}

// tokenAt picks a token response by its name in the vocabulary: "first", "previous" (the one before
// the latest) or "latest".
func (w *world) tokenAt(which string) (*driver.TokenInfo, error) {
	n := len(w.tokens)
	switch which {
	case "first":
		if n > 0 {
			return w.tokens[0], nil
		}
	case "previous":
		if n > 1 {
			return w.tokens[n-2], nil
		}
		return nil, fmt.Errorf("there is no previous token: %d token(s) issued so far", n)
	case "", "latest":
		return w.latestToken()
	default:
		return nil, fmt.Errorf("unknown token %q (first, previous or latest)", which)
	}
	return nil, errors.New("no token has been issued in this scenario yet")
}

// describe renders a result for an error message: what was sent and what came back (redacted).
func (r *result) describe() string {
	switch {
	case r == nil:
		return "no exchange"
	case r.resp != nil && r.err != nil:
		return fmt.Sprintf("%s; %v", r.resp.String(), r.err)
	case r.resp != nil:
		return r.resp.String()
	case r.err != nil:
		return fmt.Sprintf("%s failed: %v", r.what, r.err)
	}
	return r.what + " with no response"
}
