package rcmock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"
)

// Error is the one error type the mock answers with: RingCentral's error body, RFC 6749 §5.2 `error` and
// `error_description` plus RingCentral's `errors[]` list of {errorCode, message, parameterName,
// parameterValue} (ringcentral-oauth.md §5.1, OpenAPI components.responses.OauthInvalidRequest).
//
// OAuth endpoints (token, revoke, authorize) write the OAuth shape: {"error", "errors", "error_description"},
// with errors[0].message equal to error_description, as every real response observed does. Resource
// endpoints and the rate limiter write RingCentral's API shape, which has no `error` member:
// {"errorCode", "message", "errors"} (ringcentral-php#28, OpenAPI TooManyRequests).
//
// Values are built by the constructors below and never shared, so a handler may add headers to the one it
// got without affecting any other response. Errors are written only by writeError.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// OAuth is the RFC 6749 §5.2 error code; empty for API-shaped bodies (resource 401s, 429s).
	OAuth string
	// Code is RingCentral's errorCode (OAU-xxx, CMN-xxx).
	Code string
	// Message is RingCentral's message for Code; it is also the error_description.
	Message string
	// ParamName and ParamValue fill errors[0].parameterName and parameterValue when set.
	ParamName, ParamValue string
	// Header holds extra response headers (Retry-After, WWW-Authenticate, Allow, X-Rate-Limit-*).
	Header http.Header
	// Reason is a mock-only explanation, sent in the X-Mock-Error-Reason header and never in the body,
	// so that a developer can see why the mock refused a request without the body leaving RingCentral's
	// format.
	Reason string
}

// Error implements error.
func (e *Error) Error() string {
	s := fmt.Sprintf("rcmock: %d %s %s: %s", e.Status, e.OAuth, e.Code, e.Message)
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// withReason returns e with Reason set; it exists so constructors read as one expression.
func (e *Error) withReason(format string, args ...any) *Error {
	e.Reason = fmt.Sprintf(format, args...)
	return e
}

// withHeader adds a response header to e.
func (e *Error) withHeader(key, value string) *Error {
	if e.Header == nil {
		e.Header = http.Header{}
	}
	e.Header.Set(key, value)
	return e
}

func oauthErr(status int, oauth, code, message string) *Error {
	return &Error{Status: status, OAuth: oauth, Code: code, Message: message}
}

func paramErr(e *Error, name, value string) *Error {
	e.ParamName, e.ParamValue = name, value
	return e
}

// Token and revocation endpoint errors. RingCentral answers HTTP 400 for every OAuth error of these two
// endpoints (OpenAPI: only 200, 400, 415 and 429 are documented; real OAU-140, OAU-251, OAU-213 answers were
// 400), although docs/basics/errors.md lists 401 and 403 for several codes (ringcentral-oauth.md §5.2, §11).

// errDuplicateParameter: RFC 6749 §3.2 "parameters MUST NOT be included more than once"; RingCentral OAU-111
// (docs/basics/errors.md).
func errDuplicateParameter(name string) *Error {
	return paramErr(oauthErr(400, "invalid_request", "OAU-111", "Request parameter duplication detected"), name, "")
}

// errMissingParameter is a required parameter that is absent or empty (RFC 6749 §3.1: an empty parameter is
// treated as omitted). RingCentral's code for a missing parameter is UNVERIFIED; CMN-101 with its documented
// template "Parameter [x] value is invalid." is the closest documented code.
func errMissingParameter(name string) *Error {
	return paramErr(oauthErr(400, "invalid_request", "CMN-101", "Parameter ["+name+"] value is invalid."), name, "")
}

// errInvalidParameter is a parameter whose value cannot be used (CMN-101, docs/basics/errors.md).
func errInvalidParameter(name, value string) *Error {
	return paramErr(oauthErr(400, "invalid_request", "CMN-101", "Parameter ["+name+"] value is invalid."), name, value)
}

// errResourceNotFound: a parameter names something that does not exist (an account, brand, partner account,
// guest resource or device code). The message is RingCentral's documented CMN-102 template "Resource for
// parameter [x] is not found" (docs/basics/errors.md; errNotFound uses it for paths). At the token endpoint the
// grant is what is invalid, so the OAuth code is invalid_grant (RFC 6749 §5.2); that RingCentral pairs CMN-102
// with invalid_grant here is UNVERIFIED.
func errResourceNotFound(param, value string) *Error {
	return paramErr(oauthErr(400, "invalid_grant", "CMN-102", "Resource for parameter ["+param+"] is not found"), param, value)
}

// HTTP-level refusals (wrong method, media type, size, internal failure) whose RingCentral errorCode is
// UNVERIFIED carry errorCodes of the form HTTP-<status>, a namespace no RingCentral code uses, so that no
// real code (CMN-405 is "Login to extension required") is borrowed with another meaning.

// errUnsupportedMediaType: OpenAPI documents 415 "Unsupported Media Type" for the token endpoint; the body
// RingCentral sends with it is UNVERIFIED.
func errUnsupportedMediaType(contentType string) *Error {
	return oauthErr(415, "invalid_request", "HTTP-415", "Unsupported Media Type").
		withReason("content type %q is not application/x-www-form-urlencoded", contentType)
}

// errMethodNotAllowed: RFC 6749 §3.2 requires POST at the token endpoint; the status RingCentral answers to
// other methods is UNVERIFIED (405 with Allow is the HTTP answer).
func errMethodNotAllowed(allow string) *Error {
	return oauthErr(405, "invalid_request", "HTTP-405", "Method Not Allowed").withHeader("Allow", allow)
}

// errAPIMethodNotAllowed is errMethodNotAllowed for API resources (API-shaped body, no `error`).
func errAPIMethodNotAllowed(allow string) *Error {
	return (&Error{Status: 405, Code: "HTTP-405", Message: "Method Not Allowed"}).withHeader("Allow", allow)
}

// errServerError is a failure of the mock itself (a handler panic, a key that cannot sign).
func errServerError(reason string) *Error {
	return &Error{Status: 500, OAuth: "server_error", Code: "HTTP-500", Message: "Internal Server Error", Reason: reason}
}

// errBodyTooLarge refuses request bodies above the mock's limit.
func errBodyTooLarge() *Error {
	return oauthErr(413, "invalid_request", "HTTP-413", "Request Entity Too Large")
}

// errClientAuthRequired: a confidential client sent no credentials (real response, api-docs PR #33).
func errClientAuthRequired() *Error {
	return oauthErr(400, "invalid_client", "OAU-123", "Client authentication is required")
}

// errInvalidAuthorizationHeader: an Authorization header that is not a decodable Basic value
// (docs/basics/errors.md OAU-123 "Invalid Authorization header value: ${parameter}").
func errInvalidAuthorizationHeader(scheme string) *Error {
	return oauthErr(400, "invalid_client", "OAU-123", "Invalid Authorization header value: "+scheme)
}

// errInvalidClientCredentials: wrong client secret or client assertion (OAU-146, docs/basics/errors.md).
func errInvalidClientCredentials() *Error {
	return oauthErr(400, "invalid_client", "OAU-146", "Invalid client credentials")
}

// errInvalidClient: an unknown client_id, or a client_id that contradicts the authenticated client (OAU-153
// with parameters, community answer 3501, 2016).
func errInvalidClient(id string) *Error {
	return paramErr(oauthErr(400, "invalid_client", "OAU-153", "Invalid client: "+id), "client_id", id)
}

// errMultipleClientAuth: RFC 6749 §2.3 "The client MUST NOT use more than one authentication method in each
// request". RingCentral answered Basic plus a body secret with invalid_client OAU-153 (community answer 3501).
func errMultipleClientAuth(id string) *Error {
	return paramErr(oauthErr(400, "invalid_client", "OAU-153", "Invalid client: "+id), "client_secret", "").
		withReason("more than one client authentication method in one request (RFC 6749 §2.3)")
}

// errAuthMethodNotSupported: an authentication method the app is not registered for, such as
// client_secret_post, which RingCentral does not advertise (OAU-151 "Authorization method not supported").
func errAuthMethodNotSupported() *Error {
	return oauthErr(400, "invalid_client", "OAU-151", "Authorization method not supported")
}

// errUnsupportedGrantType answers a grant_type the server does not know, as Settings.UnknownGrantError
// says. UnknownGrantRFC: RFC 6749 §5.2 unsupported_grant_type, with CMN-101 "Parameter [grant_type] value is
// invalid." (docs/basics/errors.md's code for an invalid parameter value; RingCentral documents no errorCode
// for this case, so the pairing is UNVERIFIED). UnknownGrantRingCentralText: RingCentral's specification text,
// invalid_request "Unsupported grant type" (SPEC-2023-03, SPEC-2024-04), with the same UNVERIFIED errorCode.
func errUnsupportedGrantType(gt, mode string) *Error {
	if mode == UnknownGrantRingCentralText {
		return paramErr(oauthErr(400, "invalid_request", "CMN-101", "Unsupported grant type"), "grant_type", gt)
	}
	return paramErr(oauthErr(400, "unsupported_grant_type", "CMN-101", "Parameter [grant_type] value is invalid."), "grant_type", gt)
}

// errUnauthorizedGrant: the app is not approved for the grant type; the real body (web-phone #116, #386) is
// unauthorized_client / OAU-251 "Unauthorized for this grant type" at HTTP 400.
func errUnauthorizedGrant() *Error {
	return oauthErr(400, "unauthorized_client", "OAU-251", "Unauthorized for this grant type")
}

// errInvalidOwnerCredentials: wrong username or password (real, ringcentral-java#24, HTTP 400).
func errInvalidOwnerCredentials() *Error {
	return oauthErr(400, "invalid_grant", "OAU-140", "Invalid resource owner credentials.")
}

// errInvalidScope: RFC 6749 §3.3, §6: a scope the app was not granted.
func errInvalidScope(scope string) *Error {
	return paramErr(oauthErr(400, "invalid_scope", "CMN-101", "Parameter [scope] value is invalid."), "scope", scope)
}

// Authorization endpoint errors. Those about the client or its redirect URI are answered with HTTP 400 and
// the OAuth body (RFC 6749 §3.1.2.4, §4.1.2.1: the server MUST NOT redirect to an unverified URI; OpenAPI
// authorize 400 = OauthInvalidRequest; docs/basics/errors.md "HTTP 400 may be returned on the
// /restapi/oauth/authorize call ... invalid redirect URI"). The others travel back to the client in the
// redirect, where only `error` and `error_description` are visible; their errorCode and Status matter only
// if one is ever written as a body.

// errAuthorizeRedirectMismatch: redirect_uri is not exactly one of the app's registered URIs (RFC 9700
// §2.1; OAU-109 "Redirect URIs do not match", docs/basics/errors.md). At the authorization endpoint there is
// no grant yet, so the RFC 6749 error is invalid_request, not invalid_grant.
func errAuthorizeRedirectMismatch(uri string) *Error {
	return paramErr(oauthErr(400, "invalid_request", "OAU-109", "Redirect URIs do not match"), "redirect_uri", uri)
}

// errNoRedirectURI: the app has no registered redirect URI, so no authorization request can succeed
// (OAU-113 "No redirect uri is registered for the client", docs/basics/errors.md).
func errNoRedirectURI() *Error {
	return oauthErr(400, "invalid_request", "OAU-113", "No redirect uri is registered for the client")
}

// errUnsupportedResponseType: RFC 6749 §4.1.2.1 unsupported_response_type; RingCentral supports only
// `code` (OpenAPI AuthorizeRequest.response_type). The errorCode is UNVERIFIED; CMN-101 names the parameter.
func errUnsupportedResponseType(rt string) *Error {
	return paramErr(oauthErr(400, "unsupported_response_type", "CMN-101", "Parameter [response_type] value is invalid."), "response_type", rt)
}

// errAuthorizeUnauthorizedClient: the app is not approved for the authorization code grant. The
// description is RingCentral's OAU-112 template "The client is unauthorized for the required grant type:
// [${grant_type}]" (docs/basics/errors.md), which a real authorize redirect carried for the implicit flow:
// `#error=unauthorized_client&error_description=The+client+is+unauthorized+for+the+required+grant+type:+%5BIMPLICIT%5D`
// (ringcentral-js#54).
func errAuthorizeUnauthorizedClient(grant string) *Error {
	return oauthErr(400, "unauthorized_client", "OAU-112", "The client is unauthorized for the required grant type: ["+grant+"]")
}

// errAuthorizeAccessDenied: RFC 6749 §4.1.2.1 access_denied, the mock's answer when login_hint names no
// user and there is no login page (Options.LoginPage) where the user could sign in otherwise. OAU-102 "Unable to issue
// authorization code" (docs/basics/errors.md) is the closest documented code; the pairing is UNVERIFIED.
func errAuthorizeAccessDenied() *Error {
	return oauthErr(400, "access_denied", "OAU-102", "Unable to issue authorization code")
}

// errAuthorizeLoginRequired: OpenID Connect Core §3.1.2.6 login_required, the mock's answer to prompt=none
// when its login page would have to be shown (Options.LoginPage). RingCentral's OpenAPI lists prompt=none
// but not this error (its OauthInvalidRequest enum has no login_required), so the answer, and its pairing
// with OAU-102 "Unable to issue authorization code", are the mock's choice, UNVERIFIED.
func errAuthorizeLoginRequired() *Error {
	return oauthErr(400, "login_required", "OAU-102", "Unable to issue authorization code")
}

// Authorization code errors (docs/basics/errors.md OAU-106..OAU-110; answered with 400 at the token endpoint).

func errInvalidCode() *Error {
	return oauthErr(400, "invalid_grant", "OAU-106", "Invalid authorization code")
}

func errCodeExpired() *Error {
	return oauthErr(400, "invalid_grant", "OAU-108", "Authorization code is expired")
}

func errRedirectMismatch() *Error {
	return oauthErr(400, "invalid_grant", "OAU-109", "Redirect URIs do not match")
}

func errCodeOtherApp() *Error {
	return oauthErr(400, "invalid_grant", "OAU-110", "Authorization code was not issued for this application")
}

// errPKCE: RFC 7636 §4.6 a failed code_verifier check is invalid_grant; RingCentral's code is UNVERIFIED.
func errPKCE(reason string) *Error {
	return paramErr(oauthErr(400, "invalid_grant", "CMN-101", "Parameter [code_verifier] value is invalid."), "code_verifier", "").
		withReason("%s", reason)
}

// Token errors: OAU-213 "Token not found" (unknown, revoked, rotated past its grace, or another app's token;
// ringcentral-embeddable treats 400 OAU-213 at refresh as "token not found"), OAU-210 "Token expired"
// (community article "My access token expired (error OAU-210)").

func errTokenNotFound() *Error {
	return oauthErr(400, "invalid_grant", "OAU-213", "Token not found")
}

// errTokenRevoked: a refresh token whose session was revoked or ended early ("Token revoked", the 400 body
// of WIDGETS' RcMock postOauthToken fixture).
func errTokenRevoked() *Error {
	return oauthErr(400, "invalid_grant", "OAU-211", "Token revoked")
}

func errTokenExpired() *Error {
	return oauthErr(400, "invalid_grant", "OAU-210", "Token expired")
}

// errAssertionAlgorithm: HS256-signed JWT bearer assertions are refused (DOCS changelog 1_0_41, OAU-347).
func errAssertionAlgorithm() *Error {
	return oauthErr(400, "invalid_grant", "OAU-347",
		"An algorithm which is used for assertion signing is not supported for JWT Bearer grant type")
}

// errInvalidAssertion: RFC 7523 §3.1 an invalid assertion is invalid_grant; RingCentral's code is UNVERIFIED.
func errInvalidAssertion(param string) *Error {
	return paramErr(oauthErr(400, "invalid_grant", "CMN-101", "Parameter ["+param+"] value is invalid."), param, "")
}

// Device authorization grant errors, RFC 8628 §3.5. The device flow is mock-only (RingCentral publishes no
// device authorization endpoint), so these errorCodes are the mock's own, in a DEV- namespace that no
// RingCentral code uses.

func errAuthorizationPending() *Error {
	return oauthErr(400, "authorization_pending", "DEV-101", "The authorization request is still pending")
}

func errSlowDown() *Error {
	return oauthErr(400, "slow_down", "DEV-102", "Polling too frequently, slow down")
}

func errDeviceCodeExpired() *Error {
	return oauthErr(400, "expired_token", "DEV-103", "The device code has expired")
}

func errAccessDenied() *Error {
	return oauthErr(400, "access_denied", "DEV-104", "The user denied the authorization request")
}

// errUserCodeNotFound answers the mock's verification page (RFC 8628 §3.3 leaves the page to the server) and
// the control API's device approval for a user code that was never issued: 404, as for any unknown resource.
func errUserCodeNotFound() *Error {
	return paramErr(oauthErr(404, "invalid_request", "DEV-105", "Unknown user code"), "user_code", "")
}

// errUserCodeUsed: the user already approved or denied this request; RFC 8628 §5.1 expects a user code to
// serve one authorization only.
func errUserCodeUsed() *Error {
	return paramErr(oauthErr(400, "invalid_request", "DEV-106", "The user code has already been used"), "user_code", "")
}

// Revocation errors.

// errRevokeNoToken: revocation without a token (DOCS changelog 1_0_39: "CMN-101 returned for empty token").
func errRevokeNoToken() *Error {
	return paramErr(oauthErr(400, "invalid_request", "CMN-101", "Parameter [token] value is invalid."), "token", "")
}

// errRevokeQueryMismatch: token in both query and body with different values (OAU-150,
// docs/basics/errors.md; applying it to revoke is an inference of ringcentral-oauth.md §6).
func errRevokeQueryMismatch() *Error {
	return paramErr(oauthErr(400, "invalid_request", "OAU-150",
		"The value of query parameter [token] should be equal to parameter [token] in request body"), "token", "")
}

// Introspection errors (RFC 7662; served with Options.Introspection).

// errIntrospectionClient is the introspection endpoint's answer to a caller whose client authentication
// failed, RingCentral's body of that failure (invalid_client and its OAU code), which e already holds, with
// the status mode chooses (Settings.IntrospectClientError): 400 as SPEC-2024-04 documented for this
// endpoint ("invalid_client: The client application is disabled"), or RFC 7662 §2.3's "HTTP 401
// (Unauthorized) as described in Section 5.2 of OAuth 2.0" with a challenge for the one scheme a client
// sends in a header, Basic (RFC 6749 §5.2, RFC 9110 §15.5.2). Any other error is returned as it is.
func errIntrospectionClient(e *Error, mode string) *Error {
	if e.OAuth != "invalid_client" || mode != IntrospectClientErrorRFC {
		return e
	}
	e.Status = http.StatusUnauthorized
	return e.withHeader("WWW-Authenticate", `Basic realm="RingCentral"`)
}

// Limits.

// errRateLimited is RingCentral's 429 for a throttling group: CMN-301 "Request rate exceeded" with
// Retry-After in seconds (docs/basics/rate-limits.md, errors.md).
func errRateLimited(retryAfter time.Duration) *Error {
	secs := int((retryAfter + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return (&Error{Status: 429, Code: "CMN-301", Message: "Request rate exceeded"}).
		withHeader("Retry-After", strconv.Itoa(secs))
}

// errSessionLimit answers a login beyond the per-user, per-app session limit when the mock is configured to
// refuse rather than evict. UNVERIFIED: docs/basics/errors.md says only that "the server starts to return
// HTTP 429 on authorization requests" when the number of active sessions is exceeded; the body is modelled
// on the rate limiter's.
func errSessionLimit(retryAfter time.Duration) *Error {
	e := errRateLimited(retryAfter)
	e.Reason = "active session limit reached for this user and app"
	return e
}

// Resource (API) errors: HTTP 401 with RingCentral's API body and an RFC 6750 §3 WWW-Authenticate
// challenge. No error attribute when no credentials were sent (RFC 6750 §3.1).

func errAuthHeaderMissing() *Error {
	return (&Error{Status: 401, Code: "OAU-123", Message: "Authorization header is not specified"}).
		withHeader("WWW-Authenticate", `Bearer realm="RingCentral"`)
}

func errAuthHeaderMalformed() *Error {
	return (&Error{Status: 401, Code: "OAU-134", Message: "Invalid Authorization header."}).
		withHeader("WWW-Authenticate", `Bearer realm="RingCentral", error="invalid_request"`)
}

func apiTokenErr(code, message string) *Error {
	return (&Error{Status: 401, Code: code, Message: message}).
		withHeader("WWW-Authenticate", `Bearer realm="RingCentral", error="invalid_token", error_description="`+message+`"`)
}

// errAPITokenNotFound: unknown, revoked or evicted access token ("Token not found", EXPERIMENT README and
// community OAU-213 thread).
func errAPITokenNotFound() *Error { return apiTokenErr("OAU-213", "Token not found") }

// errAPITokenExpired: an access token past expires_in (community article "My access token expired (error
// OAU-210)").
func errAPITokenExpired() *Error { return apiTokenErr("OAU-210", "Token expired") }

// errAPITokenCorrupted: an access token replaced by a refresh moments ago ("Access token corrupted",
// EXPERIMENT README; after about ten seconds the same token answers "Token not found").
func errAPITokenCorrupted() *Error { return apiTokenErr("OAU-129", "Access token corrupted.") }

// errAPILoginRequired: a valid access token that has no user (client_credentials, guest) at an endpoint
// about the user, such as OpenID Connect UserInfo. RingCentral's API reference documents CMN-405 "Login to
// extension required" for this situation (with HTTP 401); the mock answers 403 because the token itself is
// valid (RFC 6750 §3.1 insufficient_scope), so a client does not discard it. UNVERIFIED for userinfo.
func errAPILoginRequired() *Error {
	return (&Error{Status: 403, Code: "CMN-405", Message: "Login to extension required"}).
		withHeader("WWW-Authenticate", `Bearer realm="RingCentral", error="insufficient_scope"`)
}

// errAPIAppPermission: the token's scope lacks a permission the endpoint needs (RFC 6750 §3.1
// insufficient_scope; the spec marks such endpoints with x-app-permission, ringcentral-oauth.md §1.2). The
// status, CMN-401 and its message "In order to call this API endpoint, application needs to have
// [ReadAccounts] permission" are the mock's choice, modelled on RingCentral's API error pages: the project's
// reference does not list CMN-401, so it is UNVERIFIED at every endpoint the mock uses it (wstoken,
// userinfo, the account resources).
func errAPIAppPermission(permission string) *Error {
	return (&Error{Status: 403, Code: "CMN-401", Message: "In order to call this API endpoint, application needs to have [" + permission + "] permission"}).
		withHeader("WWW-Authenticate", `Bearer realm="RingCentral", error="insufficient_scope", scope="`+permission+`"`)
}

// errNotFound is the answer for an unknown path.
func errNotFound() *Error {
	return &Error{Status: 404, Code: "CMN-102", Message: "Resource for parameter [path] is not found"}
}

type apiError struct {
	ErrorCode      string `json:"errorCode"`
	Message        string `json:"message"`
	ParameterName  string `json:"parameterName,omitempty"`
	ParameterValue string `json:"parameterValue,omitempty"`
}

// oauthBody and apiBody fix the member order of the two shapes to the order RingCentral writes them.
type oauthBody struct {
	Error            string     `json:"error"`
	Errors           []apiError `json:"errors"`
	ErrorDescription string     `json:"error_description"`
}

type apiBody struct {
	ErrorCode string     `json:"errorCode"`
	Message   string     `json:"message"`
	Errors    []apiError `json:"errors"`
}

// body renders e in RingCentral's format.
func (e *Error) body() []byte {
	item := apiError{ErrorCode: e.Code, Message: e.Message, ParameterName: e.ParamName, ParameterValue: e.ParamValue}
	var v any
	if e.OAuth != "" {
		v = oauthBody{Error: e.OAuth, Errors: []apiError{item}, ErrorDescription: e.Message}
	} else {
		v = apiBody{ErrorCode: e.Code, Message: e.Message, Errors: []apiError{item}}
	}
	b, _ := json.Marshal(v) // cannot fail: only strings
	return b
}

// writeError is the only function that writes an error response: headers first (JSON, RFC 6749 §5.1
// Cache-Control: no-store and Pragma: no-cache on every token-endpoint answer, the error's own headers),
// then the status, then the body.
func writeError(w http.ResponseWriter, e *Error) {
	h := w.Header()
	noStore(h)
	h.Set("Content-Type", "application/json")
	for k, vs := range e.Header {
		h[k] = append([]string(nil), vs...)
	}
	if e.Reason != "" {
		h.Set("X-Mock-Error-Reason", e.Reason)
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(e.body())
}

// noStore sets the caching headers RFC 6749 §5.1 requires on responses that carry tokens or credentials.
func noStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

// writeHTML renders page with data and writes it with status, for the mock's pages (the login page, the
// device verification page): rendered into a buffer first, so that a template failure is a clean 500 and
// headers are set before WriteHeader. reason, if set, is the X-Mock-Error-Reason header, as on an error.
func writeHTML(w http.ResponseWriter, status int, page *template.Template, data any, reason string) {
	var buf bytes.Buffer
	if err := page.Execute(&buf, data); err != nil {
		writeError(w, errServerError(err.Error()))
		return
	}
	h := w.Header()
	noStore(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	if reason != "" {
		h.Set("X-Mock-Error-Reason", reason)
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeJSON writes a successful JSON answer with the no-store headers.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, errServerError(err.Error()))
		return
	}
	h := w.Header()
	noStore(h)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
