package driver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tidwall/gjson"
)

// TokenRequest is a request to the token endpoint (RFC 6749 §3.2).
type TokenRequest struct {
	// Form holds the parameters: grant_type and the grant's parameters (RFC 6749 §4.1.3, §4.3.2, §6,
	// RFC 7523 §2.1, …). Duplicates and empty values are sent as they are.
	Form Form
	// Auth authenticates the client; nil sends no client credentials.
	Auth ClientAuth
	// Method is POST by default (RFC 6749 §3.2). GET sends the form in the query string.
	Method string
	// ContentType is application/x-www-form-urlencoded by default (RFC 6749 Appendix B).
	ContentType string
	// RawBody, if non-nil, is sent verbatim instead of the encoded form (for wrong-content-type tests).
	// Body parameters that Auth would add are then lost; its headers are still sent.
	RawBody []byte
	// Header holds extra headers; they replace the driver's, and Auth is applied after them. A key
	// with no values removes the header.
	Header http.Header
	// Query, if set, is sent in the query string of a POST besides the form in the body: parameters that
	// RFC 6749 §2.3.1 and §3.2 keep out of the request URI, for the tests of a server that must not honour
	// them there.
	Query Form
}

// TokenResult is the outcome of a token request that got an HTTP response.
type TokenResult struct {
	Response *Response
	// Token is the parsed access token response (RFC 6749 §5.1); nil unless the status was 2xx and the
	// body a usable token response.
	Token *TokenInfo
}

// Token sends a token request.
//
// It returns (result, nil) for a 2xx token response; (result, *MalformedResponseError) for a 2xx answer
// that is not a token response (not a JSON object with a string access_token, or not labelled
// application/json, RFC 6749 §5.1); (result, *OAuthError) for any other status (RFC 6749 §5.2), a
// redirect included, which is never followed; (nil, *TransportError) when no response arrived;
// (nil, *BodyError) when the status and headers arrived but the body did not arrive whole; and
// (nil, error) when Auth could not build its credentials (for example a signing error).
func (c *Client) Token(ctx context.Context, tr TokenRequest) (*TokenResult, error) {
	target, err := c.endpoint("token endpoint", c.ep.Token)
	if err != nil {
		return nil, err
	}
	form, header, err := c.applyAuth(tr.Auth, tr.Form, tr.Header)
	if err != nil {
		return nil, err
	}
	k := call{endpoint: "token endpoint", method: tr.Method, target: target, header: header, contentType: tr.ContentType}
	if k.method == "" {
		k.method = http.MethodPost
	}
	if k.method == http.MethodGet || k.method == http.MethodHead {
		k.query = form.Encode()
	} else {
		k.body = bodyOf(form, tr.RawBody)
		k.query = tr.Query.Encode()
	}
	resp, err := c.do(ctx, k)
	if err != nil {
		return nil, err
	}
	res := &TokenResult{Response: resp}
	if !success(resp.Status) {
		return res, newOAuthError(k.endpoint, resp)
	}
	tok, reason := parseTokenInfo(resp.Body)
	if tok != nil {
		if reason = tokenMediaType(resp); reason != "" {
			tok = nil
		}
	}
	if tok == nil {
		return res, &MalformedResponseError{Response: resp, Reason: reason}
	}
	res.Token = tok
	return res, nil
}

func bodyOf(form Form, raw []byte) []byte {
	if raw != nil {
		return raw
	}
	return []byte(form.Encode())
}

func success(status int) bool { return status >= 200 && status < 300 }

// AuthorizeRequest is a request to the authorization endpoint (RFC 6749 §4.1.1).
type AuthorizeRequest struct {
	// Method is GET (the default; the form goes into the query string) or POST (a form body), both of
	// which RFC 6749 §3.1 allows and RingCentral serves.
	Method string
	// Form holds response_type, client_id, redirect_uri, state, code_challenge, …
	Form Form
	// Header holds extra headers.
	Header http.Header
}

// AuthorizeResult is the authorization endpoint's answer. The driver does not follow redirects: a 3xx
// answer is returned with its Location parsed.
type AuthorizeResult struct {
	Response *Response
	// Redirected is true for a 3xx answer with a Location header.
	Redirected bool
	// Location is the parsed Location header, resolved against the request URL.
	Location *url.URL
	// Code, State, ExpiresIn, Error and ErrorDescription are the redirect's parameters (RFC 6749
	// §4.1.2, §4.1.2.1; RingCentral adds expires_in, the code's remaining lifetime), taken from the
	// query and, if absent there, from the fragment.
	Code, State, ExpiresIn, Error, ErrorDescription string
	// Query holds the parameters of Location's query string.
	Query url.Values
	// Fragment holds the parameters of Location's fragment (RingCentral's JS SDK accepts both places).
	Fragment url.Values
}

// Param returns a redirect parameter from the query, or from the fragment if the query lacks it.
func (r *AuthorizeResult) Param(key string) string {
	if r.Query.Has(key) {
		return r.Query.Get(key)
	}
	return r.Fragment.Get(key)
}

// Authorize sends an authorization request and returns without following the redirect.
//
// A 3xx answer is (result, nil) with Redirected set, whether it carries a code or an error
// (RFC 6749 §4.1.2.1). A 4xx or 5xx answer, such as RingCentral's HTTP 400 for an unknown client or an
// unregistered redirect URI (RFC 6749 §4.1.2.1: the server must not redirect then), is
// (result, *OAuthError). Any other answer, such as a 200 login page, is (result, nil).
func (c *Client) Authorize(ctx context.Context, ar AuthorizeRequest) (*AuthorizeResult, error) {
	target, err := c.endpoint("authorization endpoint", c.ep.Authorize)
	if err != nil {
		return nil, err
	}
	k := call{endpoint: "authorization endpoint", method: ar.Method, target: target, header: ar.Header}
	if k.method == "" {
		k.method = http.MethodGet
	}
	if k.method == http.MethodGet || k.method == http.MethodHead {
		k.query = ar.Form.Encode()
	} else {
		k.body = []byte(ar.Form.Encode())
	}
	resp, err := c.do(ctx, k)
	if err != nil {
		return nil, err
	}
	if loc := resp.Header.Get("Location"); loc != "" && resp.Status >= 300 && resp.Status < 400 {
		res, err := Redirect(resp, loc)
		if err != nil {
			return res, fmt.Errorf("driver: authorization endpoint answered %d with a Location that is not a URL: %w", resp.Status, err)
		}
		return res, nil
	}
	res := &AuthorizeResult{Response: resp, Query: url.Values{}, Fragment: url.Values{}}
	if resp.Status >= 400 {
		return res, newOAuthError(k.endpoint, resp)
	}
	return res, nil
}

// Redirect returns the authorization result of a redirect to location (RFC 6749 §4.1.2, §4.1.2.1): the
// Location of resp, or the URL a browser was sent to after a user signed in at a login page that resp
// led to. Its parameters come from the query and, if absent there, the fragment.
func Redirect(resp *Response, location string) (*AuthorizeResult, error) {
	res := &AuthorizeResult{Response: resp, Query: url.Values{}, Fragment: url.Values{}}
	base := ""
	if resp != nil {
		base = resp.URL
	}
	u, err := parseLocation(base, location)
	if err != nil {
		return res, err
	}
	res.Redirected = true
	res.Location = u
	res.Query = u.Query()
	if frag := u.EscapedFragment(); frag != "" {
		if v, err := url.ParseQuery(frag); err == nil {
			res.Fragment = v
		}
	}
	res.Code = res.Param("code")
	res.State = res.Param("state")
	res.ExpiresIn = res.Param("expires_in")
	res.Error = res.Param("error")
	res.ErrorDescription = res.Param("error_description")
	return res, nil
}

// parseLocation parses a Location header value and resolves it against the request URL (RFC 9110
// §10.2.2 allows a relative reference).
func parseLocation(requestURL, loc string) (*url.URL, error) {
	u, err := url.Parse(loc)
	if err != nil {
		return nil, err
	}
	if base, err := url.Parse(requestURL); err == nil {
		u = base.ResolveReference(u)
	}
	return u, nil
}

// RevokeRequest is a request to the revocation endpoint (RFC 7009 §2.1).
type RevokeRequest struct {
	// Form is the body, e.g. token=… (RFC 7009 §2.1; RingCentral prefers the body).
	Form Form
	// Query is sent in the query string; RingCentral also accepts token there.
	Query Form
	// Auth authenticates the client as at the token endpoint; nil sends no client credentials.
	Auth ClientAuth
	// ContentType is application/x-www-form-urlencoded by default.
	ContentType string
	// RawBody, if non-nil, is sent verbatim instead of the encoded form.
	RawBody []byte
	// Header holds extra headers.
	Header http.Header
}

// Revoke sends a revocation request. RFC 7009 §2.2 answers 200 even for an unknown token; any non-2xx
// answer is returned as (response, *OAuthError).
func (c *Client) Revoke(ctx context.Context, rr RevokeRequest) (*Response, error) {
	target, err := c.endpoint("revocation endpoint", c.ep.Revocation)
	if err != nil {
		return nil, err
	}
	form, header, err := c.applyAuth(rr.Auth, rr.Form, rr.Header)
	if err != nil {
		return nil, err
	}
	k := call{
		endpoint:    "revocation endpoint",
		method:      http.MethodPost,
		target:      target,
		query:       rr.Query.Encode(),
		header:      header,
		body:        bodyOf(form, rr.RawBody),
		contentType: rr.ContentType,
	}
	return c.send(ctx, k)
}

// applyAuth returns copies of form and header with the client authenticated by auth as at the token
// endpoint (RFC 6749 §2.3; RFC 7523 §2.2 assertions name the token endpoint as their audience and are
// dated by the target's clock). A nil auth sends no client credentials. The caller's form and header are
// never changed.
func (c *Client) applyAuth(auth ClientAuth, form Form, header http.Header) (Form, http.Header, error) {
	form = form.Clone()
	header = header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if auth != nil {
		if err := auth.Apply(&AuthTarget{Header: header, Form: &form, Audience: c.TokenURL(), Now: c.now}); err != nil {
			return nil, nil, err
		}
	}
	return form, header, nil
}

// send sends k and turns a non-2xx response into an *OAuthError, keeping the response.
func (c *Client) send(ctx context.Context, k call) (*Response, error) {
	resp, err := c.do(ctx, k)
	if err != nil {
		return nil, err
	}
	if !success(resp.Status) {
		return resp, newOAuthError(k.endpoint, resp)
	}
	return resp, nil
}

// APIRequest is a bearer-authenticated call of an API resource (RFC 6750 §2.1), used to check whether
// an access token still works.
type APIRequest struct {
	// Path is the resource, e.g. AccountPath.
	Path string
	// AccessToken is sent as "Authorization: <TokenType> <AccessToken>". Empty sends no Authorization
	// header (RFC 6750 §3.1: no error attributes are expected then).
	AccessToken string
	// TokenType is the scheme, "Bearer" by default; "bearer" tests case-insensitive matching
	// (RFC 6750 §2.1, RFC 9110 §11.1).
	TokenType string
	// Authorization, if set, is sent verbatim as the Authorization header instead (malformed-header
	// tests).
	Authorization string
	// Method is GET by default.
	Method string
	// Header holds extra headers.
	Header http.Header
}

// API calls an API resource. A non-2xx answer is (response, *OAuthError); RingCentral's 401 bodies have
// a top-level errorCode and message and an errors[] array.
func (c *Client) API(ctx context.Context, ar APIRequest) (*Response, error) {
	header := ar.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	switch {
	case ar.Authorization != "":
		header.Set("Authorization", ar.Authorization)
	case ar.AccessToken != "":
		scheme := ar.TokenType
		if scheme == "" {
			scheme = "Bearer"
		}
		header.Set("Authorization", scheme+" "+ar.AccessToken)
	}
	method := ar.Method
	if method == "" {
		method = http.MethodGet
	}
	k := call{endpoint: method + " " + pathOf(ar.Path), method: method, target: ar.Path, header: header}
	return c.send(ctx, k)
}

// WSTokenInfo is RingCentral's WsTokenResponse (OpenAPI authWsToken; DOCS
// notifications/websockets/subscribing.md): a short-lived, single-use token for RingCentral's WebSocket
// gateway at URI.
type WSTokenInfo struct {
	WSAccessToken string `json:"ws_access_token"`
	URI           string `json:"uri,omitempty"`
	ExpiresIn     int64  `json:"expires_in"`
}

// WSTokenResult is the answer of a WebSocket token request that got an HTTP response.
type WSTokenResult struct {
	Response *Response
	// Token is the parsed WsTokenResponse; nil unless the status was 2xx and the body had a ws_access_token.
	Token *WSTokenInfo
}

// WSToken requests a WebSocket access token (POST /restapi/oauth/wstoken, OpenAPI authWsToken) with the
// bearer access token of ar (ar.Path and ar.Method are ignored). It returns (result, nil) for a 2xx answer
// with a ws_access_token; (result, *MalformedResponseError) for a 2xx answer without one; (result,
// *OAuthError) for any other status, such as a 401 for a bad access token or a 403 for an app without the
// WebSocket permission; and (nil, *TransportError) when no response arrived.
func (c *Client) WSToken(ctx context.Context, ar APIRequest) (*WSTokenResult, error) {
	ar.Path, ar.Method = WSTokenPath, http.MethodPost
	resp, err := c.API(ctx, ar)
	if resp == nil {
		return nil, err
	}
	res := &WSTokenResult{Response: resp}
	if err != nil {
		return res, err
	}
	j := resp.JSON()
	if tok := j.Get("ws_access_token"); tok.Type != gjson.String || tok.Str == "" {
		return res, &MalformedResponseError{Response: resp, Reason: "ws_access_token is missing"}
	}
	res.Token = &WSTokenInfo{WSAccessToken: j.Get("ws_access_token").Str, URI: j.Get("uri").String(), ExpiresIn: j.Get("expires_in").Int()}
	return res, nil
}

func pathOf(target string) string {
	if u, err := url.Parse(target); err == nil && u.Path != "" {
		return u.Path
	}
	return target
}

// Get fetches a public document such as the OpenID Provider configuration (DiscoveryPath) or the
// JWKS (JWKSPath). path may also be an absolute URL. A non-2xx answer is (response, *OAuthError).
func (c *Client) Get(ctx context.Context, path string) (*Response, error) {
	k := call{endpoint: "GET " + pathOf(path), method: http.MethodGet, target: path}
	return c.send(ctx, k)
}

// DeviceAuthorization sends a device authorization request (RFC 8628 §3.1) to the target's device
// authorization endpoint (the mock's DeviceAuthorizationPath by default). A non-2xx answer is (response,
// *OAuthError).
func (c *Client) DeviceAuthorization(ctx context.Context, form Form, auth ClientAuth) (*Response, error) {
	return c.postForm(ctx, "device authorization endpoint", c.ep.DeviceAuthorization, form, auth)
}

// Introspect sends an introspection request (RFC 7662 §2.1: POST with token and an optional
// token_type_hint, the client authenticated as at the token endpoint) to the target's introspection
// endpoint. A non-2xx answer is (response, *OAuthError); a 200 answer's body is the introspection response
// (RFC 7662 §2.2), whose "active" member says whether the token is active.
func (c *Client) Introspect(ctx context.Context, form Form, auth ClientAuth) (*Response, error) {
	return c.postForm(ctx, "introspection endpoint", c.ep.Introspection, form, auth)
}

// postForm posts form to the endpoint name at at, with the client authenticated by auth as at the token
// endpoint (RFC 8628 §3.1 and RFC 7662 §2.1 both refer to RFC 6749 §2.3).
func (c *Client) postForm(ctx context.Context, name, at string, form Form, auth ClientAuth) (*Response, error) {
	target, err := c.endpoint(name, at)
	if err != nil {
		return nil, err
	}
	form, header, err := c.applyAuth(auth, form, nil)
	if err != nil {
		return nil, err
	}
	k := call{endpoint: name, method: http.MethodPost, target: target, header: header, body: []byte(form.Encode())}
	return c.send(ctx, k)
}
