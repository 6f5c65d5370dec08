package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/rcoauth/conformance/driver"
)

func (v *vocabulary) api() {
	w := v.w
	v.step(`^the (access token|first access token|previous access token) works$`, func(ctx context.Context, which string) error {
		return w.tokenWorks(ctx, tokenWhich(which), "Bearer", true)
	})
	v.step(`^the (access token|first access token|previous access token) is rejected$`, func(ctx context.Context, which string) error {
		return w.tokenWorks(ctx, tokenWhich(which), "Bearer", false)
	})
	v.step(`^the access token works with the scheme "(\w+)"$`, func(ctx context.Context, scheme string) error {
		return w.tokenWorks(ctx, "latest", scheme, true)
	})
	v.step(`^the refresh token does not work as an access token$`, w.refreshTokenAsBearer)
	v.step(`^the API identifies the token's owner$`, w.apiIdentifiesOwner)
	v.step(`^an API call without an Authorization header is rejected with (OAU-\d+)$`, func(ctx context.Context, code string) error {
		return w.apiRejectsHeader(ctx, "", code)
	})
	v.step(`^an API call with the Authorization header "([^"]*)" is rejected$`, func(ctx context.Context, header string) error {
		return w.apiRejectsHeader(ctx, header, "")
	})
	v.step(`^the API rejection carries a Bearer challenge with error "(\w+)"$`, w.bearerChallenge)
	v.step(`^the API rejection carries a Bearer challenge without an error$`, func() error { return w.bearerChallenge("") })
	v.webSocketTokens()
}

func tokenWhich(phrase string) string {
	which, _, _ := strings.Cut(phrase, " ")
	if which == "access" {
		return "latest"
	}
	return which
}

// tokenWorks calls /restapi/v1.0/account/~ with the named access token: a working token answers 200; a
// rejected one HTTP 401 with RingCentral's API error body (errorCode and errors[], no `error` member;
// DOCS tokens.md: "If an expired or invalidated token is used, RingCentral rejects the request with an
// 'HTTP 401 Unauthorized' error").
func (w *world) tokenWorks(ctx context.Context, which, scheme string, want bool) error {
	t, err := w.tokenAt(which)
	if err != nil {
		return err
	}
	resp, err := w.callAPI(ctx, driver.APIRequest{Path: driver.AccountPath, AccessToken: t.AccessToken, TokenType: scheme})
	r := w.setAPIResult(resp, err)
	var p problems
	switch {
	case r.resp == nil:
		return fmt.Errorf("%s", r.describe())
	case want && r.resp.Status != 200:
		p.addf("the %s access token was refused with %d; want it to work", which, r.resp.Status)
	case !want && r.resp.Status != 401:
		p.addf("the %s access token answered %d; want 401", which, r.resp.Status)
	case !want:
		body := r.resp.JSON()
		if !body.Get("errors.0.errorCode").Exists() {
			p.addf("401 body has no errors[].errorCode (RingCentral's API error body)")
		}
	}
	return p.err(r)
}

func (w *world) setAPIResult(resp *driver.Response, err error) *result {
	r := &result{what: "API call", resp: resp, err: err}
	w.last = r
	return r
}

// refreshTokenAsBearer presents the refresh token to the API, which must refuse it: refresh tokens are
// for the token endpoint only (RFC 6749 §1.5).
func (w *world) refreshTokenAsBearer(ctx context.Context) error {
	t, err := w.latestToken()
	if err != nil {
		return err
	}
	if t.RefreshToken == "" {
		return fmt.Errorf("the latest token response has no refresh token")
	}
	resp, err := w.callAPI(ctx, driver.APIRequest{Path: driver.AccountPath, AccessToken: t.RefreshToken})
	r := w.setAPIResult(resp, err)
	if r.resp == nil || r.resp.Status != 401 {
		return fmt.Errorf("a refresh token used as a bearer token: want 401, got %s", r.describe())
	}
	return nil
}

// apiIdentifiesOwner checks that /restapi/v1.0/account/~/extension/~ answers for the token's owner_id.
func (w *world) apiIdentifiesOwner(ctx context.Context) error {
	t, err := w.latestToken()
	if err != nil {
		return err
	}
	resp, err := w.callAPI(ctx, driver.APIRequest{Path: driver.ExtensionPath, AccessToken: t.AccessToken})
	r := w.setAPIResult(resp, err)
	if r.resp == nil || r.resp.Status != 200 {
		return fmt.Errorf("extension call: %s", r.describe())
	}
	if id := r.resp.JSON().Get("id").String(); id != t.OwnerID {
		return fmt.Errorf("the extension id is %s; want the token's owner_id %s", id, t.OwnerID)
	}
	return nil
}

// apiRejectsHeader sends an API call with a missing or malformed Authorization header.
func (w *world) apiRejectsHeader(ctx context.Context, header, code string) error {
	req := driver.APIRequest{Path: driver.AccountPath}
	if header != "" {
		req.Authorization = header
	}
	resp, err := w.callAPI(ctx, req)
	r := w.setAPIResult(resp, err)
	var p problems
	if r.resp == nil {
		return fmt.Errorf("%s", r.describe())
	}
	if r.resp.Status != 401 {
		p.addf("status %d; want 401", r.resp.Status)
	}
	if code != "" {
		if got := r.resp.JSON().Get("errors.0.errorCode").String(); got != code {
			p.addf("errors[0].errorCode %q; want %s", got, code)
		}
	}
	return p.err(r)
}

// bearerChallenge checks RFC 6750 §3: a 401 carries WWW-Authenticate: Bearer, with error="invalid_token"
// for a bad token and no error attribute when no credentials were sent.
func (w *world) bearerChallenge(wantErr string) error {
	r, err := w.lastResult()
	if err != nil {
		return err
	}
	if r.resp == nil {
		return fmt.Errorf("no response: %s", r.describe())
	}
	h := r.resp.Header.Get("WWW-Authenticate")
	var p problems
	if !strings.HasPrefix(strings.ToLower(h), "bearer") {
		p.addf("WWW-Authenticate %q; want a Bearer challenge (RFC 6750 §3)", h)
	}
	switch {
	case wantErr == "" && strings.Contains(h, "error="):
		p.addf("WWW-Authenticate %q has an error attribute; RFC 6750 §3.1 wants none when no credentials were sent", h)
	case wantErr != "" && !strings.Contains(h, `error="`+wantErr+`"`):
		p.addf("WWW-Authenticate %q; want error=%q", h, wantErr)
	}
	return p.err(r)
}
