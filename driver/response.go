package driver

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// maxShown is how many bytes of a body an error message or summary shows.
const maxShown = 512

// Response is one HTTP response as the driver received it. Body is the raw, unredacted body, kept in
// memory for assertions; only what is recorded or printed ([Response.String], errors) is redacted.
type Response struct {
	// Method and URL are those of the request that produced the response.
	Method, URL string
	Status      int
	Header      http.Header
	Body        []byte
	// Duration is the time from sending the request to having read the whole body.
	Duration time.Duration

	redactor *Redactor
}

// JSON parses the body as JSON. The result does not exist (Exists() is false) if the body is empty;
// use gjson.ValidBytes(r.Body) to tell a malformed body.
func (r *Response) JSON() gjson.Result {
	return gjson.ParseBytes(r.Body)
}

// String returns a short, redacted summary such as
// `POST https://…/restapi/oauth/token -> 400 (199 bytes, 35ms): {"error":"invalid_grant",…}`.
func (r *Response) String() string {
	if r == nil {
		return "<nil response>"
	}
	red := r.redactorOrDefault()
	body := strings.TrimSpace(red.Body(r.Body))
	s := fmt.Sprintf("%s %s -> %d (%d bytes, %s)", r.Method, red.URL(r.URL), r.Status, len(r.Body),
		r.Duration.Round(time.Millisecond))
	if body != "" {
		s += ": " + truncate(oneLine(body), 200)
	}
	return s
}

func (r *Response) redactorOrDefault() *Redactor {
	if r.redactor != nil {
		return r.redactor
	}
	return NewRedactor(nil)
}

// shownBody is the body as an error message may show it: redacted, on one line, truncated.
func (r *Response) shownBody() string {
	return oneLine(r.redactorOrDefault().redactedPrefix(r.Body, maxShown))
}

func (r *Response) contentType() string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return r.Header.Get("Content-Type")
	}
	return mt
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// TokenInfo is a successful access token response: the fields of RFC 6749 §5.1 and every field of
// RingCentral's TokenInfo schema (refresh_token_expires_in, owner_id, endpoint_id, session_*, OpenID
// Connect id_token, ws_access_token).
//
// The driver parses it leniently (a number sent as a string still fills ExpiresIn); the exact JSON
// types are a conformance question that steps check on [Response.Body].
type TokenInfo struct {
	AccessToken string `json:"access_token"`
	// TokenType is "bearer" at RingCentral; compare it case-insensitively (RFC 6749 §5.1, §7.1).
	TokenType string `json:"token_type"`
	// ExpiresIn is the access token's remaining lifetime in seconds (RFC 6749 §5.1).
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	// RefreshTokenExpiresIn is the refresh token's remaining lifetime in seconds (RingCentral).
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in,omitempty"`
	Scope                 string `json:"scope,omitempty"`
	// OwnerID is the RingCentral extension ID of the token's owner, a JSON string.
	OwnerID    string `json:"owner_id,omitempty"`
	EndpointID string `json:"endpoint_id,omitempty"`
	// IDToken is the OpenID Connect ID token (OpenID Connect Core §3.1.3.3).
	IDToken   string `json:"id_token,omitempty"`
	SessionID string `json:"session_id,omitempty"`
	// SessionExpiresIn is returned only if an absolute session timeout is enforced.
	SessionExpiresIn int64 `json:"session_expires_in,omitempty"`
	// SessionExpirationTime is the session's end as the server formats it (a date-time string).
	SessionExpirationTime string `json:"session_expiration_time,omitempty"`
	// SessionIdleTimeout is returned only if an idle session timeout is enforced.
	SessionIdleTimeout int64 `json:"session_idle_timeout,omitempty"`
	// WSAccessToken is returned only to apps granted the WebSocket scope.
	WSAccessToken string `json:"ws_access_token,omitempty"`
}

// parseTokenInfo reads a token response body. It reports why the body is not a usable token response
// (RFC 6749 §5.1: access_token and token_type are REQUIRED; RingCentral's SDKs reject a body without
// access_token as "Malformed OAuth response").
func parseTokenInfo(body []byte) (*TokenInfo, string) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, "the body is empty"
	}
	if !gjson.ValidBytes(body) {
		if endsEarly(body) {
			return nil, "the body is not JSON: it stops in the middle of a JSON document"
		}
		return nil, "the body is not JSON"
	}
	j := gjson.ParseBytes(body)
	if !j.IsObject() {
		return nil, "the body is not a JSON object"
	}
	at := j.Get("access_token")
	switch {
	case !at.Exists():
		return nil, "access_token is missing"
	case at.Type != gjson.String:
		return nil, "access_token is not a string"
	case at.Str == "":
		return nil, "access_token is empty"
	}
	return &TokenInfo{
		AccessToken:           at.Str,
		TokenType:             j.Get("token_type").String(),
		ExpiresIn:             j.Get("expires_in").Int(),
		RefreshToken:          j.Get("refresh_token").String(),
		RefreshTokenExpiresIn: j.Get("refresh_token_expires_in").Int(),
		Scope:                 j.Get("scope").String(),
		OwnerID:               j.Get("owner_id").String(),
		EndpointID:            j.Get("endpoint_id").String(),
		IDToken:               j.Get("id_token").String(),
		SessionID:             j.Get("session_id").String(),
		SessionExpiresIn:      j.Get("session_expires_in").Int(),
		SessionExpirationTime: j.Get("session_expiration_time").String(),
		SessionIdleTimeout:    j.Get("session_idle_timeout").Int(),
		WSAccessToken:         j.Get("ws_access_token").String(),
	}, ""
}

// tokenMediaType checks the media type of a successful token response: RFC 6749 §5.1 sends its
// parameters "using the application/json media type". It returns why the response fails that, or "".
func tokenMediaType(r *Response) string {
	switch ct := r.contentType(); ct {
	case jsonContentType:
		return ""
	case "":
		return "there is no Content-Type; RFC 6749 §5.1 requires application/json"
	default:
		return fmt.Sprintf("the Content-Type is %s, not application/json (RFC 6749 §5.1)", ct)
	}
}

// APIError is one entry of RingCentral's errors[] array (ApiErrorWithParameter): a logical error code
// such as "OAU-140", a message and, for parameter errors, the offending parameter.
type APIError struct {
	ErrorCode      string `json:"errorCode"`
	Message        string `json:"message"`
	ParameterName  string `json:"parameterName,omitempty"`
	ParameterValue string `json:"parameterValue,omitempty"`
}

// OAuthError is a non-2xx answer of the target. It keeps the raw response so that a failed step can
// show what the server actually sent.
//
// RingCentral's OAuth endpoints answer with an RFC 6749 §5.2 body (error, error_description) plus an
// errors[] array of OAU-xxx codes; its resource endpoints (RFC 6750 §3.1 situations such as an expired
// access token) answer with a top-level errorCode and message and no error field. Both shapes fill the
// fields below; anything else (an HTML error page, an empty body) leaves them empty and keeps Body.
type OAuthError struct {
	// Endpoint names what answered, e.g. "token endpoint" or "GET /restapi/v1.0/account/~".
	Endpoint string
	Status   int
	Header   http.Header
	// Err is the RFC 6749 §5.2 "error" code, e.g. "invalid_grant".
	Err string
	// Description is "error_description".
	Description string
	// Errors is RingCentral's errors[] array.
	Errors []APIError
	// TopCode and TopMessage are the top-level "errorCode" and "message" of RingCentral's resource-style
	// error bodies.
	TopCode, TopMessage string
	// Body is the raw, unredacted body.
	Body []byte
	// Response is the whole response.
	Response *Response
}

// newOAuthError reads an error response.
func newOAuthError(endpoint string, resp *Response) *OAuthError {
	e := &OAuthError{
		Endpoint: endpoint,
		Status:   resp.Status,
		Header:   resp.Header,
		Body:     resp.Body,
		Response: resp,
	}
	if !gjson.ValidBytes(resp.Body) {
		return e
	}
	j := gjson.ParseBytes(resp.Body)
	if !j.IsObject() {
		return e
	}
	e.Err = j.Get("error").String()
	e.Description = j.Get("error_description").String()
	e.TopCode = j.Get("errorCode").String()
	e.TopMessage = j.Get("message").String()
	j.Get("errors").ForEach(func(_, v gjson.Result) bool {
		ae := APIError{
			ErrorCode:      v.Get("errorCode").String(),
			Message:        v.Get("message").String(),
			ParameterName:  v.Get("parameterName").String(),
			ParameterValue: v.Get("parameterValue").String(),
		}
		// Older bodies nest the parameter: "parameters":[{"parameterName":…,"parameterValue":…}].
		if ae.ParameterName == "" {
			ae.ParameterName = v.Get("parameters.0.parameterName").String()
			ae.ParameterValue = v.Get("parameters.0.parameterValue").String()
		}
		e.Errors = append(e.Errors, ae)
		return true
	})
	return e
}

// isJSON reports whether the error body was a JSON object.
func (e *OAuthError) isJSON() bool {
	return gjson.ValidBytes(e.Body) && gjson.ParseBytes(e.Body).IsObject()
}

// Codes returns the RingCentral error codes of the body: every errors[].errorCode, then the top-level
// errorCode if it is not among them.
func (e *OAuthError) Codes() []string {
	var codes []string
	seen := map[string]bool{}
	for _, ae := range e.Errors {
		if ae.ErrorCode != "" && !seen[ae.ErrorCode] {
			seen[ae.ErrorCode] = true
			codes = append(codes, ae.ErrorCode)
		}
	}
	if e.TopCode != "" && !seen[e.TopCode] {
		codes = append(codes, e.TopCode)
	}
	return codes
}

// Message returns the most specific human-readable message of the body: error_description, else the
// first errors[].message, else the top-level message.
func (e *OAuthError) Message() string {
	if e.Description != "" {
		return e.Description
	}
	for _, ae := range e.Errors {
		if ae.Message != "" {
			return ae.Message
		}
	}
	return e.TopMessage
}

// HasErrorCode reports whether code is the RFC 6749 §5.2 error code ("invalid_grant") or one of the
// RingCentral codes ("OAU-140") of the body.
func (e *OAuthError) HasErrorCode(code string) bool {
	if code == "" {
		return false
	}
	if e.Err == code {
		return true
	}
	for _, c := range e.Codes() {
		if c == code {
			return true
		}
	}
	return false
}

// Error describes the error as the server sent it, e.g.
// "driver: token endpoint answered 400 invalid_grant (OAU-140): Invalid resource owner credentials."
// Known secrets are redacted wherever they appear in it.
func (e *OAuthError) Error() string { return e.redactor().Text(e.describe()) }

func (e *OAuthError) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "driver: %s answered %d", e.Endpoint, e.Status)
	if loc := e.Header.Get("Location"); loc != "" && e.Status >= 300 && e.Status < 400 {
		if e.Response != nil {
			if u, err := parseLocation(e.Response.URL, loc); err == nil {
				loc = u.String()
			}
		}
		fmt.Fprintf(&b, " redirecting to %s (not followed)", e.redactor().URL(loc))
	}
	if !e.isJSON() {
		ct := ""
		if e.Response != nil {
			ct = e.Response.contentType()
		}
		if ct == "" {
			ct = "no Content-Type"
		}
		if len(e.Body) == 0 {
			fmt.Fprintf(&b, " with an empty body (%s)", ct)
			return b.String()
		}
		fmt.Fprintf(&b, " with a non-JSON body (%s, %d bytes): %q", ct, len(e.Body), e.shownBody())
		return b.String()
	}
	if e.Err != "" {
		b.WriteString(" " + e.Err)
	}
	if codes := e.Codes(); len(codes) > 0 {
		b.WriteString(" (" + strings.Join(codes, ", ") + ")")
	}
	if msg := e.Message(); msg != "" {
		b.WriteString(": " + msg)
	}
	if e.Err == "" && len(e.Codes()) == 0 {
		b.WriteString(" without an error code: " + e.shownBody())
	}
	return b.String()
}

func (e *OAuthError) redactor() *Redactor {
	if e.Response != nil {
		return e.Response.redactorOrDefault()
	}
	return NewRedactor(nil)
}

func (e *OAuthError) shownBody() string {
	if e.Response != nil {
		return e.Response.shownBody()
	}
	return truncate(oneLine(e.redactor().Body(e.Body)), maxShown)
}

// MalformedResponseError is a 2xx token response that is not a usable token response: not JSON (an HTML
// page, a body cut short), JSON without a string access_token, or not labelled application/json
// (RFC 6749 §5.1). Response keeps what was received.
type MalformedResponseError struct {
	Response *Response
	// Reason says what is wrong, e.g. "the body is not JSON" or "access_token is missing".
	Reason string
}

// Error shows the reason and the start of the body (redacted, at most 512 bytes).
func (e *MalformedResponseError) Error() string {
	if e.Response == nil {
		return "driver: malformed token response: " + e.Reason
	}
	r := e.Response
	ct := r.contentType()
	if ct == "" {
		ct = "no Content-Type"
	}
	red := r.redactorOrDefault()
	return red.Text(fmt.Sprintf("driver: %s %s answered %d with a malformed token response (%s; %s, %d bytes): %q",
		r.Method, red.URL(r.URL), r.Status, e.Reason, ct, len(r.Body), r.shownBody()))
}
