// Package rcmock is a faithful mock of RingCentral's OAuth 2.0 / OpenID Connect API: the harness's default
// target, and a drop-in sandbox for anyone developing against RingCentral's OAuth API (the official SDKs
// work against it unchanged with the credentials of env/mock.env).
//
// It implements the API's rules rather than canned answers, so the conformance suite can tell a correct
// server from a subtly wrong one. Ground truth is the project's reference (ringcentral-oauth.md, with its
// sources) and RingCentral's OpenAPI description; every rule in the code cites the document it implements.
//
// # Endpoints
//
//   - POST /restapi/oauth/token with the twelve grant types of SPEC-2025-03 (token.go, grant_*.go);
//   - GET and POST /restapi/oauth/authorize (authorize.go): by default the mock approves at once as the
//     user named by login_hint or the fixture's first user; with Options.LoginPage it sends the user to
//     its sign-in page first;
//   - mock-only: GET and POST /restapi/oauth/login (login.go), that sign-in page: a user name and password
//     form, then an authorize button, the mock's design (RingCentral's page is not described);
//   - POST /restapi/oauth/revoke (revoke.go);
//   - GET /.well-known/openid-configuration, GET /restapi/oauth/jwks, GET /restapi/oauth/userinfo (oidc.go);
//   - POST /restapi/oauth/wstoken (wstoken.go): a single-use WebSocket access token, for a bearer access
//     token with the WebSocket permission;
//   - GET /restapi/v1.0/account/~ and /restapi/v1.0/account/~/extension/~ (resource.go);
//   - POST /restapi/oauth/introspect (introspect.go), only with Options.Introspection: RFC 7662 token
//     introspection as SPEC-2024-04 described it, since RingCentral removed the endpoint afterwards; the
//     discovery document then advertises it;
//   - mock-only: POST /restapi/oauth/device and GET /restapi/oauth/device/verify, an RFC 8628 device
//     authorization endpoint for the device_code grant, since RingCentral publishes none (device.go);
//   - mock-only: GET /ws, a stand-in for the WebSocket gateway that wstoken's uri names, where a
//     ws_access_token is spent (wstoken.go);
//   - mock-only: the /__mock/ control API (control.go), when Options.Control is set; with Options.Inspect
//     alone, only its read-only GET /__mock/state and /__mock/state/owners.
//
// # Rules
//
// Client authentication (clientauth.go): client_secret_basic with or without RFC 6749 §2.3.1 form-encoding,
// client_id in the body next to Basic when it names the same client, RFC 7523 client assertions
// (client_secret_jwt, private_key_jwt: signature, iss = sub = client_id, aud, exp, jti replay), public
// clients by client_id. TTLs are clamped, never rejected for their size; refresh_token_ttl=0 omits the refresh token;
// expires_in values are remaining seconds. Refresh rotates the pair with RingCentral's grace for the old
// refresh token. Authorization codes are single-use, 60 s, bound to the client and the redirect URI, with
// PKCE (plain by default, S256). Five concurrent sessions per user and app, the sixth evicting the oldest
// (or, by setting, refused with 429). Errors are RingCentral's bodies, written by one function (errors.go).
// The Auth throttling group (5 requests per user and app in any sliding minute, then a 60 s penalty that every
// refused request restarts) is off by default.
//
// # Choices where RingCentral's behaviour is UNVERIFIED
//
// The reference marks some behaviour UNVERIFIED. The mock then does what is most plausible, says so in a
// comment at the code, and makes it configurable where a user might need the other answer (Options and
// Settings). In summary:
//
//   - with the login page, prompt=none is login_required (OpenID Connect Core §3.1.2.6) and a login_hint
//     that names nobody only fills the form; without it, such a login_hint is access_denied;
//   - errorCodes for a missing or invalid parameter (CMN-101), an unsupported grant type (CMN-101), a
//     failed PKCE check or JWT assertion (invalid_grant, CMN-101); HTTP-level refusals carry HTTP-405,
//     HTTP-413, HTTP-415 and HTTP-500, a namespace no RingCentral code uses;
//   - the authorization request's scope is ignored, as RingCentral documents, and the code carries the app's
//     scopes; openid in it still starts OpenID Connect (Settings.AuthorizeScope "rfc" narrows to the
//     requested scope and refuses an ungranted one with invalid_scope);
//   - an unknown grant_type is RFC 6749 §5.2's unsupported_grant_type, although RingCentral's specification
//     text describes invalid_request "Unsupported grant type" (Settings.UnknownGrantError
//     "ringcentral-text" answers that);
//   - the sixth session evicts the oldest (Settings.SessionLimitMode "reject" answers 429 instead);
//   - reusing an authorization code revokes the tokens issued from it (Settings.RevokeOnCodeReuse);
//   - public clients must use PKCE, and a code_verifier for a code issued without a challenge is refused
//     (Options.RequirePKCEForPublicClients, Options.RejectVerifierWithoutChallenge);
//   - client_secret in the body is refused (Options.AcceptClientSecretPost);
//   - a TTL parameter is read as an optionally signed decimal integer, surrounding white space ignored
//     ("+600" and " 600" are 600); values beyond 64 bits saturate, so any value above the maximum clamps to
//     it; access_token_ttl=0 or negative gets the minimum (600 s); a value that is not a decimal integer
//     ("1e3", "900.7", "NaN") gets the default (Options.RejectMalformedTTL refuses it instead); a refresh
//     restarts the refresh token's lifetime;
//   - client_credentials and guest tokens come without a refresh token and without owner_id;
//   - personal_jwt and partner_jwt take the JWT credential in `assertion` and accept credentials of their
//     own kind (Fixture JWTCredential.Kind); the JWT bearer grant accepts "jwt" and "personal" credentials;
//   - device_certificate takes, in Options.DeviceCertificateParam ("assertion"), a JWT signed with the
//     device's key that carries the device certificate in x5c; the certificate must chain to the fixture's
//     device CA and name a registered device as its subject (grant_device_certificate.go);
//   - ivr_pin accepts an optional username; otp codes are single use;
//   - the device flow's errorCodes are DEV-1xx (mock-only);
//   - API 401s carry an RFC 6750 WWW-Authenticate challenge;
//   - wstoken answers expires_in 30 (Options.WSTokenTTL) and refuses a token without the WebSocket
//     permission with 403 CMN-401, the mock's choice of status and code (the reference lists neither); a
//     ws_access_token is "used" when presented at the stand-in gateway;
//   - introspection (Options.Introspection) answers a failed client authentication with 400 invalid_client,
//     the only status SPEC-2024-04 documented (Settings.IntrospectClientError "rfc" answers RFC 7662 §2.3's
//     401 with a Basic challenge instead), refuses public apps, tells an app about its own tokens
//     only (another app's token is inactive), counts in the Auth group, and ignores SPEC-2024-04's scope
//     parameter and its Interoperability permission;
//   - revoking with an access token a refresh replaced answers 200 and ends nothing, since the token is
//     invalid (Settings.RevokeWithReplacedToken ends its session instead, while the token is within
//     Options.RotatedAccessTokenGrace);
//   - the refresh token of a session ended early (revoked, evicted, or issued from a reused code) answers
//     OAU-211 "Token revoked" while the mock remembers it (the latest 4096 per realm, until expiry), then
//     OAU-213 "Token not found"; a revoked access token answers "Token not found" at the API.
//
// # Realms, time and faults
//
// Every request belongs to a realm named by its X-Mock-Scenario header (ScenarioHeader); requests without
// it share the default realm. A realm is a complete, isolated copy of the mutable state: clock offset,
// faults, settings, sessions, tokens, codes, rate limits. The harness gives each scenario its own realm, so
// scenarios run concurrently without seeing each other's sessions, clock or faults. The clock is injected
// (Options.Clock) and a realm's time only moves forward, through the control API; nothing sleeps to make a
// token expire. Expired sessions, codes and other records are swept once they are older than
// Options.Retention, and idle realms are dropped, so memory stays bounded on long runs.
//
// Faults (control.go, faults.go) make a realm's next requests to a path misbehave: a chosen status, body
// and headers after a delay, or an answer broken as real outages break them — cut short with a matching
// Content-Length (FaultTruncate), a connection reset halfway through the body (FaultResetMidBody), headers
// and then silence (FaultHangAfterHeaders), a body labelled gzip that is not (FaultGzipGarbage), a
// redirect to the request's own URL (FaultRedirectLoop) and an enormous body (FaultHugeBody).
package rcmock
