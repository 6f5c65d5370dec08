package steps

import (
	"errors"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/jsoncheck"
)

// problems collects every mismatch of an assertion, so a failed step reports all of them at once.
type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err(r *result) error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%d problem(s):\n  - %s\nreceived: %s", len(p), strings.Join(p, "\n  - "), r.describe())
}

func (v *vocabulary) responses() {
	w := v.w
	v.sc.Step(v.assertion(`^a token is issued$`), w.tokenIssued)
	v.sc.Step(v.assertion(`^the token response has (a|no) refresh token$`), w.refreshTokenPresence)
	v.sc.Step(v.assertion(`^the (access|refresh) token lifetime is (\d+) seconds$`), w.lifetime)
	v.sc.Step(v.assertion(`^the access and refresh tokens differ from the previous ones$`), w.tokensRotated)
	v.sc.Step(v.assertion(`^the refresh token is rotated or sender-constrained$`), w.refreshRotatedOrBound)
	v.sc.Step(v.assertion(`^the token response repeats the previous tokens$`), w.tokensRepeated)
	v.sc.Step(v.assertion(`^the session is the same$`), w.sameSession)
	v.sc.Step(v.assertion(`^the token carries the same scope as the first token$`), w.sameScopeAsFirst)
	v.sc.Step(v.assertion(`^every answer carries the same new tokens$`), w.batchSameNewTokens)
	v.sc.Step(v.assertion(`^the token response belongs to the user$`), w.ownedByUser)
	v.sc.Step(v.assertion(`^the token response has no owner$`), w.noOwner)
	v.sc.Step(v.assertion(`^the request is rejected with (\w+)(?: ((?:OAU|CMN|DEV)-\d+))?$`), w.rejected)
	v.sc.Step(v.assertion(`^the request is rejected with HTTP (\d+)$`), w.rejectedStatus)
	v.sc.Step(v.assertion(`^the request is rejected with a client error$`), w.rejectedClientError)
	v.sc.Step(v.assertion(`^the response is not cacheable$`), w.notCacheable)
	v.sc.Step(v.assertion(`^the response is JSON$`), w.isJSON)
	v.sc.Step(v.assertion(`^the response matches RingCentral's OpenAPI description$`), w.matchesOpenAPI)
	v.sc.Step(v.assertion(`^the response field "([^"]+)" is an? (string|number|integer|boolean|object|array|null)$`), w.fieldType)
	v.sc.Step(v.assertion(`^the response field "([^"]+)" (equals|matches) "([^"]*)"$`), w.fieldValue)
	v.sc.Step(v.assertion(`^the response has:$`), w.responseHas)
}

// fieldType checks the JSON type of the response's member at the gjson path (an integer is a number without
// a fraction). The expected type comes from the feature using it, which names its source (OpenAPI schemas
// mostly).
func (w *world) fieldType(path, typ string) (err error) {
	defer w.verdict(&err)
	return w.checkFields(jsoncheck.Check{Path: path, Op: jsoncheck.HasType, Arg: typ})
}

// fieldValue checks that the response's JSON member at the gjson path equals the value, or matches it as a
// regular expression; the feature using it names where the value comes from.
func (w *world) fieldValue(path, op, want string) (err error) {
	defer w.verdict(&err)
	return w.checkFields(jsoncheck.Check{Path: path, Op: map[string]jsoncheck.Op{"equals": jsoncheck.Equals, "matches": jsoncheck.Matches}[op], Arg: want})
}

// responseHas checks a table of | path | check | value | rows (jsoncheck.ParseTable) against the request's
// answer; the feature using it names where each row's expectation comes from.
func (w *world) responseHas(t *godog.Table) (err error) {
	defer w.verdict(&err)
	var rows [][]string
	for _, r := range t.Rows {
		var cells []string
		for _, c := range r.Cells {
			cells = append(cells, c.Value)
		}
		rows = append(rows, cells)
	}
	checks, err := jsoncheck.ParseTable(rows)
	if err != nil {
		return err
	}
	return w.checkFields(checks...)
}

// tokenIssued checks a successful token response in full: HTTP 200; JSON; RFC 6749 §5.1 Cache-Control:
// no-store and Pragma: no-cache; in RingCentral's dialect its TokenInfo (OpenAPI) with owner_id a string and
// numeric TTLs; token_type bearer compared case-insensitively (RFC 6749 §7.1, RFC 6750 §4); expires_in positive and
// in seconds, not milliseconds (OIDF ValidateExpiresIn).
func (w *world) tokenIssued() (err error) {
	defer w.verdict(&err)
	r, err := w.theTokenResponse()
	if err != nil {
		return err
	}
	var p problems
	if r.resp == nil {
		return fmt.Errorf("no token: %s", r.describe())
	}
	if r.resp.Status != 200 {
		p.addf("status %d; want 200", r.resp.Status)
	}
	var mal *driver.MalformedResponseError
	if errors.As(r.err, &mal) {
		p.addf("malformed token response: %s", mal.Reason)
	}
	w.hygiene(r, &p)
	if r.resp.Status == 200 && w.vendor() {
		if err := w.s.spec.ValidateResponse("POST", driver.TokenPath, 200, r.resp.Header.Get("Content-Type"), r.resp.Body); err != nil {
			p.addf("%v", err)
		}
	}
	body := r.resp.JSON()
	if tt := body.Get("token_type"); !strings.EqualFold(tt.String(), "bearer") {
		p.addf("token_type %s; want bearer (case-insensitive)", tt.Raw)
	}
	if e := body.Get("expires_in"); e.Type != gjson.Number || e.Int() <= 0 || e.Int() > 86400 {
		p.addf("expires_in %s; want a positive number of seconds", e.Raw)
	}
	if !w.vendor() {
		return p.err(r)
	}
	if o := body.Get("owner_id"); o.Exists() && o.Type != gjson.String {
		p.addf("owner_id %s; want a string", o.Raw)
	}
	for _, k := range []string{"refresh_token_expires_in", "session_expires_in", "session_idle_timeout"} {
		if v := body.Get(k); v.Exists() && v.Type != gjson.Number {
			p.addf("%s %s; want a number", k, v.Raw)
		}
	}
	if rt, rte := body.Get("refresh_token").Exists(), body.Get("refresh_token_expires_in").Exists(); rt != rte {
		p.addf("refresh_token present=%v but refresh_token_expires_in present=%v; they come together", rt, rte)
	}
	return p.err(r)
}

// hygiene checks what RFC 6749 §5.1 requires of a token endpoint answer (RFC MUST): JSON, with
// Cache-Control: no-store when it carries tokens; in RingCentral's dialect no-store and Pragma: no-cache on
// every answer (documented RingCentral behaviour: a real error answer carries both, ringcentral-java#24).
func (w *world) hygiene(r *result, p *problems) {
	if r.resp == nil {
		p.addf("no response")
		return
	}
	// RFC 6749 §5.1 requires no-store on answers that carry tokens; an error answer (§5.2) carries none.
	// Pragma: no-cache, which §5.1 also names, is deprecated (RFC 9111 §5.4) and the OpenID Foundation's
	// suite does not check it: RingCentral's dialect keeps both, since RingCentral sends them on every answer.
	if w.vendor() || r.resp.Status == 200 {
		w.noStore(r.resp, p)
	}
	jsonAnswer(r.resp, p)
}

// noStore adds a problem unless resp forbids caching: Cache-Control: no-store (RFC 6749 §5.1, a MUST for an
// answer carrying tokens) and, in RingCentral's dialect, Pragma: no-cache (RFC 6749 §5.1 names it too;
// documented RingCentral behaviour, ringcentral-java#24).
func (w *world) noStore(resp *driver.Response, p *problems) {
	h := resp.Header
	if !headerHasToken(h.Values("Cache-Control"), "no-store") {
		p.addf("Cache-Control %q; want no-store (RFC 6749 §5.1)", h.Get("Cache-Control"))
	}
	if w.vendor() && !headerHasToken(h.Values("Pragma"), "no-cache") {
		p.addf("Pragma %q; want no-cache (RFC 6749 §5.1; RingCentral sends it on every answer)", h.Get("Pragma"))
	}
}

// jsonAnswer adds a problem unless resp is application/json with a valid JSON body: RFC 6749 §5.1 and §5.2
// (MUST) have token and error answers use "application/json".
func jsonAnswer(resp *driver.Response, p *problems) {
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		p.addf("Content-Type %q; want application/json (RFC 6749 §5.1)", resp.Header.Get("Content-Type"))
	}
	if !gjson.ValidBytes(resp.Body) {
		p.addf("body is not valid JSON (RFC 6749 §5.1)")
	}
}

func headerHasToken(values []string, token string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

// refreshTokenPresence checks that the issued token response carries a refresh token or none (RFC 6749 §5.1:
// refresh_token is OPTIONAL, so which grants carry one is documented RingCentral behaviour, cited by each
// feature); on RingCentral refresh_token_expires_in comes and goes with it (OpenAPI TokenInfo).
func (w *world) refreshTokenPresence(which string) (err error) {
	defer w.verdict(&err)
	r, err := w.successful()
	if err != nil {
		return err
	}
	want := which == "a"
	body := r.resp.JSON()
	rt, rte := body.Get("refresh_token").Exists(), body.Get("refresh_token_expires_in").Exists()
	if !w.vendor() {
		rte = rt // refresh_token_expires_in is RingCentral's
	}
	var p problems
	switch {
	case want && !rt:
		p.addf("refresh_token is absent; want a refresh token")
	case want && !rte:
		p.addf("refresh_token_expires_in is absent; want it with the refresh token")
	case !want && rt:
		p.addf("refresh_token is present; want none")
	case !want && rte:
		p.addf("refresh_token_expires_in is present; want it omitted with the refresh token")
	}
	return p.err(r)
}

// lifetimeSlack allows for RingCentral's remaining-seconds style: it answers TTL-1 at issue time (3599,
// 604799) and less when the lifetime started earlier (an authorization code's session, api-docs PR #33).
const lifetimeSlack = 60

// lifetime checks that the issued token's expires_in (access, RFC 6749 §5.1) or refresh_token_expires_in
// (refresh, OpenAPI TokenInfo) is the number of seconds, less at most a minute for the time the request took;
// the lifetimes and their clamping are documented RingCentral behaviour (auth-token-params.inc), cited by
// the features.
func (w *world) lifetime(which string, want int) (err error) {
	defer w.verdict(&err)
	r, err := w.successful()
	if err != nil {
		return err
	}
	field := map[string]string{"access": "expires_in", "refresh": "refresh_token_expires_in"}[which]
	v := r.resp.JSON().Get(field)
	var p problems
	switch {
	case !v.Exists():
		p.addf("%s is absent; want about %d", field, want)
	case v.Type != gjson.Number:
		p.addf("%s is %s; want a number", field, v.Raw)
	case v.Int() > int64(want) || v.Int() < int64(want-lifetimeSlack):
		p.addf("%s is %d; want %d (remaining seconds: %d..%d)", field, v.Int(), want, want-lifetimeSlack, want)
	}
	return p.err(r)
}

// successful returns the token response if it issued a token.
func (w *world) successful() (*result, error) {
	r, err := w.theTokenResponse()
	if err != nil {
		return nil, err
	}
	if r.resp == nil || r.resp.Status != 200 || r.token == nil {
		return nil, fmt.Errorf("the %s did not issue a token: %s", r.what, r.describe())
	}
	return r, nil
}

// latestPair returns the latest successful token response and the one before it, for the rotation checks.
func (w *world) latestPair() (latest, previous *driver.TokenInfo, r *result, err error) {
	if r, err = w.successful(); err != nil {
		return nil, nil, nil, err
	}
	if previous, err = w.tokenAt("previous"); err != nil {
		return nil, nil, nil, err
	}
	return w.tokens[len(w.tokens)-1], previous, r, nil
}

// tokensRotated checks that a refresh issued a new access token (RFC 6749 §6: "the authorization server
// issues a new access token") and, in RingCentral's dialect, a new refresh token too (DOCS
// refresh-tokens.md: "A new refresh token is usually generated when the access token is refreshed").
// RFC 6749 §6 only says the server MAY issue a new refresh token, so another dialect checks the access
// token alone; RFC 9700 §2.2.2's rotation for public clients is "the public app's refresh token is
// rotated".
func (w *world) tokensRotated() (err error) {
	defer w.verdict(&err)
	latest, previous, r, err := w.latestPair()
	if err != nil {
		return err
	}
	var p problems
	if latest.AccessToken == previous.AccessToken {
		p.addf("the access token is the previous one; want a new access token")
	}
	if !w.vendor() {
		return p.err(r)
	}
	switch {
	case latest.RefreshToken == "":
		p.addf("no refresh token; want a new one")
	case latest.RefreshToken == previous.RefreshToken:
		p.addf("the refresh token is the previous one; want a new refresh token")
	}
	return p.err(r)
}

// refreshRotatedOrBound checks RFC 9700 §2.2.2 for a public client's refresh: its refresh tokens "MUST be
// sender-constrained or use refresh token rotation". The harness sends no DPoP proof (RFC 9449) and no
// client certificate (RFC 8705), so a refresh token can only be bound by a DPoP token_type answered to a
// request without proof, which no server does; in practice the check is rotation: the refresh answered a
// new refresh token, different from the one presented.
func (w *world) refreshRotatedOrBound() (err error) {
	defer w.verdict(&err)
	latest, previous, r, err := w.latestPair()
	if err != nil {
		return err
	}
	if r.grantType != "refresh_token" {
		return fmt.Errorf("the latest token request is a %s grant, not a refresh", r.grantType)
	}
	switch {
	case strings.EqualFold(latest.TokenType, "DPoP"):
		return nil
	case latest.RefreshToken == "":
		return fmt.Errorf("the refresh answered no new refresh token, so the presented one stays in use: want rotation or a sender-constrained token (RFC 9700 §2.2.2)\nreceived: %s", r.describe())
	case latest.RefreshToken == previous.RefreshToken || latest.RefreshToken == r.presented:
		return fmt.Errorf("the refresh answered the presented refresh token again: want a new one (rotation) or a sender-constrained token (RFC 9700 §2.2.2)\nreceived: %s", r.describe())
	}
	return nil
}

// tokensRepeated checks RingCentral's refresh grace (DOCS refresh-tokens.md: within the grace "the same
// access token will be returned"; EXPERIMENT README: "the server side simply gives you cached value of the
// first refresh"): the latest response carries the same access and refresh token as the one before it.
func (w *world) tokensRepeated() (err error) {
	defer w.verdict(&err)
	latest, previous, r, err := w.latestPair()
	if err != nil {
		return err
	}
	var p problems
	if latest.AccessToken != previous.AccessToken {
		p.addf("the access token differs from the previous response's; want the same one")
	}
	if latest.RefreshToken != previous.RefreshToken {
		p.addf("the refresh token differs from the previous response's; want the same one")
	}
	return p.err(r)
}

// sameSession checks that the latest token response continues the session of the one before it: the
// mock's choice, as the session_id staying the same across a refresh is UNVERIFIED (ringcentral-oauth.md
// §7.3), though RCEX refresh() says a refresh continues the session and OpenAPI TokenInfo.session_id is the
// "OAuth session ID". Scenarios using it are tagged @unverified.
func (w *world) sameSession() (err error) {
	defer w.verdict(&err)
	latest, previous, r, err := w.latestPair()
	if err != nil {
		return err
	}
	var p problems
	switch {
	case latest.SessionID == "" || previous.SessionID == "":
		p.addf("session_id %q after %q; want both present (OpenAPI TokenInfo requires it)", latest.SessionID, previous.SessionID)
	case latest.SessionID != previous.SessionID:
		p.addf("session_id %q; want the previous session %q (the mock's choice; UNVERIFIED on RingCentral)", latest.SessionID, previous.SessionID)
	}
	return p.err(r)
}

// batchSameNewTokens checks the answers of a batch of refreshes presenting one refresh token: every one
// issues tokens, all the same pair (DOCS refresh-tokens.md: within the grace "the same access token will
// be returned"), and that pair differs from the one presented.
func (w *world) batchSameNewTokens() (err error) {
	defer w.verdict(&err)
	if len(w.batch) == 0 {
		return errors.New("no batch of requests was made in this scenario")
	}
	var p problems
	var first *driver.TokenInfo
	issued := 0
	for i, r := range w.batch {
		switch {
		case r.resp == nil || r.resp.Status != 200 || r.token == nil:
			p.addf("answer %d issued no token: %s", i+1, r.describe())
			continue
		case first == nil:
			first = r.token
		case r.token.AccessToken != first.AccessToken || r.token.RefreshToken != first.RefreshToken:
			p.addf("answer %d carries other tokens than answer 1", i+1)
		}
		issued++
	}
	if first != nil && len(w.tokens) > issued {
		before := w.tokens[len(w.tokens)-issued-1]
		if first.AccessToken == before.AccessToken || first.RefreshToken == before.RefreshToken {
			p.addf("the answers repeat the tokens of the response before the batch; want a new pair")
		}
	}
	return p.err(w.batch[len(w.batch)-1])
}

// ownedByUser checks documented RingCentral behaviour: owner_id, the user's extension id as a string
// (OpenAPI TokenInfo.owner_id). The RFCs name no owner in a token response, so in another dialect the step
// skips rather than pass on nothing.
func (w *world) ownedByUser() (err error) {
	defer w.verdict(&err)
	if err := w.vendorOnly("owner_id in a token response", "OpenAPI TokenInfo.owner_id"); err != nil {
		return err
	}
	r, err := w.successful()
	if err != nil {
		return err
	}
	var p problems
	if o := r.resp.JSON().Get("owner_id"); o.Type != gjson.String || o.String() == "" {
		p.addf("owner_id %s; want the user's extension id as a string (OpenAPI TokenInfo.owner_id)", o.Raw)
	}
	return p.err(r)
}

// noOwner checks that the issued token names no owner_id: it was issued to an app, not to a user (OpenAPI
// TokenInfo.owner_id is the user's extension; a client credentials or guest token has none, the features
// citing their source).
func (w *world) noOwner() (err error) {
	defer w.verdict(&err)
	r, err := w.successful()
	if err != nil {
		return err
	}
	var p problems
	if o := r.resp.JSON().Get("owner_id"); o.Exists() && o.String() != "" {
		p.addf("owner_id %s; want none for a token without a user", o.Raw)
	}
	return p.err(r)
}

// rejected checks an OAuth error answer (RFC 6749 §5.2): the HTTP status, the error code, an
// error_description of the allowed characters, and the no-store headers of §5.1. In RingCentral's dialect
// it checks the vendor part as well (ringcentral-oauth.md §5.1): the errorCode among errors[],
// error_description equal to errors[0].message, and the body valid against the endpoint's OpenAPI error
// response. The errorCode in the sentence is RingCentral's, and ignored in another dialect.
func (w *world) rejected(oauth, code string) (err error) {
	defer w.verdict(&err)
	const status = 400
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	if r.resp == nil {
		return fmt.Errorf("want %s, but there was no response: %s", oauth, r.describe())
	}
	if !w.vendor() && r.what == whatAuthorization {
		return w.refusedWithoutRedirect(r, oauth)
	}
	var p problems
	// RFC 6749 §5.2 lets invalid_client be 401 (and requires 401 when the client authenticated with the
	// Authorization header), while RingCentral's OpenAPI documents only 400 for the token endpoint: both
	// are accepted for invalid_client.
	if r.resp.Status != status && (oauth != "invalid_client" || r.resp.Status != 401) {
		p.addf("status %d; want %d", r.resp.Status, status)
	}
	oe := r.oauthError()
	if got := oe.Err; got != oauth {
		p.addf("error %q; want %q (RFC 6749 §5.2)", got, oauth)
	}
	if d := oe.Description; d != "" && !errorTextRE.MatchString(d) {
		p.addf("error_description %q has characters outside %%x20-21 / %%x23-5B / %%x5D-7E (RFC 6749 §5.2)", d)
	}
	if !w.vendor() {
		w.hygiene(r, &p)
		return p.err(r)
	}
	errorBody(oe, &p)
	if code != "" && !slices.ContainsFunc(oe.Errors, func(e driver.APIError) bool { return e.ErrorCode == code }) {
		p.addf("errors[].errorCode %q; want %s (ringcentral-oauth.md §5.1)", errorCodes(oe), code)
	}
	w.hygiene(r, &p)
	// The introspection endpoint is SPEC-2024-04's (ringcentral-oauth.md §1.2), not in the spec the run
	// validates against.
	if r.resp.Status == 400 && r.what != "introspection request" {
		if err := w.s.spec.ValidateResponse(r.resp.Method, requestPath(r.resp.URL), 400, r.resp.Header.Get("Content-Type"), r.resp.Body); err != nil {
			p.addf("%v", err)
		}
	}
	return p.err(r)
}

// oauthError returns the error answer as the driver read it (driver.OAuthError: error, error_description,
// RingCentral's errors[]), or an empty one when the answer was no error answer, so that every check of it
// fails saying what is missing.
func (r *result) oauthError() *driver.OAuthError {
	var oe *driver.OAuthError
	if errors.As(r.err, &oe) {
		return oe
	}
	return &driver.OAuthError{}
}

// errorCodes lists RingCentral's errors[].errorCode of an error answer, in order.
func errorCodes(oe *driver.OAuthError) []string {
	var codes []string
	for _, e := range oe.Errors {
		codes = append(codes, e.ErrorCode)
	}
	return codes
}

// firstErrorCode is errors[0].errorCode of RingCentral's error body, or "".
func firstErrorCode(oe *driver.OAuthError) string {
	if len(oe.Errors) == 0 {
		return ""
	}
	return oe.Errors[0].ErrorCode
}

// errorBody checks RingCentral's OAuth error body, documented RingCentral behaviour (ringcentral-oauth.md
// §5.1): errors[] lists errorCode and message, and error_description is present and equal to
// errors[0].message, as in every real response the fact sheet quotes.
func errorBody(oe *driver.OAuthError, p *problems) {
	if !slices.ContainsFunc(oe.Errors, func(e driver.APIError) bool { return e.ErrorCode != "" }) {
		p.addf("errors[] is missing or empty; RingCentral lists errorCode and message there (ringcentral-oauth.md §5.1)")
	}
	switch {
	case oe.Description == "":
		p.addf("error_description is missing; RingCentral sends it equal to errors[0].message (ringcentral-oauth.md §5.1)")
	case len(oe.Errors) > 0 && oe.Errors[0].Message != "" && oe.Description != oe.Errors[0].Message:
		p.addf("error_description %q differs from errors[0].message %q (ringcentral-oauth.md §5.1)", oe.Description, oe.Errors[0].Message)
	}
}

// refusedWithoutRedirect checks an authorization request refused without a redirect (RFC 6749 §4.1.2.1: with
// an invalid client or redirect URI the server "SHOULD inform the resource owner of the error and MUST NOT
// automatically redirect"): a 4xx answer without Location. How the user is informed is the server's choice
// (an HTML page, typically), so the error code is RingCentral's dialect only, where the answer is JSON.
func (w *world) refusedWithoutRedirect(r *result, oauth string) error {
	var p problems
	if r.resp.Status < 400 || r.resp.Status > 499 {
		p.addf("status %d; want a 4xx answer informing the user of %s (RFC 6749 §4.1.2.1)", r.resp.Status, oauth)
	}
	if loc := r.resp.Header.Get("Location"); loc != "" {
		p.addf("Location %q; the server must not redirect (RFC 6749 §4.1.2.1)", loc)
	}
	return p.err(r)
}

// errorTextRE is RFC 6749 §5.2's character set of error_description: %x20-21 / %x23-5B / %x5D-7E.
var errorTextRE = regexp.MustCompile(`^[\x20-\x21\x23-\x5B\x5D-\x7E]*$`)

// rejectedStatus checks that the latest request got a response with the HTTP status, for answers that are no
// OAuth error (such as 415, OpenAPI getToken); the feature using it names the status's source.
func (w *world) rejectedStatus(status int) (err error) {
	defer w.verdict(&err)
	r, err := w.theAnswer()
	if err != nil {
		return err
	}
	var p problems
	if r.resp.Status != status {
		p.addf("status %d; want %d", r.resp.Status, status)
	}
	return p.err(r)
}

// rejectedClientError accepts any 4xx: used where RFC 6749 leaves the status open (a GET to the token
// endpoint, rfc-checklist T1).
func (w *world) rejectedClientError() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	if r.resp == nil || r.resp.Status < 400 || r.resp.Status > 499 {
		return fmt.Errorf("want a 4xx answer: %s", r.describe())
	}
	return nil
}

// notCacheable checks that the answer forbids caching (noStore: RFC 6749 §5.1 MUST; Pragma in RingCentral's
// dialect, documented RingCentral behaviour).
func (w *world) notCacheable() (err error) {
	defer w.verdict(&err)
	r, err := w.theAnswer()
	if err != nil {
		return err
	}
	var p problems
	w.noStore(r.resp, &p)
	return p.err(r)
}

// isJSON checks that the answer is application/json with a valid JSON body (jsonAnswer: RFC 6749 §5.1,
// §5.2 MUST).
func (w *world) isJSON() (err error) {
	defer w.verdict(&err)
	r, err := w.theAnswer()
	if err != nil {
		return err
	}
	var p problems
	jsonAnswer(r.resp, &p)
	return p.err(r)
}

// matchesOpenAPI validates the latest answer against the response RingCentral's OpenAPI description declares
// for its operation and status: documented RingCentral behaviour, which another dialect's target has no
// description for, so the step skips there.
func (w *world) matchesOpenAPI() (err error) {
	defer w.verdict(&err)
	if err := w.vendorOnly("matching RingCentral's OpenAPI description", "OpenAPI rc-platform.yml"); err != nil {
		return err
	}
	r, err := w.theAnswer()
	if err != nil {
		return err
	}
	if err := w.s.spec.ValidateResponse(r.resp.Method, requestPath(r.resp.URL), r.resp.Status, r.resp.Header.Get("Content-Type"), r.resp.Body); err != nil {
		return fmt.Errorf("%v\nreceived: %s", err, r.describe())
	}
	return nil
}

// theAnswer returns "the request" (theRequest) if it got an HTTP answer, or an error saying what happened
// instead: a check of the answer has nothing to check without one.
func (w *world) theAnswer() (*result, error) {
	r, err := w.theRequest()
	if err != nil {
		return nil, err
	}
	if r.resp == nil {
		return nil, fmt.Errorf("the %s got no answer to check: %s", r.what, r.describe())
	}
	return r, nil
}

// checkFields runs jsoncheck's checks on the answer's JSON body.
func (w *world) checkFields(checks ...jsoncheck.Check) error {
	r, err := w.theAnswer()
	if err != nil {
		return err
	}
	if err := jsoncheck.Run(r.resp.Body, checks...); err != nil {
		return w.redact(err)
	}
	return nil
}

func requestPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Path
}
