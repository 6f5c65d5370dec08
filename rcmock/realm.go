package rcmock

import (
	"cmp"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"
)

// ScenarioHeader names the request header that selects a realm: an isolated copy of the mock's state
// (clock offset, faults, settings, sessions, tokens, codes, rate limits). The harness sends one realm per
// scenario so that scenarios run concurrently without seeing each other's sessions or clock; requests
// without the header (SDKs, curl) share the default realm. Realms exist only in the mock.
const ScenarioHeader = "X-Mock-Scenario"

// realm is one isolated state of the mock. All fields after mu are guarded by mu.
type realm struct {
	id  string
	srv *Server

	mu       sync.Mutex
	offset   time.Duration
	settings Settings
	faults   []*fault
	lastSeen time.Time // real time of the last request, for dropping idle realms
	lastGC   time.Time // mock time of the last sweep

	sessions map[string]*session
	tokens   map[string]*token
	owners   map[ownerKey][]*session // limited sessions per (user, app), oldest first
	codes    map[string]*authCode
	devices  map[string]*deviceAuth // by device_code
	userCode map[string]*deviceAuth // by user_code
	jtis     map[string]time.Time   // client-assertion and device-assertion jti -> expiry, for replay checks
	usedOTP  map[string]time.Time   // extension id + "\x00" + OTP code -> when used (useOTP)

	revoked      map[string]time.Time // refresh tokens of sessions ended early -> their expiry (endSessionLocked)
	revokedOrder []string             // the same tokens, oldest first
	limits       map[string]*rateLog
	wsTokens     map[string]*wsToken // WebSocket access tokens not yet used (wstoken.go)
}

type ownerKey struct{ user, app string }

type tokenKind uint8

const (
	accessToken tokenKind = iota + 1
	refreshToken
)

type tokenState uint8

const (
	tokenLive    tokenState = iota
	tokenRotated            // an access token replaced by a refresh
	tokenGrace              // a refresh token replaced by a refresh, still answering within its grace
)

// token is an issued access or refresh token.
type token struct {
	value     string
	kind      tokenKind
	sess      *session
	issuedAt  time.Time // iat of an introspection (introspect.go)
	expiresAt time.Time
	state     tokenState
	rotatedAt time.Time
	firstUse  time.Time // access tokens: first successful API call; ends the previous refresh token's grace
}

// session is one OAuth session: the tokens issued by one login and its refreshes. Revoking any of its
// tokens ends all of them (OpenAPI revokeToken: "Revokes all active access/refresh tokens and invalidates
// the OAuth session").
type session struct {
	id         string
	app        *App
	user       *User    // nil for client_credentials and guest sessions
	owner      string   // owner_id in token responses; empty when there is none
	account    *Account // the account a user-less session (client_credentials) acts for
	grant      string
	scope      string
	endpointID string
	createdAt  time.Time
	limited    bool // counts against the per-user, per-app session limit
	code       string
	idToken    string

	access  *token
	refresh *token   // nil when no refresh token was issued
	grace   *token   // the previous refresh token, within its grace
	retired []*token // replaced access tokens still answering "Access token corrupted"
}

// hasScope reports whether the session's scope holds value (RFC 6749 §3.3: space-delimited values).
func (s *session) hasScope(value string) bool {
	return slices.Contains(strings.Fields(s.scope), value)
}

// end is when the session stops being usable: its last token expiry.
func (s *session) end() time.Time {
	e := s.access.expiresAt
	if s.refresh != nil && s.refresh.expiresAt.After(e) {
		e = s.refresh.expiresAt
	}
	return e
}

// authCode is an issued authorization code (RFC 6749 §4.1.2): single use, short-lived, bound to the client
// and to the redirect URI of the authorization request.
type authCode struct {
	value       string
	app         *App
	user        *User
	redirectURI string // as sent in the authorization request; empty if it was omitted
	scope       string
	oidc        bool   // an OpenID Connect request: the tokens come with an id_token
	nonce       string // OpenID Connect nonce, echoed in the id_token
	challenge   string // PKCE code_challenge (RFC 7636 §4.3); empty without PKCE
	method      string // PKCE code_challenge_method: "plain" (the default) or "S256"
	authTime    time.Time
	expiresAt   time.Time
	used        bool
	sessionIDs  []string // sessions issued from this code, revoked on reuse (RFC 6749 §4.1.2)
	// reused records a replay that revoked sessionIDs, so that a redemption racing with the replay revokes
	// the session it creates after the replay was seen (grant_authcode.go settleCode).
	reused bool
}

// deviceAuth is a pending RFC 8628 device authorization.
type deviceAuth struct {
	deviceCode string
	userCode   string
	app        *App
	scope      string
	expiresAt  time.Time
	interval   time.Duration
	lastPoll   time.Time
	user       *User // set when approved
	denied     bool
	used       bool
}

func newRealm(srv *Server, id string) *realm {
	return &realm{
		id:       id,
		srv:      srv,
		settings: srv.opts.Settings,
		sessions: map[string]*session{},
		tokens:   map[string]*token{},
		owners:   map[ownerKey][]*session{},
		codes:    map[string]*authCode{},
		devices:  map[string]*deviceAuth{},
		userCode: map[string]*deviceAuth{},
		jtis:     map[string]time.Time{},
		usedOTP:  map[string]time.Time{},
		revoked:  map[string]time.Time{},
		limits:   map[string]*rateLog{},
		wsTokens: map[string]*wsToken{},
	}
}

// now is the realm's time: the server clock plus the realm's offset. Callers hold rl.mu.
func (rl *realm) now() time.Time { return rl.srv.clock.Now().Add(rl.offset) }

// Now is now() for callers that do not hold the lock.
func (rl *realm) Now() time.Time {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.now()
}

// currentSettings returns a copy of the realm's settings.
func (rl *realm) currentSettings() Settings {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.settings
}

// randomToken returns n random bytes, base64url-encoded: 32 bytes give 256 bits, above RFC 6749 §10.10's
// 128-bit floor.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newSessionSpec is what a grant hands to issue.
type newSessionSpec struct {
	app        *App
	user       *User
	owner      string
	account    *Account
	grant      string
	scope      string
	endpointID string
	limited    bool
	code       *authCode
	idToken    string
	accessTTL  time.Duration
	refreshTTL time.Duration // 0: no refresh token
}

// createSession stores a new session with fresh tokens, enforcing the per-user, per-app session limit.
// It returns the session, or an error when the limit is reached and the realm refuses rather than evicts.
func (rl *realm) createSession(spec newSessionSpec) (*session, *Error) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	now := rl.now()
	if spec.limited {
		key := ownerKey{user: spec.user.ExtensionID, app: spec.app.ClientID}
		active := rl.owners[key][:0]
		for _, s := range rl.owners[key] {
			if s.end().After(now) && rl.sessions[s.id] == s {
				active = append(active, s)
			}
		}
		rl.owners[key] = active
		if len(active) >= rl.srv.opts.SessionLimit {
			if rl.settings.SessionLimitMode == SessionLimitReject {
				oldest := active[0]
				return nil, errSessionLimit(oldest.end().Sub(now))
			}
			for len(rl.owners[key]) >= rl.srv.opts.SessionLimit {
				rl.endSessionLocked(rl.owners[key][0])
			}
		}
	}
	s := &session{
		id:         randomHex(16),
		app:        spec.app,
		user:       spec.user,
		owner:      spec.owner,
		account:    spec.account,
		grant:      spec.grant,
		scope:      spec.scope,
		endpointID: spec.endpointID,
		createdAt:  now,
		limited:    spec.limited,
		idToken:    spec.idToken,
	}
	if spec.code != nil {
		s.code = spec.code.value
		spec.code.sessionIDs = append(spec.code.sessionIDs, s.id)
	}
	rl.issueTokensLocked(s, now, spec.accessTTL, spec.refreshTTL)
	rl.sessions[s.id] = s
	if s.limited {
		key := ownerKey{user: s.user.ExtensionID, app: s.app.ClientID}
		rl.owners[key] = append(rl.owners[key], s)
	}
	return s, nil
}

// issueTokensLocked gives s a new access token and, when refreshTTL > 0, a new refresh token.
func (rl *realm) issueTokensLocked(s *session, now time.Time, accessTTL, refreshTTL time.Duration) {
	s.access = &token{value: randomToken(32), kind: accessToken, sess: s, issuedAt: now, expiresAt: now.Add(accessTTL)}
	rl.tokens[s.access.value] = s.access
	s.refresh = nil
	if refreshTTL > 0 {
		s.refresh = &token{value: randomToken(32), kind: refreshToken, sess: s, issuedAt: now, expiresAt: now.Add(refreshTTL)}
		rl.tokens[s.refresh.value] = s.refresh
	}
}

// dropSessionLocked forgets s and every token it issued.
func (rl *realm) dropSessionLocked(s *session) {
	for _, t := range []*token{s.access, s.refresh, s.grace} {
		if t != nil && rl.tokens[t.value] == t {
			delete(rl.tokens, t.value)
		}
	}
	for _, t := range s.retired {
		if rl.tokens[t.value] == t {
			delete(rl.tokens, t.value)
		}
	}
	delete(rl.sessions, s.id)
	if s.limited {
		key := ownerKey{user: s.user.ExtensionID, app: s.app.ClientID}
		rl.owners[key] = slices.DeleteFunc(rl.owners[key], func(x *session) bool { return x == s })
		if len(rl.owners[key]) == 0 {
			delete(rl.owners, key)
		}
	}
}

// revokedMemory bounds how many refresh tokens of ended sessions a realm remembers (oldest forgotten
// first), so that memory stays flat however many sessions are revoked or evicted.
const revokedMemory = 4096

// endSessionLocked ends s before its time (revocation, eviction by the session limit, code reuse): its
// tokens are forgotten, but its refresh tokens are remembered for a while, so that presenting one answers
// OAU-211 "Token revoked" (the body of WIDGETS' RcMock fixture) rather than OAU-213 "Token not found".
func (rl *realm) endSessionLocked(s *session) {
	for _, t := range []*token{s.refresh, s.grace} {
		if t == nil {
			continue
		}
		if _, seen := rl.revoked[t.value]; !seen {
			rl.revokedOrder = append(rl.revokedOrder, t.value)
		}
		rl.revoked[t.value] = t.expiresAt
	}
	for len(rl.revokedOrder) > revokedMemory {
		delete(rl.revoked, rl.revokedOrder[0])
		rl.revokedOrder = rl.revokedOrder[1:]
	}
	rl.dropSessionLocked(s)
}

// revokeSession ends the session that tok belongs to, if any; it reports whether one was ended.
// Revocation of another app's token is not an error but does nothing (RFC 7009 §2.2 and the legacy guide:
// "successful response is returned even if ... a token passed was issued to another application").
//
// An access token a refresh has replaced is the mock's choice (Settings.RevokeWithReplacedToken), since
// what RingCentral does with it is UNVERIFIED. By default it ends nothing: it is invalid from the moment of
// the refresh (DOCS refresh-tokens.md: "the previous access token is invalidated immediately"), and an
// invalid token is answered 200 without effect (RFC 7009 §2.2); a client that wants to end a session
// revokes its newest token. With the setting on, it ends its session while it still answers "Access token
// corrupted" to the API (Options.RotatedAccessTokenGrace; EXPERIMENT README), as a token the server still
// recognises; after that it is unknown and ends nothing either way.
func (rl *realm) revokeSession(value string, app *App) bool {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	t := rl.tokens[value]
	if t == nil || t.sess.app.ClientID != app.ClientID {
		return false
	}
	if t.kind == accessToken && t.state == tokenRotated &&
		(!rl.settings.RevokeWithReplacedToken || rl.now().Sub(t.rotatedAt) >= rl.srv.opts.RotatedAccessTokenGrace) {
		return false
	}
	rl.endSessionLocked(t.sess)
	return true
}

// refresh rotates the session of the refresh token value (DOCS refresh-tokens.md): a new access token (the
// old one is invalid at once) and a new refresh token; the presented refresh token answers with the same new
// pair during its grace and is invalid afterwards. The answer is rendered under the same lock as the
// rotation: rendered later, a grace answer could carry the pair of a refresh of the successor that came in
// between, a pair the presented token never issued.
func (rl *realm) refresh(value string, app *App, accessTTL, refreshTTL time.Duration) (*tokenInfo, *Error) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	now := rl.now()
	t := rl.tokens[value]
	if t == nil {
		if exp, ok := rl.revoked[value]; ok && now.Before(exp) {
			return nil, errTokenRevoked().withReason("the refresh token's session was revoked or evicted")
		}
		return nil, errTokenNotFound().withReason("unknown refresh token")
	}
	if t.kind != refreshToken {
		return nil, errTokenNotFound().withReason("an access token is not a refresh token")
	}
	s := t.sess
	if s.app.ClientID != app.ClientID {
		return nil, errTokenNotFound().withReason("refresh token was issued to another app")
	}
	switch t.state {
	case tokenGrace:
		deadline := t.rotatedAt.Add(rl.srv.opts.RefreshGraceUnused)
		if fu := s.access.firstUse; !fu.IsZero() && fu.Add(rl.srv.opts.RefreshGraceAfterUse).Before(deadline) {
			deadline = fu.Add(rl.srv.opts.RefreshGraceAfterUse)
		}
		if !now.Before(deadline) {
			delete(rl.tokens, t.value)
			s.grace = nil
			return nil, errTokenNotFound().withReason("refresh token was rotated and its grace has ended")
		}
		return rl.tokenInfoLocked(s, now), nil
	case tokenLive:
	default:
		return nil, errTokenNotFound()
	}
	if !now.Before(t.expiresAt) {
		return nil, errTokenExpired().withReason("refresh token expired at %s", t.expiresAt.UTC().Format(time.RFC3339))
	}
	// Rotate. The previous grace token (from an earlier refresh) dies now: only the latest predecessor
	// answers.
	if s.grace != nil {
		delete(rl.tokens, s.grace.value)
	}
	rl.retireLocked(s, s.access, now)
	t.state, t.rotatedAt = tokenGrace, now
	s.grace = t
	rl.issueTokensLocked(s, now, accessTTL, refreshTTL)
	return rl.tokenInfoLocked(s, now), nil
}

// maxRetiredTokens bounds the replaced access tokens one session keeps answering "Access token corrupted"
// during RotatedAccessTokenGrace. Only a client that refreshes one session more than this many times within
// the grace (about ten seconds; the Auth group allows 5 requests a minute) sees its oldest replaced tokens
// answer "Token not found" early; without the bound, such a refresh loop would grow the session without
// limit. A mock-only resource bound, not RingCentral behaviour.
const maxRetiredTokens = 16

// retireLocked marks old, the access token a refresh replaces, as rotated at now and keeps it among
// s.retired.
func (rl *realm) retireLocked(s *session, old *token, now time.Time) {
	old.state, old.rotatedAt = tokenRotated, now
	rl.pruneRetiredLocked(s, now, 1)
	s.retired = append(s.retired, old)
}

// pruneRetiredLocked forgets the retired access tokens of s whose grace has passed, and the oldest ones
// beyond maxRetiredTokens-room. Tokens are retired in time order (the realm's clock never goes back), so
// the expired ones are a prefix and each refresh costs O(1) amortised rather than a scan of every token the
// session ever retired.
func (rl *realm) pruneRetiredLocked(s *session, now time.Time, room int) {
	n := 0
	for n < len(s.retired) && (len(s.retired)-n > maxRetiredTokens-room ||
		now.Sub(s.retired[n].rotatedAt) >= rl.srv.opts.RotatedAccessTokenGrace) {
		delete(rl.tokens, s.retired[n].value)
		n++
	}
	if n > 0 {
		s.retired = slices.Delete(s.retired, 0, n)
	}
}

// accessLookup is the result of presenting an access token to a resource.
type accessLookup struct {
	sess *session
	now  time.Time
}

// useAccessToken checks a bearer access token and records its first use.
func (rl *realm) useAccessToken(value string) (accessLookup, *Error) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	now := rl.now()
	t := rl.tokens[value]
	if t == nil || t.kind != accessToken {
		return accessLookup{}, errAPITokenNotFound()
	}
	if t.state == tokenRotated {
		if now.Sub(t.rotatedAt) < rl.srv.opts.RotatedAccessTokenGrace {
			return accessLookup{}, errAPITokenCorrupted().withReason("access token was replaced by a refresh")
		}
		return accessLookup{}, errAPITokenNotFound().withReason("access token was replaced by a refresh")
	}
	if !now.Before(t.expiresAt) {
		return accessLookup{}, errAPITokenExpired()
	}
	if t.firstUse.IsZero() {
		t.firstUse = now
	}
	return accessLookup{sess: t.sess, now: now}, nil
}

// sessionOf returns the session of a token value for read-only use (rate-limit subjects, revocation
// checks), or nil.
func (rl *realm) sessionOf(value string) *session {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if t := rl.tokens[value]; t != nil {
		return t.sess
	}
	return nil
}

// seenJTI records a jti until exp and reports whether it had been seen before (RFC 7523 §3: the server
// MAY keep used jtis to stop replay).
func (rl *realm) seenJTI(scope, jti string, exp time.Time) bool {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	key := scope + "\x00" + jti
	if until, ok := rl.jtis[key]; ok && rl.now().Before(until) {
		return true
	}
	rl.jtis[key] = exp
	return false
}

// gcLocked forgets what expired more than Retention ago (sessions, codes, device authorizations, jtis) and
// replaced access tokens past their grace, so memory stays bounded on long runs.
func (rl *realm) gcLocked(now time.Time) {
	ret := rl.srv.opts.Retention
	rl.revokedOrder = slices.DeleteFunc(rl.revokedOrder, func(v string) bool {
		if now.Sub(rl.revoked[v]) > ret {
			delete(rl.revoked, v)
			return true
		}
		return false
	})
	for _, s := range rl.sessions {
		if now.Sub(s.end()) > ret {
			rl.dropSessionLocked(s)
			continue
		}
		rl.pruneRetiredLocked(s, now, 0)
	}
	for k, c := range rl.codes {
		if now.Sub(c.expiresAt) > ret {
			delete(rl.codes, k)
		}
	}
	for k, d := range rl.devices {
		if now.Sub(d.expiresAt) > ret {
			delete(rl.devices, k)
			delete(rl.userCode, d.userCode)
		}
	}
	for k, exp := range rl.jtis {
		if now.After(exp) {
			delete(rl.jtis, k)
		}
	}
	for k, t := range rl.wsTokens {
		if now.Sub(t.expiresAt) > ret {
			delete(rl.wsTokens, k)
		}
	}
	// usedOTP is not swept: the fixture's one-time passwords never expire, so forgetting a use would make a
	// spent code valid again, and the map cannot outgrow the fixture's list of codes.
	for k, b := range rl.limits {
		if now.Sub(b.lastSeen) > 2*rl.srv.opts.RateLimitWindow+rl.srv.opts.RateLimitPenalty {
			delete(rl.limits, k)
		}
	}
	// Go maps keep their memory when emptied, so the stores a sweep left empty are replaced: a realm that was
	// busy and went quiet gives its memory back (the load test, rcmock/loadtest, checks the heap).
	rl.sessions, rl.tokens, rl.owners, rl.codes = released(rl.sessions), released(rl.tokens), released(rl.owners), released(rl.codes)
	rl.devices, rl.userCode, rl.jtis, rl.revoked = released(rl.devices), released(rl.userCode), released(rl.jtis), released(rl.revoked)
	rl.limits, rl.wsTokens = released(rl.limits), released(rl.wsTokens)
	if len(rl.revokedOrder) == 0 {
		rl.revokedOrder = nil
	}
	rl.lastGC = now
}

// released returns m, or a fresh map when m is empty, so that an emptied map's memory can be collected.
func released[K comparable, V any](m map[K]V) map[K]V {
	if len(m) == 0 {
		return map[K]V{}
	}
	return m
}

// maybeGC sweeps at most once per second of mock time.
func (rl *realm) maybeGC() {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	now := rl.now()
	if now.Sub(rl.lastGC) >= time.Second {
		rl.gcLocked(now)
	}
}

// ownerCount is the number of active sessions of one (user, app) pair (control API GET /__mock/state/owners).
type ownerCount struct {
	ExtensionID    string `json:"extension_id"`
	ClientID       string `json:"client_id"`
	ActiveSessions int    `json:"active_sessions"`
}

// activeByOwner counts the active sessions of each (user, app) pair, sorted by user then app. It counts
// from the sessions themselves rather than from rl.owners, the lists createSession enforces the limit with,
// so that a check of the limit does not rest on the mechanism it checks.
func (rl *realm) activeByOwner() []ownerCount {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	now := rl.now()
	n := map[ownerKey]int{}
	for _, s := range rl.sessions {
		if s.limited && s.end().After(now) {
			n[ownerKey{user: s.user.ExtensionID, app: s.app.ClientID}]++
		}
	}
	out := make([]ownerCount, 0, len(n))
	for k, c := range n {
		out = append(out, ownerCount{ExtensionID: k.user, ClientID: k.app, ActiveSessions: c})
	}
	slices.SortFunc(out, func(a, b ownerCount) int {
		return cmp.Or(strings.Compare(a.ExtensionID, b.ExtensionID), strings.Compare(a.ClientID, b.ClientID))
	})
	return out
}

// counts reports the sizes of the realm's stores (for the control API and memory tests).
func (rl *realm) counts() map[string]int {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	now, active := rl.now(), 0
	for _, s := range rl.sessions {
		if s.end().After(now) {
			active++
		}
	}
	return map[string]int{
		"sessions":        len(rl.sessions),
		"active_sessions": active,
		"tokens":          len(rl.tokens),
		"codes":           len(rl.codes),
		"devices":         len(rl.devices),
		"jtis":            len(rl.jtis),
		"limits":          len(rl.limits),
		"ws_tokens":       len(rl.wsTokens),
	}
}
