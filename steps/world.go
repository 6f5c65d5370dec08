package steps

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/rcoauth/conformance/catalog"
	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/results"
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
//
// What the sentences of a scenario refer to has one named place per kind, and only Given and When steps
// fill the places a later sentence names ("the request", "the token response", "the first token"): a Then
// step that makes exchanges of its own to check something (an API call, a refresh attempt) keeps them in
// its own places, so it never changes what the next sentence is about.
type world struct {
	s       *Suite
	profile *env.Profile

	scenario string
	feature  string
	id       catalog.Scenario // the scenario as the features catalogue knows it (line, example row)
	tags     map[string]bool
	clauses  []string
	step     *godog.Step // the step being run

	rec       *driver.Recorder
	client    *driver.Client
	clock     targetClock
	user      int    // the test user the scenario runs as (1, 2, …), whose profile view w.profile is
	signer    int    // the test user whose credential the request being built presents (0: none yet)
	signerVar string // the per-user variable that made it so

	mu           sync.Mutex            // guards authRequests, which concurrent requests append to
	authRequests []results.AuthRequest // the scenario's Auth-group requests, in order

	app  *appCreds  // the app acting in the scenario (default: the confidential app)
	auth authChoice // how the app authenticates (default: its registered method)

	request        *result             // "the request": the latest exchange of a Given or When step
	token          *result             // "the token response": the latest token-endpoint answer of a Given or When step
	api            *result             // "the API answer": the latest API call, whichever step made it
	batch          []*result           // "the answers": a batch of repeated or concurrent requests, in order
	tokens         []*driver.TokenInfo // tokens issued to Given and When steps, oldest first ("first", "previous", "latest")
	sessions       []*session          // one entry per sign-in, in order, each with every token it was issued
	authz          *authorization      // the latest authorization request and its outcome
	requestedScope string              // the scope the latest scoped token request asked for
	device         *deviceFlow         // the latest device authorization (mock-only flow)
	patient        bool                // wait out rate limits even on the mock (calls.go)
	outcome        string              // results.Skipped, Warned, Deviated or Known once a step said so
	waited         []time.Duration     // rate-limit waits of this scenario
	flaky          []string            // requests that got no answer or a 5xx and were retried
}

// session is one sign-in: the app that signed in and the tokens the session was issued, the sign-in's
// first and each refresh's after it.
type session struct {
	app    *appCreds
	spend  // the budget the session's requests spend: the signing-in user's with the app
	tokens []*driver.TokenInfo
}

// newest returns the session's newest token response: the one whose tokens are still valid after refreshes.
func (s *session) newest() *driver.TokenInfo { return s.tokens[len(s.tokens)-1] }

// What an exchange was, as result.what names it in messages ("the token request did not issue a token").
const (
	whatToken               = "token request"
	whatAuthorization       = "authorization request"
	whatRevocation          = "revocation request"
	whatIntrospection       = "introspection request"
	whatAPI                 = "API call"
	whatWSToken             = "WebSocket token request"
	whatDeviceAuthorization = "device authorization request"
	whatMetadata            = "metadata request"
	whatJWKS                = "JWKS request"
)

// result is the outcome of one exchange.
type result struct {
	what      string // what the exchange was: one of the what… constants
	resp      *driver.Response
	err       error // *driver.OAuthError, *driver.MalformedResponseError, *driver.TransportError or other
	token     *driver.TokenInfo
	wsToken   *driver.WSTokenInfo // a WebSocket token request's parsed answer
	grantType string              // the grant_type a token request sent
	presented string              // the refresh token a refresh request presented
	spent     spend               // the budget a token request spent
}

// targetClock is the clock of the scenario's target: the wall clock, or on the mock the scenario's clock
// once a step has moved it (the mock answers its new time, which then runs on with the wall clock).
type targetClock struct {
	mockNow time.Time // the mock's time when it last answered a clock change
	at      time.Time // the wall-clock time of that answer
}

// now returns the target's current time.
func (c *targetClock) now() time.Time {
	if c.at.IsZero() {
		return time.Now()
	}
	return c.mockNow.Add(time.Since(c.at))
}

// set records the time the mock answered to a clock change.
func (c *targetClock) set(mockNow time.Time) { c.mockNow, c.at = mockNow, time.Now() }

func newWorld(s *Suite) *world {
	return &world{s: s, profile: s.cfg.Profile, tags: map[string]bool{}}
}

// before prepares the scenario: its realm in the mock, its driver, and the skips its tags call for.
func (w *world) before(ctx context.Context, sc *godog.Scenario) (context.Context, error) {
	w.scenario = sc.Name
	w.feature = featurePath(sc.Uri)
	w.id = w.s.identify(sc)
	for _, t := range sc.Tags {
		w.tags[t.Name] = true
		if rfcTag.MatchString(t.Name) {
			w.clauses = append(w.clauses, strings.TrimPrefix(t.Name, "@"))
		}
	}
	if err := w.s.stopped(); err != nil {
		w.s.scenarioStarted(w, sc)
		return ctx, w.skip("not run: %v", err)
	}
	w.user = w.s.takeUser(w.id)
	w.profile = w.s.cfg.Profile.ForUser(w.user)
	w.s.scenarioStarted(w, sc)
	target := w.s.cfg.Target
	realm := ""
	if target.Control {
		realm = fmt.Sprintf("s%04d-%s", w.s.seq.Add(1), slug(sc.Name))
	}
	w.rec = &driver.Recorder{}
	client, err := w.newClient(realm, w.s.timeout)
	if err != nil {
		return ctx, err
	}
	w.client = client
	if err := w.dialectSkip(); err != nil {
		return ctx, err
	}
	if err := w.introspectionSkip(); err != nil {
		return ctx, err
	}
	switch {
	case w.tags[tagMockOnly] && !target.Control:
		return ctx, w.skip("needs the mock's control API (clock, faults or settings): profile %q targets %s without RC_MOCK_CONTROL=true", w.profile.Name(), target.URL)
	case w.tags[tagDestructive] && !target.Control && !w.profile.Bool("RC_ALLOW_DESTRUCTIVE"):
		return ctx, w.skip("evicts the user's sessions on %s: set RC_ALLOW_DESTRUCTIVE=true in profile %q to run it", target.URL, w.profile.Name())
	}
	return ctx, nil
}

// featurePath is a scenario's feature file: godog names it as the run selected it, with ":line" when a
// path selected the scenario by its line.
func featurePath(uri string) string {
	if i := strings.LastIndexByte(uri, ':'); i > 0 {
		if _, err := strconv.Atoi(uri[i+1:]); err == nil {
			return uri[:i]
		}
	}
	return uri
}

// newClient makes the scenario's driver for realm (empty on targets without the control API) with a
// per-request timeout; everything it signs is dated by the target's clock.
func (w *world) newClient(realm string, timeout time.Duration) (*driver.Client, error) {
	return driver.New(driver.Config{
		Endpoints: w.endpoints(),
		BaseURL:   w.s.cfg.Target.URL,
		Timeout:   timeout,
		Scenario:  realm,
		Recorder:  w.rec,
		Redactor:  w.s.redactor(),
		Clock:     w.clock.now,
	})
}

// beforeStep makes the step the current one: whether it is an assertion (a Then step) decides where its
// exchanges go and how its failure is judged.
func (w *world) beforeStep(ctx context.Context, st *godog.Step) (context.Context, error) {
	w.step, w.signer, w.signerVar = st, 0, ""
	return ctx, nil
}

// afterStep attaches the step's redacted exchanges to the report (cucumber JSON embeddings) and records
// the step for the run's results.
func (w *world) afterStep(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
	var xs []driver.Exchange
	if w.rec != nil {
		xs = w.rec.Drain()
	}
	if len(xs) > 0 {
		if b, jerr := marshalExchanges(xs); jerr == nil {
			ctx = godog.Attach(ctx, godog.Attachment{Body: b, FileName: "exchanges.json", MediaType: "application/json"})
		}
	}
	w.s.stepFinished(w, st, status, err, xs)
	w.step = nil
	return ctx, nil
}

// asserting reports whether the current step is an assertion: a Then step, or an And or But after one.
func (w *world) asserting() bool {
	return w.step != nil && w.step.Type == messages.PickleStepType_OUTCOME
}

// after counts the scenario's outcome and cleans up: on the mock the scenario's realm is dropped; on a
// real target every session the scenario opened is revoked, so runs do not pile up sessions (RingCentral
// allows five per user and app).
func (w *world) after(ctx context.Context, sc *godog.Scenario, err error) (context.Context, error) {
	// godog hands this hook the last step's error, which is nil when the scenario was skipped (a skip stops
	// the later steps without failing them), so the world keeps its own account.
	outcome := results.Passed
	switch {
	case w.outcome != "":
		outcome = w.outcome
	case err != nil && !errors.Is(err, godog.ErrSkip):
		outcome = results.Failed
	}
	if w.client != nil {
		cleanup, cancel := context.WithTimeout(context.Background(), w.s.timeout)
		defer cancel()
		switch {
		case w.onMock():
			_ = w.client.ResetScenario(cleanup)
		case w.s.cleanup:
			w.revokeAll(cleanup)
		}
		w.s.addExchanges(w.scenario, w.rec.All())
		w.client.Close()
	}
	w.s.scenarioFinished(w, outcome)
	if w.user > 0 {
		w.s.releaseUser(w.user)
	}
	return ctx, nil
}

// revokeAll revokes every session the scenario opened on a real target, each with its newest token: after
// a refresh the sign-in's own token is dead, and revoking a dead token answers 200 and ends nothing
// (RFC 7009 §2.2), which would leave the session counting against the user's five. Errors are ignored, as
// RingCentral advises ("the client should ignore it and not retry", errors.md).
func (w *world) revokeAll(ctx context.Context) {
	for _, s := range w.sessions {
		// Revoke as the app that signed in, with its registered method: a token revoked by another app stays
		// valid (RFC 7009 §2.1).
		w.app, w.auth = s.app, authChoice{}
		auth, err := w.clientAuth()
		if err != nil {
			continue
		}
		token := s.newest().AccessToken
		_, _ = send(ctx, w, driver.RevokePath, w.tokenSpendOf(token), func() attempt[*driver.Response] {
			resp, err := w.client.Revoke(ctx, driver.RevokeRequest{Form: driver.NewForm("token", token), Auth: auth})
			return attempt[*driver.Response]{resp, resp, err}
		})
	}
}

// skip ends the scenario as skipped with a reason that the summary and run.json show.
func (w *world) skip(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	w.outcome = results.Skipped
	w.s.note(Note{Kind: results.NoteSkip, Scenario: w.scenario, Feature: w.feature, Message: msg})
	return fmt.Errorf("%w: %s", godog.ErrSkip, msg)
}

// need returns the profile's values for keys, or a skip naming every missing variable and the profile.
// A key is named as RingCentral's profiles name it; a profile of any OAuth 2.0 server configures the same
// role under its generic name (env.Profile.Key: RC_CLIENT_ID is OAUTH_CLIENT_ID there).
func (w *world) need(keys ...string) ([]string, error) {
	keys = slices.Clone(keys)
	for i, k := range keys {
		keys[i] = w.profile.Key(k)
	}
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
		if slices.Contains(env.PerUser, k) && w.signer == 0 {
			w.signer, w.signerVar = w.profile.Owner(k), k
		}
	}
	return out, nil
}

// onMock reports whether the scenario runs against an rcmock with its control API (its own realm).
func (w *world) onMock() bool { return w.client.Scenario() != "" }

// needControl fails a step that needs the mock's control API on a target without it. Scenarios using such
// steps are tagged @mock-only and skipped before they get here; this guards untagged ones.
func (w *world) needControl(what string) error {
	if !w.onMock() {
		return fmt.Errorf("%s needs the mock's control API; tag the scenario %s", what, tagMockOnly)
	}
	return nil
}

// setResult records an exchange. Given and When steps make it "the request" (and a token-endpoint answer
// "the token response", its tokens the scenario's latest); a Then step's own exchanges change none of
// those. Whichever step made it, a sign-in or refresh is added to the scenario's sessions, so that the
// cleanup ends every session with its newest token.
func (w *world) setResult(r *result) *result {
	w.track(r)
	if w.asserting() {
		return r
	}
	w.request = r
	if r.what == whatToken {
		w.token = r
		if r.token != nil {
			w.tokens = append(w.tokens, r.token)
		}
	}
	return r
}

// track adds a token response to the session it belongs to: a refresh continues the session whose token it
// presented; anything else is a sign-in and opens a session.
func (w *world) track(r *result) {
	if r.token == nil {
		return
	}
	if r.grantType == "refresh_token" {
		for _, s := range w.sessions {
			for _, t := range s.tokens {
				if t.RefreshToken != "" && t.RefreshToken == r.presented {
					s.tokens = append(s.tokens, r.token)
					return
				}
			}
		}
	}
	w.sessions = append(w.sessions, &session{app: w.app, spend: r.spent, tokens: []*driver.TokenInfo{r.token}})
}

// setAPIResult records an API call: it is "the API answer" whichever step made it, and, made by a Given or
// When step, also "the request".
func (w *world) setAPIResult(resp *driver.Response, err error) *result {
	r := &result{what: whatAPI, resp: resp, err: err}
	w.api = r
	return w.setResult(r)
}

// theRequest returns the latest exchange of a Given or When step, or an error saying there was none.
func (w *world) theRequest() (*result, error) {
	if w.request == nil {
		return nil, errors.New("no request has been made in this scenario yet")
	}
	return w.request, nil
}

// theTokenResponse returns the latest token-endpoint answer of a Given or When step.
func (w *world) theTokenResponse() (*result, error) {
	if w.token == nil {
		return nil, errors.New("no token request has been made in this scenario yet")
	}
	return w.token, nil
}

// theAPIAnswer returns the latest API call's answer.
func (w *world) theAPIAnswer() (*result, error) {
	if w.api == nil {
		return nil, errors.New("no API call has been made in this scenario yet")
	}
	return w.api, nil
}

// latestToken returns the newest token issued to a Given or When step.
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
