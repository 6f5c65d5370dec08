package driver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/go-resty/resty/v2"
)

// Endpoint paths of RingCentral's OAuth 2.0 / OpenID Connect API, relative to the base URL
// (RingCentral OpenAPI specification, tag "OAuth and OIDC").
const (
	// TokenPath is the token endpoint (RFC 6749 §3.2).
	TokenPath = "/restapi/oauth/token"
	// AuthorizePath is the authorization endpoint (RFC 6749 §3.1).
	AuthorizePath = "/restapi/oauth/authorize"
	// RevokePath is the revocation endpoint (RFC 7009 §2).
	RevokePath = "/restapi/oauth/revoke"
	// AccountPath is an API resource used to check whether an access token works (RFC 6750 §2.1).
	AccountPath = "/restapi/v1.0/account/~"
	// ExtensionPath is the current user's extension, another bearer-protected API resource.
	ExtensionPath = "/restapi/v1.0/account/~/extension/~"
	// UserInfoPath is the OpenID Connect UserInfo endpoint (OpenID Connect Core §5.3).
	UserInfoPath = "/restapi/oauth/userinfo"
	// WSTokenPath issues WebSocket access tokens (OpenAPI authWsToken; ringcentral-oauth.md §8.5).
	WSTokenPath = "/restapi/oauth/wstoken"
	// DiscoveryPath is the OpenID Provider configuration (OpenID Connect Discovery §4).
	DiscoveryPath = "/.well-known/openid-configuration"
	// JWKSPath is the JSON Web Key Set of the ID token signing keys (RFC 7517 §5).
	JWKSPath = "/restapi/oauth/jwks"
	// DeviceAuthorizationPath is the device authorization endpoint (RFC 8628 §3.1). RingCentral does not
	// publish one; only the mock serves it.
	DeviceAuthorizationPath = "/restapi/oauth/device"
	// IntrospectPath is where RingCentral's introspection endpoint (RFC 7662 §2) was, from SPEC-2024-03 to
	// SPEC-2024-04 (ringcentral-oauth.md §1.2); it is not among [RingCentralEndpoints], and a target
	// serves it only where its metadata advertises it (the mock, with -introspection).
	IntrospectPath = "/restapi/oauth/introspect"
)

// ScenarioHeader carries [Config.Scenario] on every request: the mock partitions all of its state
// (clock, faults, sessions) by this value, so scenarios can run concurrently against one mock.
const ScenarioHeader = "X-Mock-Scenario"

// DefaultTimeout is the per-request timeout used when [Config.Timeout] is zero.
const DefaultTimeout = 15 * time.Second

// DefaultUserAgent is sent when [Config.UserAgent] is empty.
const DefaultUserAgent = "rcoauth-conformance-driver"

const (
	formContentType = "application/x-www-form-urlencoded"
	jsonContentType = "application/json"
	// maxRecorded bounds a response body in the exchange log, so an enormous answer does not bloat the
	// reports; the Response itself keeps everything read.
	maxRecorded = 64 << 10
)

// Config configures a [Client].
type Config struct {
	// BaseURL is the target's absolute http or https URL, e.g. "https://platform.ringcentral.com".
	BaseURL string
	// Timeout bounds each request, from sending it to having read the whole response. Zero means
	// DefaultTimeout (15s).
	Timeout time.Duration
	// Scenario, when non-empty, is sent as the X-Mock-Scenario header on every request.
	Scenario string
	// Recorder, if set, receives every exchange (failed ones too), redacted.
	Recorder *Recorder
	// Redactor redacts recorded exchanges and error messages. Nil means NewRedactor(nil): structural
	// redaction only, no known secrets, and fingerprints that no other Redactor shares. The Redactors of
	// one run should share the run's Fingerprinter.
	Redactor *Redactor
	// UserAgent is sent as the User-Agent header. Empty means DefaultUserAgent.
	UserAgent string
	// Clock is the target's clock, which dates everything the driver signs (client assertions). Nil means
	// the wall clock; a harness that moves a mock's clock passes the mock's time here, so that assertions
	// are not expired or premature by the target's reckoning.
	Clock func() time.Time
	// MaxResponseBytes bounds how much of a response body the driver reads (after decoding a gzip body);
	// a longer body fails the request with a *BodyError that names the limit. Zero means
	// DefaultMaxResponseBytes (4 MiB).
	MaxResponseBytes int64
	// Endpoints are where the target serves each endpoint; nil means RingCentral's paths
	// ([RingCentralEndpoints]). A target described by its metadata passes [Metadata.Endpoints].
	Endpoints *Endpoints
}

// Client sends requests to one target. It is safe for concurrent use.
type Client struct {
	base     string // BaseURL without a trailing slash
	timeout  time.Duration
	scenario string
	agent    string
	maxBody  int64
	recorder *Recorder
	redactor *Redactor
	now      func() time.Time
	ep       Endpoints
	rc       *resty.Client
}

// New returns a Client for cfg. It fails if BaseURL is not an absolute http or https URL.
//
// The client never follows redirects: a 3xx response is returned as it is (RFC 6749 §4.1.2 makes the
// authorization endpoint's redirect the result under test), so a redirect loop costs one request.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("driver: timeout %v is negative", cfg.Timeout)
	}
	if cfg.MaxResponseBytes < 0 {
		return nil, fmt.Errorf("driver: MaxResponseBytes %d is negative", cfg.MaxResponseBytes)
	}
	c := &Client{
		base:     base,
		timeout:  cfg.Timeout,
		scenario: cfg.Scenario,
		agent:    cfg.UserAgent,
		maxBody:  cfg.MaxResponseBytes,
		recorder: cfg.Recorder,
		redactor: cfg.Redactor,
		now:      cfg.Clock,
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.ep = RingCentralEndpoints()
	if cfg.Endpoints != nil {
		c.ep = *cfg.Endpoints
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.agent == "" {
		c.agent = DefaultUserAgent
	}
	if c.maxBody == 0 {
		c.maxBody = DefaultMaxResponseBytes
	}
	if c.redactor == nil {
		c.redactor = NewRedactor(nil)
	}
	c.rc = resty.New().
		SetTimeout(c.timeout).
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		})).
		SetRetryCount(0).
		SetDisableWarn(true).
		SetLogger(discardLogger{}).
		// The driver reads bodies itself (readBody), so that a body that breaks off, never ends, is too
		// large or cannot be decoded is reported with the status, headers and bytes that did arrive.
		SetDoNotParseResponse(true)
	c.rc.SetTransport(locationKeeper{next: c.rc.GetClient().Transport})
	return c, nil
}

// keptLocation is where locationKeeper keeps a redirect's Location on its way through net/http's client.
const keptLocation = "X-Rcoauth-Driver-Location"

// locationKeeper hides the Location of a 3xx answer from net/http's client, which parses it to follow the
// redirect before asking whether to, and drops the whole answer if it is not a URL. The driver never
// follows redirects, and a malformed Location is something to report; do puts it back.
type locationKeeper struct{ next http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (k locationKeeper) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := k.next.RoundTrip(req)
	if err == nil && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if v, ok := resp.Header["Location"]; ok {
			resp.Header[keptLocation] = v
			delete(resp.Header, "Location")
		}
	}
	return resp, err
}

// CloseIdleConnections closes the idle connections of the transport underneath ([Client.Close]).
func (k locationKeeper) CloseIdleConnections() {
	if c, ok := k.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// Close closes the client's idle keep-alive connections. A Client opened for one scenario should be
// closed when the scenario ends, so connections do not accumulate on the target (and a server shutting
// down is not left waiting for connections that will never carry a request).
func (c *Client) Close() {
	c.rc.GetClient().CloseIdleConnections()
}

func parseBaseURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", errors.New("driver: BaseURL is empty (set RC_SERVER_URL, e.g. https://platform.ringcentral.com)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("driver: BaseURL %q is not a URL: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("driver: BaseURL %q must be an absolute http or https URL", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("driver: BaseURL %q has no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("driver: BaseURL %q must not have user info, a query or a fragment", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// BaseURL returns the target's base URL, without a trailing slash.
func (c *Client) BaseURL() string { return c.base }

// URL returns the absolute URL of path on the target. An absolute http or https URL (such as a
// jwks_uri from the discovery document) is returned unchanged.
func (c *Client) URL(path string) string {
	if u, err := url.Parse(path); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return path
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return c.base + path
}

// TokenURL returns the token endpoint's URL, the default audience of client assertions
// (RFC 7523 §3, item 3).
func (c *Client) TokenURL() string { return c.URL(c.ep.Token) }

// Endpoints returns where the client sends each kind of request.
func (c *Client) Endpoints() Endpoints { return c.ep }

// endpoint returns an endpoint's path or URL, or an error naming the endpoint the target does not have.
func (c *Client) endpoint(name, at string) (string, error) {
	if at == "" {
		return "", fmt.Errorf("driver: the target has no %s (its metadata names none)", name)
	}
	return at, nil
}

// Scenario returns the value sent in the X-Mock-Scenario header, if any.
func (c *Client) Scenario() string { return c.scenario }

// Redactor returns the redactor used for recorded exchanges and error messages.
func (c *Client) Redactor() *Redactor { return c.redactor }

// call is one request to send.
type call struct {
	endpoint    string // how errors name the endpoint: "token endpoint"
	method      string
	target      string // path or absolute URL
	query       string // encoded query string to append
	header      http.Header
	body        []byte // nil: no body
	contentType string
}

// do sends one request, records the exchange and returns the response. A non-nil error is a
// *TransportError (no response was received) or a *BodyError (the status and headers arrived, the body
// could not be read whole).
func (c *Client) do(ctx context.Context, k call) (*Response, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if k.method == "" {
		k.method = http.MethodGet
	}
	u := c.URL(k.target)
	if k.query != "" {
		if strings.Contains(u, "?") {
			u += "&" + k.query
		} else {
			u += "?" + k.query
		}
	}

	header := http.Header{}
	header.Set("Accept", jsonContentType)
	// Go's transport would ask for gzip and decode it out of sight, losing the raw bytes of a body that
	// claims to be gzip and is not; the driver asks for it itself and decodes it in readBody.
	header.Set("Accept-Encoding", "gzip")
	header.Set("User-Agent", c.agent)
	if c.scenario != "" {
		header.Set(ScenarioHeader, c.scenario)
	}
	if k.body != nil {
		ct := k.contentType
		if ct == "" {
			ct = formContentType
		}
		header.Set("Content-Type", ct)
	}
	for key, vs := range k.header {
		key = http.CanonicalHeaderKey(key)
		if len(vs) == 0 {
			header.Del(key)
			continue
		}
		header[key] = append([]string(nil), vs...)
	}

	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req := c.rc.R().SetContext(rctx)
	req.Header = header
	if k.body != nil {
		req.SetBody(k.body)
	}
	start := time.Now()
	rr, err := req.Execute(k.method, u)

	sentHeader := header
	if rr != nil && rr.Request != nil && rr.Request.RawRequest != nil {
		sentHeader = rr.Request.RawRequest.Header
	}
	if err != nil || rr == nil || rr.RawResponse == nil {
		if rr != nil && rr.RawResponse != nil {
			rr.RawResponse.Body.Close()
		}
		if err == nil {
			err = errors.New("no response")
		}
		te := c.transportError(ctx, k.method, u, err)
		c.record(start, k.method, u, sentHeader, k.body, nil, time.Since(start), te.Error())
		return nil, te
	}
	raw := rr.RawResponse
	respHeader := raw.Header
	if respHeader == nil {
		respHeader = http.Header{}
	}
	if v, ok := respHeader[keptLocation]; ok {
		respHeader["Location"] = v
		delete(respHeader, keptLocation)
	}
	body, fault := readBody(respHeader, raw.Body, c.maxBody)
	raw.Body.Close()
	resp := &Response{
		Method:   k.method,
		URL:      u,
		Status:   raw.StatusCode,
		Header:   respHeader,
		Body:     body,
		Duration: time.Since(start),
		redactor: c.redactor,
	}
	if resp.Body == nil {
		resp.Body = []byte{}
	}
	if fault != nil {
		be := c.bodyError(ctx, rctx, resp, fault, c.maxBody)
		c.record(start, k.method, u, sentHeader, k.body, resp, resp.Duration, be.Error())
		return nil, be
	}
	c.record(start, k.method, u, sentHeader, k.body, resp, resp.Duration, "")
	return resp, nil
}

// record stores a redacted exchange. Sensitive values of the whole exchange are learnt first, so a
// token issued in the response is also redacted where it shows up elsewhere.
func (c *Client) record(start time.Time, method, u string, reqHeader http.Header, reqBody []byte, resp *Response, dur time.Duration, errMsg string) {
	if c.recorder == nil {
		return
	}
	red := c.redactor
	var respBody []byte
	var respHeader http.Header
	if resp != nil {
		respBody, respHeader = resp.Body, resp.Header
	}
	red.learn(u, reqHeader, reqBody, respBody)
	red.learn("", respHeader)
	e := Exchange{
		Time:          start,
		Method:        method,
		URL:           red.URL(u),
		RequestHeader: red.Header(reqHeader),
		RequestBody:   red.Body(reqBody),
		Duration:      dur,
		Error:         red.Text(errMsg),
	}
	if resp != nil {
		e.Status = resp.Status
		e.ResponseHeader = red.Header(resp.Header)
		e.ResponseBody = red.redactedPrefix(resp.Body, maxRecorded)
	}
	c.recorder.Record(e)
}

// TransportError means that no HTTP response was received: the connection was refused, the request
// timed out, the host could not be resolved. URL is redacted.
type TransportError struct {
	Method, URL string
	// Err is the underlying error from net/http with its text redacted: net/http's *url.Error quotes the
	// whole request URL, query secrets (codes, tokens, passwords) included, so it is not kept. Err still
	// answers errors.Is for the kinds of failure callers tell apart (context.Canceled,
	// context.DeadlineExceeded, os.ErrDeadlineExceeded, syscall.ECONNREFUSED, syscall.ECONNRESET, io.EOF,
	// io.ErrUnexpectedEOF) and errors.As for *net.DNSError, which names only the host.
	Err     error
	msg     string
	timeout bool
}

// Error says what failed, e.g.
// "driver: POST http://127.0.0.1:1/restapi/oauth/token: connection refused (is the target running?)".
func (e *TransportError) Error() string { return e.msg }

// Unwrap returns the underlying error (redacted, see Err), so errors.Is(err, context.DeadlineExceeded)
// works.
func (e *TransportError) Unwrap() error { return e.Err }

// Timeout reports whether the request timed out.
func (e *TransportError) Timeout() bool { return e.timeout }

func (c *Client) transportError(parent context.Context, method, u string, err error) *TransportError {
	// The URL's sensitive query values become known secrets, so they are caught in whatever form the
	// error quotes them.
	c.redactor.learn(u, nil)
	te := &TransportError{Method: method, URL: c.redactor.URL(u)}
	var detail string
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(parent.Err(), context.Canceled):
		detail = "canceled by the caller"
	case errors.Is(parent.Err(), context.DeadlineExceeded):
		te.timeout = true
		detail = "timed out: the caller's deadline expired"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		te.timeout = true
		detail = "timed out after " + c.timeout.String()
	case errors.Is(err, syscall.ECONNREFUSED):
		detail = "connection refused (is the target running?)"
	case errors.As(err, &dnsErr):
		detail = fmt.Sprintf("cannot resolve host %q (%v)", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		detail = "the connection was closed before a complete response arrived (" + innermost(err).Error() + ")"
	default:
		detail = innermost(err).Error()
	}
	te.Err = c.redactedCause(u, te.URL, err)
	te.msg = fmt.Sprintf("driver: %s %s: %s", method, te.URL, c.redactText(u, te.URL, detail))
	return te
}

// redactText replaces the request URL u by its redacted form and then every known secret in text: an
// error of net/http may quote the URL anywhere in its message.
func (c *Client) redactText(u, redactedURL, text string) string {
	return c.redactor.Text(strings.ReplaceAll(text, u, redactedURL))
}

// causeKinds are the sentinel errors a [TransportError]'s redacted cause keeps, so that callers can still
// tell a timeout, a cancellation, a refused or reset connection apart with errors.Is.
var causeKinds = []error{
	context.Canceled, context.DeadlineExceeded, os.ErrDeadlineExceeded,
	syscall.ECONNREFUSED, syscall.ECONNRESET, io.EOF, io.ErrUnexpectedEOF,
}

// redactedCause returns err's message without secrets, keeping its kind (causeKinds, *net.DNSError) and
// nothing else of the original chain, which may hold the URL.
func (c *Client) redactedCause(u, redactedURL string, err error) error {
	rc := &redactedError{msg: c.redactText(u, redactedURL, innermost(err).Error())}
	for _, k := range causeKinds {
		if errors.Is(err, k) {
			rc.kinds = append(rc.kinds, k)
		}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		// A copy: a DNS error names the host, never the path or query.
		d := *dnsErr
		rc.kinds = append(rc.kinds, &d)
	}
	return rc
}

// redactedError is an error whose message has been redacted; it unwraps only to the kinds of failure
// (sentinel errors) that the original matched, never to the original itself.
type redactedError struct {
	msg   string
	kinds []error
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.kinds }

// innermost strips the *url.Error wrapper, whose message repeats the method and URL.
func innermost(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// discardLogger silences resty; the driver reports everything through its errors and the recorder.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}
