package report

import (
	"regexp"
	"slices"
	"strings"

	"github.com/rcoauth/conformance/results"
)

// Axis is one row or column of the conformance matrix: a grant type or a behaviour area.
type Axis struct {
	ID    string `json:"id"`    // the tag without its @ ("jwt-bearer"), or "success" and "errors"
	Label string `json:"label"` // how the matrix heads it
}

// Grants are the matrix's rows: RingCentral's grant types as the features tag them (README "Tags"), and
// NoGrant for scenarios that request no token.
var Grants = []Axis{
	{"password", "password"},
	{"authorization-code", "authorization code"},
	{"refresh-token", "refresh token"},
	{"client-credentials", "client credentials"},
	{"jwt-bearer", "JWT bearer"},
	{"partner-jwt", "partner JWT"},
	{"personal-jwt", "personal JWT"},
	{"device-code", "device code"},
	{"device-certificate", "device certificate"},
	{"guest", "guest"},
	{"otp", "OTP"},
	{"ivr-pin", "IVR PIN"},
	{NoGrant, "no grant"},
}

// NoGrant is the grant of a scenario that requests no token (discovery, the authorization endpoint alone).
const NoGrant = "none"

// Areas are the matrix's columns: "success" and "errors" for the grant features' scenarios, which show a
// grant issuing tokens or refusing, and one per area feature's tag.
var Areas = []Axis{
	{"success", "success"},
	{"errors", "errors"},
	{"client-auth", "client authentication"},
	{"ttl", "TTL"},
	{"refresh-suppression", "refresh suppression"},
	{"refresh", "refresh"},
	{"revocation", "revocation"},
	{"expiry", "expiry"},
	{"scope", "scope"},
	{"sessions", "sessions"},
	{"rate-limit", "rate limits"},
	{"pkce", "PKCE"},
	{"authorize", "authorization endpoint"},
	{"api", "API access"},
	{"oidc", "OpenID Connect"},
	{"websocket", "WebSocket tokens"},
	{"introspection", "introspection"},
	{"metadata", "metadata"},
	{"security-bcp", "security BCP"},
	{"hygiene", "response hygiene"},
	{"robustness", "robustness"},
}

// grantSentence finds the grant a step names ("the app requests a token with the JWT bearer grant").
var grantSentence = regexp.MustCompile(`\bthe (password|authorization code|refresh token|client credentials|JWT bearer|partner JWT|personal JWT|device code|device certificate|guest|OTP|IVR PIN) grant\b`)

// codeSentence finds the steps of the authorization code flow, which do not name the grant.
var codeSentence = regexp.MustCompile(`\b(authorizes the app|exchanges the code)\b`)

// refusal finds the checks that say a request was refused.
var refusal = regexp.MustCompile(`^(the request is rejected|the request fails|the app is redirected with error|the app is not redirected|the device is told to)`)

// Classify returns a scenario's grant and area, from its tags first: a grant feature's tag (@password)
// names the grant, an area feature's tag (@ttl) the area. A scenario of an area feature has the grant its
// first token request names; one of a grant feature is in "errors" when a check says a request was
// refused, and in "success" otherwise. steps are the scenario's steps as (type, text) pairs in order.
func Classify(tags []string, steps []StepText) (grant, area string) {
	for _, t := range tags {
		id := strings.TrimPrefix(t, "@")
		if grant == "" && slices.ContainsFunc(Grants, func(a Axis) bool { return a.ID == id && id != NoGrant }) {
			grant = id
		}
		if id == "negative" {
			id = "errors"
		}
		if area == "" && id != "success" && slices.ContainsFunc(Areas, func(a Axis) bool { return a.ID == id }) {
			area = id
		}
	}
	for _, st := range steps {
		if grant != "" {
			break
		}
		if m := grantSentence.FindStringSubmatch(st.Text); m != nil {
			grant = strings.ReplaceAll(strings.ToLower(m[1]), " ", "-")
		} else if codeSentence.MatchString(st.Text) {
			grant = "authorization-code"
		}
	}
	if grant == "" {
		grant = NoGrant
	}
	if area == "" {
		area = "success"
		for _, st := range steps {
			if st.Type == "Outcome" && refusal.MatchString(st.Text) {
				area = "errors"
			}
		}
	}
	return grant, area
}

// StepText is a step as Classify reads it.
type StepText struct {
	Type string // Gherkin's pickle step type: "Context", "Action" or "Outcome"
	Text string // the sentence
}

// Clause is a requirement a scenario can check: an RFC section, tagged @rfcNNNN-x.y in the features, or a
// section of RingCentral's fact sheet (shared/reference/ringcentral-oauth.md).
type Clause struct {
	// ID is the tag without its @ ("rfc6749-5.2") or "rc-" and the fact sheet's section ("rc-4").
	ID string `json:"id"`
	// Group is the document: "RFC 6749", …, "RingCentral".
	Group string `json:"group"`
	// Title says what the clause requires, in a few words.
	Title string `json:"title"`
	// Checklist names the rows of rfc-checklist.md that cite the clause ("T6 T7").
	Checklist string `json:"checklist,omitempty"`
	// Link is the clause's section in the RFC; fact-sheet sections have none.
	Link string `json:"link,omitempty"`
}

// clauses is the universe of the clause matrix: every RFC section rfc-checklist.md cites or a feature
// tags, and the behaviour sections of the fact sheet. A tag outside this table is added with its number
// as its title.
var clauses = []Clause{
	{ID: "rfc6749-1.5", Title: "Refresh tokens are for the authorization server only"},
	{ID: "rfc6749-2.1", Title: "Client types: confidential and public"},
	{ID: "rfc6749-2.3", Title: "One client authentication method per request", Checklist: "C3"},
	{ID: "rfc6749-2.3.1", Title: "HTTP Basic for client passwords, form-encoded", Checklist: "C1 C2"},
	{ID: "rfc6749-3.1", Title: "Parameters without a value are omitted; parameters must not repeat", Checklist: "T3"},
	{ID: "rfc6749-3.1.2.3", Title: "Redirect URI must match a registered one"},
	{ID: "rfc6749-3.1.2.4", Title: "Invalid redirect URI: do not redirect", Checklist: "A4"},
	{ID: "rfc6749-3.2", Title: "Token requests use POST", Checklist: "T1"},
	{ID: "rfc6749-3.2.1", Title: "Client authentication at the token endpoint"},
	{ID: "rfc6749-3.3", Title: "Access token scope"},
	{ID: "rfc6749-4.1.2", Title: "Codes are short-lived and single-use; reuse revokes", Checklist: "A1"},
	{ID: "rfc6749-4.1.2.1", Title: "Authorization errors redirect with error and state", Checklist: "A4 A5"},
	{ID: "rfc6749-4.1.3", Title: "Code bound to client and redirect_uri; form body", Checklist: "T2 A2 A3"},
	{ID: "rfc6749-4.1.4", Title: "Access token response of the code grant"},
	{ID: "rfc6749-4.3.3", Title: "Password grant: authenticate the client, validate the credentials"},
	{ID: "rfc6749-4.4.3", Title: "Client credentials grant: no refresh token"},
	{ID: "rfc6749-5.1", Title: "Successful token response and no-store", Checklist: "T4 T5"},
	{ID: "rfc6749-5.2", Title: "Error response: codes, status, WWW-Authenticate", Checklist: "T6 T7 T8 C4"},
	{ID: "rfc6749-6", Title: "Refreshing: bound to the client, no scope beyond the grant", Checklist: "R1 R2 R3"},
	{ID: "rfc6749-10.4", Title: "Refresh tokens bound to the client", Checklist: "R1"},
	{ID: "rfc6749-10.5", Title: "Authorization codes: short-lived, single-use"},
	{ID: "rfc6749-10.10", Title: "Token entropy of at least 128 bits", Checklist: "T9"},
	{ID: "rfc6750-2", Title: "One way of sending the bearer token per request"},
	{ID: "rfc6750-2.1", Title: "Bearer token in the Authorization header"},
	{ID: "rfc6750-2.3", Title: "Tokens in the query string should not be used"},
	{ID: "rfc6750-3", Title: "WWW-Authenticate Bearer challenge"},
	{ID: "rfc6750-3.1", Title: "invalid_token for expired or revoked tokens; no error without credentials"},
	{ID: "rfc7009-2.1", Title: "Revocation request; revoking a refresh token ends its access tokens", Checklist: "V1 V2 V4"},
	{ID: "rfc7009-2.2", Title: "200 for revoked and for invalid tokens", Checklist: "V3"},
	{ID: "rfc7009-2.2.1", Title: "Revocation errors: unsupported_token_type, invalid_client", Checklist: "V5 V6"},
	{ID: "rfc7523-2.1", Title: "JWT bearer grant", Checklist: "C7"},
	{ID: "rfc7523-2.2", Title: "JWT client authentication", Checklist: "C5"},
	{ID: "rfc7523-3", Title: "JWT claims: iss, sub, aud, exp, jti", Checklist: "C6"},
	{ID: "rfc7523-3.1", Title: "Invalid assertion: invalid_grant", Checklist: "C7"},
	{ID: "rfc7523-3.2", Title: "Invalid client assertion: invalid_client", Checklist: "C6"},
	{ID: "rfc7636-4.1", Title: "code_verifier: 43 to 128 unreserved characters", Checklist: "P1"},
	{ID: "rfc7636-4.2", Title: "code_challenge_method defaults to plain", Checklist: "P2"},
	{ID: "rfc7636-4.3", Title: "S256 is mandatory to implement", Checklist: "P2"},
	{ID: "rfc7636-4.4.1", Title: "Missing or unsupported challenge: invalid_request", Checklist: "P3"},
	{ID: "rfc7636-4.5", Title: "code_verifier sent with the code"},
	{ID: "rfc7636-4.6", Title: "Verifier mismatch: invalid_grant", Checklist: "P4"},
	{ID: "rfc7662-2.1", Title: "Introspection request: the caller authenticates"},
	{ID: "rfc7662-2.2", Title: "Introspection response: active, and the token's members"},
	{ID: "rfc7662-2.3", Title: "Introspection errors: invalid_client"},
	{ID: "rfc8414-2", Title: "Metadata: the REQUIRED members, an https issuer"},
	{ID: "rfc8414-3.3", Title: "The metadata names the issuer it was read for"},
	{ID: "rfc8628-3.2", Title: "Device authorization response; default interval 5 s"},
	{ID: "rfc8628-3.4", Title: "Device access token request"},
	{ID: "rfc8628-3.5", Title: "authorization_pending, slow_down, access_denied, expired_token"},
	{ID: "rfc9700-2.1", Title: "Exact redirect URI matching", Checklist: "A6"},
	{ID: "rfc9700-2.1.1", Title: "PKCE required; no downgrade; S256", Checklist: "P5 P6"},
	{ID: "rfc9700-2.1.2", Title: "No implicit grant: access tokens stay out of URLs"},
	{ID: "rfc9700-2.2.2", Title: "Public clients: sender-constrained or rotated refresh tokens", Checklist: "R4"},
	{ID: "rfc9700-2.4", Title: "The password grant must not be used"},
	{ID: "rfc9700-4.3.2", Title: "What URLs carry leaks to browser history and logs"},
	{ID: "rfc9700-4.14.2", Title: "Refresh token reuse revokes the grant", Checklist: "R5"},

	{ID: "rc-2.1", Title: "Token request transport: form body, duplicates refused"},
	{ID: "rc-2.2", Title: "Client authentication"},
	{ID: "rc-2.3", Title: "Grant types and their parameters"},
	{ID: "rc-3", Title: "Token response (TokenInfo)"},
	{ID: "rc-4", Title: "TTL rules"},
	{ID: "rc-5.1", Title: "Error body format"},
	{ID: "rc-5.2", Title: "HTTP statuses of errors"},
	{ID: "rc-5.3", Title: "OAU-* error codes"},
	{ID: "rc-5.4", Title: "Unauthorized for this grant type"},
	{ID: "rc-5.5", Title: "Authorization endpoint errors"},
	{ID: "rc-6", Title: "Revocation ends the whole session"},
	{ID: "rc-7.1", Title: "Five concurrent sessions per user and app"},
	{ID: "rc-7.2", Title: "Auth group rate limit"},
	{ID: "rc-7.3", Title: "Refresh-token rotation"},
	{ID: "rc-8.1", Title: "JWT credential flow"},
	{ID: "rc-8.2", Title: "PKCE"},
	{ID: "rc-8.3", Title: "Authorization request parameters"},
	{ID: "rc-8.4", Title: "OpenID Connect: discovery, JWKS, userinfo"},
	{ID: "rc-8.5", Title: "WebSocket token"},
}

// factSections maps a grant or area to the fact-sheet sections its scenarios check. The features cite the
// fact sheet in their prose, not in tags, so the mapping is kept here.
var factSections = map[string][]string{
	"success":             {"rc-2.3", "rc-3"},
	"errors":              {"rc-5.1", "rc-5.2", "rc-5.3"},
	"client-auth":         {"rc-2.2"},
	"ttl":                 {"rc-4"},
	"expiry":              {"rc-4"},
	"refresh-suppression": {"rc-3", "rc-4"},
	"refresh":             {"rc-7.3"},
	"revocation":          {"rc-6"},
	"scope":               {"rc-3"},
	"sessions":            {"rc-7.1"},
	"rate-limit":          {"rc-7.2"},
	"pkce":                {"rc-8.2"},
	"authorize":           {"rc-8.3", "rc-5.5"},
	"api":                 {"rc-3"},
	"oidc":                {"rc-8.4"},
	"websocket":           {"rc-8.5"},
	"hygiene":             {"rc-5.1"},
	"jwt-bearer":          {"rc-8.1"},
	"partner-jwt":         {"rc-8.1"},
	"personal-jwt":        {"rc-8.1"},
}

// negativeSections are the fact-sheet sections of the malformed-request scenarios (@negative).
var negativeSections = []string{"rc-2.1", "rc-5.2"}

// ClausesOf returns the clauses a scenario checks: the RFC clauses the run recorded for it (sc.Clauses,
// from its clause tags), then the fact-sheet sections of its grant and area, without repeats.
func ClausesOf(sc results.Scenario, grant, area string) []string {
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	add(sc.Clauses...)
	if slices.Contains(sc.Tags, "@negative") {
		add(negativeSections...)
	}
	add(factSections[area]...)
	add(factSections[grant]...)
	if grant != NoGrant && area != "robustness" {
		add("rc-2.3")
	}
	return out
}

// rfcTag matches the features' clause tags (README "Tags").
var rfcTag = regexp.MustCompile(`^@rfc\d+-[\d.]+$`)

// rfcID splits a clause ID into the RFC's number and its section.
var rfcID = regexp.MustCompile(`^rfc(\d+)-([\d.]+)$`)

// ClauseUniverse returns the clause table with every ID of seen added (titled by its number) and each
// entry's group and link filled in, in table order, then the added ones sorted.
func ClauseUniverse(seen []string) []Clause {
	out := make([]Clause, 0, len(clauses)+len(seen))
	known := map[string]bool{}
	for _, c := range clauses {
		out = append(out, describe(c))
		known[c.ID] = true
	}
	var extra []string
	for _, id := range seen {
		if !known[id] {
			known[id] = true
			extra = append(extra, id)
		}
	}
	slices.Sort(extra)
	for _, id := range extra {
		out = append(out, describe(Clause{ID: id}))
	}
	return out
}

// describe fills in a clause's group, link and, when it has none, its title.
func describe(c Clause) Clause {
	if m := rfcID.FindStringSubmatch(c.ID); m != nil {
		c.Group = "RFC " + m[1]
		c.Link = "https://www.rfc-editor.org/rfc/rfc" + m[1] + "#section-" + m[2]
		if c.Title == "" {
			c.Title = "RFC " + m[1] + " §" + m[2]
		}
		return c
	}
	c.Group = "RingCentral"
	if c.Title == "" {
		c.Title = "fact sheet §" + strings.TrimPrefix(c.ID, "rc-")
	}
	return c
}

// ClauseName is how a clause ID reads: "RFC 6749 §5.2" or "RingCentral §4".
func ClauseName(id string) string {
	if m := rfcID.FindStringSubmatch(id); m != nil {
		return "RFC " + m[1] + " §" + m[2]
	}
	return "RingCentral §" + strings.TrimPrefix(id, "rc-")
}
