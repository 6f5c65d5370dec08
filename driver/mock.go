package driver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tidwall/gjson"
)

// Paths of the mock's control API. Only an rcmock serves them, and only when its control API is
// enabled; steps use them only when the environment profile says so (RC_MOCK_CONTROL). Every call
// carries the X-Mock-Scenario header, so it affects only the calling scenario's partition.
const (
	// MockClockPath advances the scenario's clock.
	MockClockPath = "/__mock/clock"
	// MockFaultsPath injects (POST) and clears (DELETE) the scenario's faults.
	MockFaultsPath = "/__mock/faults"
	// MockSettingsPath changes the scenario's settings (PATCH).
	MockSettingsPath = "/__mock/settings"
	// MockDeviceApprovePath plays the user who approves a device authorization request.
	MockDeviceApprovePath = "/__mock/device/approve"
	// MockResetPath forgets the scenario's state.
	MockResetPath = "/__mock/reset"
)

// ErrControlDisabled is matched (errors.Is) by the error of a control API call that got a 404: the
// target is not an rcmock, or its control API is disabled.
var ErrControlDisabled = errors.New("driver: the mock control API is disabled")

// Kinds of [Fault]: the shapes a real outage gives an answer (the mock's control API documents them).
const (
	// FaultTruncate cuts the answer short (to Bytes, default half) with a Content-Length that matches.
	FaultTruncate = "truncate"
	// FaultResetMidBody resets the connection after Bytes (default half) of the announced body.
	FaultResetMidBody = "reset_mid_body"
	// FaultHangAfterHeaders sends the headers and Bytes of the body (default none), then nothing more.
	FaultHangAfterHeaders = "hang_after_headers"
	// FaultGzipGarbage labels the answer "Content-Encoding: gzip" without compressing it.
	FaultGzipGarbage = "gzip_garbage"
	// FaultRedirectLoop redirects the request to its own URL.
	FaultRedirectLoop = "redirect_loop"
	// FaultHugeBody answers with a JSON body of Bytes bytes (default 64 MiB).
	FaultHugeBody = "huge_body"
)

// Fault tells the mock to answer the next Count requests to Path with Status, Body and headers
// instead of handling them, optionally after a delay: for retry, 429/503 (RFC 6585 §4, RFC 9110
// §15.6.4) and timeout tests. A Fault with a Kind breaks the answer instead, as a real outage does: the
// endpoint's real answer, unless Status or Body is set.
type Fault struct {
	// Path is the request path the fault applies to, e.g. TokenPath.
	Path string `json:"path"`
	// Count is how many requests the fault affects.
	Count int `json:"count,omitempty"`
	// Kind is one of FaultTruncate, FaultResetMidBody, FaultHangAfterHeaders, FaultGzipGarbage,
	// FaultRedirectLoop and FaultHugeBody, or empty for a plain answer.
	Kind string `json:"kind,omitempty"`
	// Bytes is the kind's length: where to cut the body, or the size of a huge body.
	Bytes int `json:"bytes,omitempty"`
	// Status is the HTTP status to answer with.
	Status int `json:"status,omitempty"`
	// DelayMS delays the answer by this many milliseconds.
	DelayMS int `json:"delay_ms,omitempty"`
	// Body and ContentType are the answer's body and media type.
	Body        string `json:"body,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	// Header holds extra response headers, e.g. Retry-After.
	Header map[string]string `json:"headers,omitempty"`
}

// MockSettings changes the mock's behaviour for the calling scenario where RingCentral's documentation
// leaves a choice. Nil fields are left unchanged.
type MockSettings struct {
	// RateLimit enables the Auth group's rate limit (5 requests per minute; HTTP 429, CMN-301).
	RateLimit *bool `json:"rate_limit,omitempty"`
	// SessionLimitMode is "evict" (a sixth session invalidates the oldest) or "reject" (HTTP 429).
	SessionLimitMode *string `json:"session_limit_mode,omitempty"`
	// RevokeOnCodeReuse revokes the tokens issued from an authorization code when the code is used
	// again (RFC 6749 §4.1.2: SHOULD).
	RevokeOnCodeReuse *bool `json:"revoke_on_code_reuse,omitempty"`
	// UnknownGrantError is the answer to an unknown grant_type: "rfc" (unsupported_grant_type, RFC 6749
	// §5.2) or "ringcentral-text" (invalid_request "Unsupported grant type", as RingCentral's specification
	// text describes it; ringcentral-oauth.md §5.1).
	UnknownGrantError *string `json:"unknown_grant_error,omitempty"`
	// AuthorizeScope is how the authorization endpoint reads scope: "ignore" (as RingCentral documents,
	// login-url-params.inc: the token carries the app's permissions) or "rfc" (RFC 6749 §3.3, §4.1.2.1: the
	// requested scope, a scope the app was not granted refused with invalid_scope).
	AuthorizeScope *string `json:"authorize_scope,omitempty"`
	// IntrospectClientError is the status of a failed client authentication at the introspection
	// endpoint: "spec" (400, the only status SPEC-2024-04 documented) or "rfc" (401 with a Basic
	// challenge, RFC 7662 §2.3).
	IntrospectClientError *string `json:"introspect_client_error,omitempty"`
	// RevokeWithReplacedToken makes a revocation with an access token a refresh replaced end its session
	// (within the mock's grace for replaced tokens); off, it answers 200 without effect. The mock's
	// choice: RingCentral's behaviour is UNVERIFIED.
	RevokeWithReplacedToken *bool `json:"revoke_with_replaced_token,omitempty"`
}

// AdvanceClock moves the scenario's mock clock forward by d, so tokens and codes expire without
// waiting, and returns the mock's new time.
func (c *Client) AdvanceClock(ctx context.Context, d time.Duration) (time.Time, error) {
	resp, err := c.control(ctx, http.MethodPost, MockClockPath, map[string]any{"advance_seconds": d.Seconds()})
	if err != nil {
		return time.Time{}, err
	}
	s := gjson.GetBytes(resp.Body, "now").String()
	now, perr := time.Parse(time.RFC3339Nano, s)
	if perr != nil {
		return time.Time{}, fmt.Errorf("driver: mock control POST %s answered without an RFC 3339 \"now\": %s", MockClockPath, resp.shownBody())
	}
	return now, nil
}

// InjectFault adds a fault for the calling scenario.
func (c *Client) InjectFault(ctx context.Context, f Fault) error {
	if f.Path == "" {
		return errors.New("driver: InjectFault: Fault.Path is empty")
	}
	_, err := c.control(ctx, http.MethodPost, MockFaultsPath, f)
	return err
}

// ClearFaults removes the calling scenario's faults.
func (c *Client) ClearFaults(ctx context.Context) error {
	_, err := c.control(ctx, http.MethodDelete, MockFaultsPath, nil)
	return err
}

// UpdateSettings changes the settings that are set in s and returns all of the scenario's settings as
// the mock reports them.
func (c *Client) UpdateSettings(ctx context.Context, s MockSettings) (map[string]any, error) {
	resp, err := c.control(ctx, http.MethodPatch, MockSettingsPath, s)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return nil, fmt.Errorf("driver: mock control PATCH %s answered with a body that is not a JSON object: %s", MockSettingsPath, resp.shownBody())
	}
	return out, nil
}

// ApproveDevice makes the user with the given login approve (or, with deny, deny) the device
// authorization request with userCode, the user interaction of RFC 8628 §3.3.
func (c *Client) ApproveDevice(ctx context.Context, userCode, login string, deny bool) error {
	body := map[string]any{"user_code": userCode, "login": login, "deny": deny}
	_, err := c.control(ctx, http.MethodPost, MockDeviceApprovePath, body)
	return err
}

// ResetScenario forgets all of the calling scenario's state in the mock: clock, faults, settings,
// sessions and tokens.
func (c *Client) ResetScenario(ctx context.Context) error {
	_, err := c.control(ctx, http.MethodPost, MockResetPath, nil)
	return err
}

// control sends one JSON control request.
func (c *Client) control(ctx context.Context, method, path string, body any) (*Response, error) {
	k := call{endpoint: "mock control " + method + " " + path, method: method, target: path}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("driver: mock control %s %s: %w", method, path, err)
		}
		k.body, k.contentType = b, jsonContentType
	}
	resp, err := c.do(ctx, k)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.Status == http.StatusNotFound:
		return resp, fmt.Errorf("%w: %s %s answered 404 (the target is not an rcmock, or its control API is off)", ErrControlDisabled, method, path)
	case !success(resp.Status):
		return resp, fmt.Errorf("driver: mock control %s %s answered %d: %s", method, path, resp.Status, resp.shownBody())
	}
	return resp, nil
}
