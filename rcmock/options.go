package rcmock

import (
	"fmt"
	"time"
)

// Session limit modes (Settings.SessionLimitMode).
const (
	// SessionLimitEvict makes a login beyond the limit invalidate the user's oldest session for that app:
	// DOCS tokens.md lists "The application reached the limit (usually five) of parallel active sessions for
	// the same user" among the reasons tokens are invalidated. Which session goes is UNVERIFIED; the oldest
	// is the plausible choice.
	SessionLimitEvict = "evict"
	// SessionLimitReject makes a login beyond the limit fail with HTTP 429 (docs/basics/errors.md: "the
	// server starts to return HTTP 429 on authorization requests").
	SessionLimitReject = "reject"
)

// Answers to an unknown grant_type (Settings.UnknownGrantError).
const (
	// UnknownGrantRFC answers RFC 6749 §5.2's unsupported_grant_type ("The authorization grant type is not
	// supported by the authorization server"), a MUST of the RFC.
	UnknownGrantRFC = "rfc"
	// UnknownGrantRingCentralText answers what RingCentral's own specification text describes for this case,
	// invalid_request "Unsupported grant type" (SPEC-2023-03 and SPEC-2024-04, token endpoint 400:
	// "invalid_request: Unsupported grant type"; ringcentral-oauth.md §5.1). Which of the two RingCentral
	// answers today is UNVERIFIED.
	UnknownGrantRingCentralText = "ringcentral-text"
)

// Readings of the authorization request's scope (Settings.AuthorizeScope).
const (
	// AuthorizeScopeIgnore follows RingCentral's documentation: the scope of an authorization request is
	// "Ignored ... deferring to the permissions set by the developer when the app was created" (DOCS
	// login-url-params.inc; ringcentral-oauth.md §8.3), so the code carries every scope the app was granted.
	AuthorizeScopeIgnore = "ignore"
	// AuthorizeScopeRFC follows RFC 6749 §3.3 and §4.1.2.1: the code carries the requested scope, and a
	// scope the app was not granted is refused by redirect with invalid_scope.
	AuthorizeScopeRFC = "rfc"
)

// Statuses of a failed client authentication at the introspection endpoint (Settings.IntrospectClientError).
const (
	// IntrospectClientErrorSpec answers HTTP 400, the only status SPEC-2024-04 documented for
	// introspectToken ("invalid_client: The client application is disabled"; ringcentral-oauth.md §1.2),
	// as RingCentral answers invalid_client at the token endpoint.
	IntrospectClientErrorSpec = "spec"
	// IntrospectClientErrorRFC answers HTTP 401 with a Basic challenge, as RFC 7662 §2.3 says ("HTTP 401
	// (Unauthorized) as described in Section 5.2 of OAuth 2.0"). Which status RingCentral's introspection
	// answered is UNVERIFIED; this is a mock setting for RFC-level scenarios.
	IntrospectClientErrorRFC = "rfc"
)

// Settings are the behaviour switches that a scenario may change for itself through the control API
// (PATCH /__mock/settings). The server's Options.Settings are the defaults of every scenario.
type Settings struct {
	// RateLimit switches on throttling of the Auth group (token, revoke, authorize, userinfo, wstoken, and
	// introspect where Options.Introspection serves it):
	// RateLimitMax requests per user and app in any sliding RateLimitWindow, then RateLimitPenalty of 429s,
	// restarted by every refused request (docs/basics/rate-limits.md: "Auth 5 requests/user/minute, penalty
	// interval 60 seconds"; ratelimit.go).
	RateLimit bool `json:"rate_limit"`
	// SessionLimitMode is SessionLimitEvict (default) or SessionLimitReject.
	SessionLimitMode string `json:"session_limit_mode"`
	// RevokeOnCodeReuse makes a second use of an authorization code revoke the tokens already issued from it
	// (RFC 6749 §4.1.2 SHOULD; RingCentral's behaviour is UNVERIFIED).
	RevokeOnCodeReuse bool `json:"revoke_on_code_reuse"`
	// UnknownGrantError is the answer to a grant_type the mock does not know: UnknownGrantRFC (default) or
	// UnknownGrantRingCentralText.
	UnknownGrantError string `json:"unknown_grant_error"`
	// AuthorizeScope is how the authorization endpoint reads the scope parameter: AuthorizeScopeIgnore
	// (default, RingCentral's documentation) or AuthorizeScopeRFC (for RFC-level scenarios).
	AuthorizeScope string `json:"authorize_scope"`
	// IntrospectClientError is the status of a failed client authentication at the introspection endpoint
	// (Options.Introspection): IntrospectClientErrorSpec (default, 400 as SPEC-2024-04 documents) or
	// IntrospectClientErrorRFC (401 with a challenge, RFC 7662 §2.3).
	IntrospectClientError string `json:"introspect_client_error"`
	// RevokeWithReplacedToken makes a revocation with an access token that a refresh has replaced end its
	// session, while the token is still within Options.RotatedAccessTokenGrace. Off by default: such a
	// token is invalid and its revocation answers 200 without effect (RFC 7009 §2.2). A mock choice either
	// way; RingCentral's behaviour is UNVERIFIED (realm.go, revokeSession).
	RevokeWithReplacedToken bool `json:"revoke_with_replaced_token"`
}

// Options configure a Server. The zero value is not usable; start from DefaultOptions.
type Options struct {
	// Fixture seeds apps, users and keys; nil means DefaultFixture().
	Fixture *Fixture
	// Clock is the time source; nil means the real clock. Every scenario realm adds its own offset to it.
	Clock Clock
	// Control enables the /__mock/ control API (clock, faults, settings, reset).
	Control bool
	// Faults are faults for the realm of requests without a scenario header, due from the start: a JSON
	// array in the shape POST /__mock/faults takes. They let a test inject faults into a mock whose control
	// API is off, as a real-target run sees it (cmd/rcmock -faults).
	Faults []byte
	// Inspect serves GET /__mock/state (a realm's counts of sessions, tokens and codes) even with Control off:
	// read-only, it lets a test count what a run against a target without the control API left behind.
	Inspect bool
	// Issuer is the base URL the mock names itself by in discovery, id_tokens and the audiences it accepts in
	// client assertions. Empty means "derived from each request's Host".
	Issuer string
	// Settings are the defaults of every scenario realm.
	Settings Settings

	// SessionLimit is the number of concurrent sessions per user per app ("You can have up to 5 simultaneous
	// OAuth sessions per user per application", FAQ oauth.md).
	SessionLimit int

	// AccessTTLMin, AccessTTLMax and AccessTTLDefault clamp access_token_ttl (auth-token-params.inc: "from 600
	// sec (10 min) to 3600 sec (1 hour). The default value is 3600 sec").
	AccessTTLMin, AccessTTLMax, AccessTTLDefault time.Duration

	// AuthCodeTTL is the authorization code lifetime (redirect example `expires_in=60`, auth-code-flow.md).
	AuthCodeTTL time.Duration

	// RefreshGraceAfterUse and RefreshGraceUnused model refresh-token rotation (DOCS refresh-tokens.md): after a
	// refresh, the previous refresh token still answers with the same new pair for about ten seconds after the
	// new access token is first used, and for up to 60 minutes while it is not used.
	RefreshGraceAfterUse, RefreshGraceUnused time.Duration

	// RotatedAccessTokenGrace is how long a replaced access token answers "Access token corrupted" before it
	// answers "Token not found" (EXPERIMENT README: ~10 s).
	RotatedAccessTokenGrace time.Duration

	// RateLimitMax, RateLimitWindow and RateLimitPenalty shape the Auth throttling group: at most
	// RateLimitMax admitted requests per user and app in any sliding RateLimitWindow; a refused request starts
	// or restarts a penalty of RateLimitPenalty (ringcentral-oauth.md §7.2: 5, 60 s, 60 s).
	RateLimitMax     int
	RateLimitWindow  time.Duration
	RateLimitPenalty time.Duration

	// ExactExpiresIn makes expires_in equal to the TTL. By default the mock answers remaining whole seconds,
	// which at issue time is TTL-1 (3599/604799, as real responses show; ringcentral-oauth.md §3, §4).
	ExactExpiresIn bool

	// RejectMalformedTTL refuses an access_token_ttl or refresh_token_ttl that is not an (optionally signed)
	// decimal integer, such as "1e3", "900.7" or the JS SDK's "NaN", with invalid_request CMN-101. By default
	// such a value is ignored like an absent one. RingCentral's reading is UNVERIFIED (ringcentral-oauth.md §4:
	// "Non-integer / negative TTL values: behaviour UNVERIFIED"); off by default, since the JS SDK's refresh
	// would fail otherwise. cmd/rcmock -reject-malformed-ttl sets it.
	RejectMalformedTTL bool

	// ClientAssertionLeeway is the clock skew allowed when checking exp/iat/nbf of client assertions and JWT
	// bearer assertions (RFC 7523 §3: "reasonable" skew).
	ClientAssertionLeeway time.Duration

	// AcceptClientSecretPost accepts client_id+client_secret in the body. RingCentral advertises only
	// client_secret_basic, client_secret_jwt and private_key_jwt (OpenAPI OpenIdDiscovery); UNVERIFIED, off by
	// default.
	AcceptClientSecretPost bool

	// RequirePKCEForPublicClients refuses an authorization request from a public client without
	// code_challenge (RFC 9700 §2.1.1; RingCentral's client-side apps use PKCE, auth-code-pkce-flow.md).
	// UNVERIFIED whether RingCentral enforces it; on by default.
	RequirePKCEForPublicClients bool

	// RejectVerifierWithoutChallenge refuses a code_verifier for a code issued without code_challenge
	// (RFC 9700 §2.1.1, PKCE downgrade). UNVERIFIED for RingCentral; on by default.
	RejectVerifierWithoutChallenge bool

	// LoginPage makes the authorization endpoint send the user to the mock's sign-in page (PathLogin) before
	// it redirects to the app with a code, as RingCentral's does (ringcentral-oauth.md §8.3), instead of
	// approving at once. Off by default.
	LoginPage bool

	// Introspection serves RFC 7662 token introspection at PathIntrospect and advertises it in the discovery
	// document (introspect.go). RingCentral had POST /restapi/oauth/introspect only in SPEC-2024-03 to
	// SPEC-2024-04 and removed it afterwards (ringcentral-oauth.md §1.2), so it is off by default and the mock
	// stays faithful to today's API; on, it lets RFC 7662 scenarios (and clients written against the old
	// specification) run against the mock.
	Introspection bool

	// DeviceCertificateParam is the form parameter of the device_certificate grant that carries the
	// device's signed assertion. RingCentral publishes no schema for this grant (SPEC-2025-03 lists only the
	// enum value); the mock's choice is documented in the package doc.
	DeviceCertificateParam string

	// WSTokenTTL is the lifetime of a WebSocket access token (POST /restapi/oauth/wstoken): 30 s, the
	// documentation's example (DOCS notifications/websockets/subscribing.md "expires_in": 30). @rc-ex's
	// WebSocket extension mentions 600 s, so the value is UNVERIFIED, and cmd/rcmock -wstoken-ttl sets it.
	WSTokenTTL time.Duration

	// DeviceCodeTTL and DevicePollInterval shape the mock-only RFC 8628 device authorization endpoint.
	DeviceCodeTTL, DevicePollInterval time.Duration

	// Retention is how long expired sessions and codes stay known (answering "expired" rather than "not
	// found") before garbage collection removes them.
	Retention time.Duration

	// MaxBodyBytes limits request bodies.
	MaxBodyBytes int64
}

// DefaultOptions returns the options that model RingCentral as described in ringcentral-oauth.md, with
// the control API off.
func DefaultOptions() Options {
	return Options{
		Settings: Settings{
			SessionLimitMode:  SessionLimitEvict,
			RevokeOnCodeReuse: true,
			UnknownGrantError: UnknownGrantRFC,
			AuthorizeScope:    AuthorizeScopeIgnore,

			IntrospectClientError: IntrospectClientErrorSpec,
		},
		SessionLimit:                   5,
		AccessTTLMin:                   600 * time.Second,
		AccessTTLMax:                   3600 * time.Second,
		AccessTTLDefault:               3600 * time.Second,
		AuthCodeTTL:                    60 * time.Second,
		RefreshGraceAfterUse:           10 * time.Second,
		RefreshGraceUnused:             60 * time.Minute,
		RotatedAccessTokenGrace:        10 * time.Second,
		RateLimitMax:                   5,
		RateLimitWindow:                time.Minute,
		RateLimitPenalty:               time.Minute,
		ClientAssertionLeeway:          30 * time.Second,
		RequirePKCEForPublicClients:    true,
		RejectVerifierWithoutChallenge: true,
		DeviceCertificateParam:         "assertion",
		WSTokenTTL:                     30 * time.Second,
		DeviceCodeTTL:                  10 * time.Minute,
		DevicePollInterval:             5 * time.Second,
		Retention:                      time.Hour,
		MaxBodyBytes:                   64 << 10,
	}
}

// validate reports options that cannot work.
func (o *Options) validate() error {
	switch {
	case o.SessionLimit < 1:
		return fmt.Errorf("rcmock: SessionLimit must be at least 1, got %d", o.SessionLimit)
	case o.AccessTTLMin <= 0 || o.AccessTTLMax < o.AccessTTLMin || o.AccessTTLDefault < o.AccessTTLMin || o.AccessTTLDefault > o.AccessTTLMax:
		return fmt.Errorf("rcmock: access TTL bounds must satisfy 0 < min <= default <= max")
	case o.AuthCodeTTL <= 0:
		return fmt.Errorf("rcmock: AuthCodeTTL must be positive")
	case o.RateLimitMax < 1 || o.RateLimitWindow <= 0 || o.RateLimitPenalty < 0:
		return fmt.Errorf("rcmock: rate limit must allow at least one request per positive window")
	case o.MaxBodyBytes <= 0:
		return fmt.Errorf("rcmock: MaxBodyBytes must be positive")
	case o.DeviceCertificateParam == "":
		return fmt.Errorf("rcmock: DeviceCertificateParam must name a form parameter")
	case o.WSTokenTTL < time.Second:
		return fmt.Errorf("rcmock: WSTokenTTL must be at least a second")
	case o.DeviceCodeTTL <= 0 || o.DevicePollInterval <= 0:
		return fmt.Errorf("rcmock: DeviceCodeTTL and DevicePollInterval must be positive")
	case o.Retention < 0 || o.RefreshGraceAfterUse < 0 || o.RefreshGraceUnused < 0 || o.RotatedAccessTokenGrace < 0:
		return fmt.Errorf("rcmock: retention and grace periods must not be negative")
	}
	return validateSettings(o.Settings)
}

func validateSettings(s Settings) error {
	switch {
	case s.SessionLimitMode != SessionLimitEvict && s.SessionLimitMode != SessionLimitReject:
		return fmt.Errorf("rcmock: session_limit_mode must be %q or %q, got %q", SessionLimitEvict, SessionLimitReject, s.SessionLimitMode)
	case s.UnknownGrantError != UnknownGrantRFC && s.UnknownGrantError != UnknownGrantRingCentralText:
		return fmt.Errorf("rcmock: unknown_grant_error must be %q or %q, got %q", UnknownGrantRFC, UnknownGrantRingCentralText, s.UnknownGrantError)
	case s.AuthorizeScope != AuthorizeScopeIgnore && s.AuthorizeScope != AuthorizeScopeRFC:
		return fmt.Errorf("rcmock: authorize_scope must be %q or %q, got %q", AuthorizeScopeIgnore, AuthorizeScopeRFC, s.AuthorizeScope)
	case s.IntrospectClientError != IntrospectClientErrorSpec && s.IntrospectClientError != IntrospectClientErrorRFC:
		return fmt.Errorf("rcmock: introspect_client_error must be %q or %q, got %q", IntrospectClientErrorSpec, IntrospectClientErrorRFC, s.IntrospectClientError)
	}
	return nil
}
