package steps

import (
	"context"
	"fmt"

	"github.com/rcoauth/conformance/driver"
)

func (v *vocabulary) revocation() {
	w := v.w
	v.sc.Step(v.re(`^the app revokes the (access|refresh) token( in the query string| in both the body and the query string)?$`), w.revokeNamed)
	v.sc.Step(v.re(`^the app revokes the access token in the body and the refresh token in the query string$`), w.revokeConflicting)
	v.sc.Step(v.re(`^the app revokes (without a token|an unknown token)$`), w.revokeOther)
	v.sc.Step(v.re(`^the (`+appNames+`) app revokes the access token$`), w.revokeAsApp)
	v.sc.Step(v.re(`^the app revokes the (access|refresh) token with token_type_hint (\S+)$`), w.revokeWithHint)
	v.sc.Step(v.assertion(`^the revocation succeeds$`), w.revocationSucceeds)
	v.sc.Step(v.assertion(`^the revocation succeeds or is refused with unsupported_token_type$`), w.revocationSucceedsOrUnsupported)
	v.sc.Step(v.assertion(`^the session is revoked$`), w.sessionRevoked)
}

// revokeNamed revokes the latest access or refresh token in the body (recommended), the query string
// (allowed by OpenAPI revokeToken) or both.
func (w *world) revokeNamed(ctx context.Context, kind, where string) (err error) {
	defer w.verdict(&err)
	switch where {
	case "":
		return w.revokeToken(ctx, kind, "body")
	case " in the query string":
		return w.revokeToken(ctx, kind, "query")
	}
	return w.revokeToken(ctx, kind, "both")
}

// revokeOther sends a revocation request without a token, or with one the target never issued.
func (w *world) revokeOther(ctx context.Context, what string) (err error) {
	defer w.verdict(&err)
	if what == "without a token" {
		return w.revoke(ctx, driver.RevokeRequest{})
	}
	return w.revoke(ctx, driver.RevokeRequest{Form: driver.NewForm("token", "unknown-"+randomID())})
}

// revokeAsApp revokes the latest access token as another app (RFC 7009 §2.1: the server checks that the
// token was issued to the client that asks).
func (w *world) revokeAsApp(ctx context.Context, app string) (err error) {
	defer w.verdict(&err)
	if _, err := w.latestToken(); err != nil {
		return err
	}
	if err := w.useApp(app); err != nil {
		return err
	}
	return w.revokeToken(ctx, "access", "body")
}

// revokeWithHint revokes the latest access or refresh token in the body with a token_type_hint (RFC 7009
// §2.1): the right one, the other one (the server must then extend its search to its other token types),
// or one the server does not know (which it may ignore).
func (w *world) revokeWithHint(ctx context.Context, kind, hint string) (err error) {
	defer w.verdict(&err)
	tok, err := w.tokenValue(kind)
	if err != nil {
		return err
	}
	return w.revoke(ctx, driver.RevokeRequest{Form: driver.NewForm("token", tok, "token_type_hint", hint)})
}

func (w *world) tokenValue(kind string) (string, error) {
	t, err := w.latestToken()
	if err != nil {
		return "", err
	}
	if kind == "refresh" {
		if t.RefreshToken == "" {
			return "", fmt.Errorf("the latest token response has no refresh token to revoke")
		}
		return t.RefreshToken, nil
	}
	return t.AccessToken, nil
}

// revokeToken revokes the latest access or refresh token, in the body (recommended), the query string
// (allowed by OpenAPI revokeToken) or both.
func (w *world) revokeToken(ctx context.Context, kind, where string) error {
	tok, err := w.tokenValue(kind)
	if err != nil {
		return err
	}
	req := driver.RevokeRequest{}
	if where == "body" || where == "both" {
		req.Form = driver.NewForm("token", tok)
	}
	if where == "query" || where == "both" {
		req.Query = driver.NewForm("token", tok)
	}
	return w.revoke(ctx, req)
}

// revokeConflicting sends a revocation request with the access token in the form body and the refresh token
// in the query string, two values of one parameter.
func (w *world) revokeConflicting(ctx context.Context) (err error) {
	defer w.verdict(&err)
	at, err := w.tokenValue("access")
	if err != nil {
		return err
	}
	rt, err := w.tokenValue("refresh")
	if err != nil {
		return err
	}
	return w.revoke(ctx, driver.RevokeRequest{Form: driver.NewForm("token", at), Query: driver.NewForm("token", rt)})
}

// revoke sends a revocation request authenticated as the scenario's app.
func (w *world) revoke(ctx context.Context, req driver.RevokeRequest) error {
	auth, err := w.clientAuth()
	if err != nil {
		return err
	}
	req.Auth = auth
	if err := w.noEndpoint("revocation endpoint", w.client.Endpoints().Revocation); err != nil {
		return err
	}
	resp, err := w.callRevoke(ctx, req)
	w.setResult(&result{what: whatRevocation, resp: resp, err: err})
	return nil
}

// revocationSucceeds checks RFC 7009 §2.2: HTTP 200 (RingCentral sends no body).
func (w *world) revocationSucceeds() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	if r.resp == nil || r.resp.Status != 200 {
		return fmt.Errorf("want HTTP 200 from the revocation endpoint: %s", r.describe())
	}
	return nil
}

// revocationSucceedsOrUnsupported checks the answer to a token_type_hint the server does not know: RFC 7009
// §2.1 lets the server ignore the hint ("An authorization server MAY ignore this parameter"), so HTTP 200,
// or refuse the token's type as one it cannot revoke (§2.2.1 unsupported_token_type, HTTP 400); nothing
// else.
func (w *world) revocationSucceedsOrUnsupported() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	switch {
	case r.resp == nil:
		return fmt.Errorf("want HTTP 200, or 400 unsupported_token_type: %s", r.describe())
	case r.resp.Status == 200:
		return nil
	case r.resp.Status == 400 && r.oauthError().Err == "unsupported_token_type":
		return nil
	}
	return fmt.Errorf("want HTTP 200 (the hint ignored) or 400 unsupported_token_type (RFC 7009 §2.2.1): %s", r.describe())
}

// sessionRevoked checks that the whole session of the latest token is gone (OpenAPI revokeToken:
// "Revokes all active access/refresh tokens and invalidates the OAuth session"): its access token is
// refused by the API and its refresh token by the token endpoint.
func (w *world) sessionRevoked(ctx context.Context) (err error) {
	defer w.verdict(&err)
	t, err := w.latestToken()
	if err != nil {
		return err
	}
	api, err := w.tryAccessToken(ctx, t.AccessToken, "")
	if err != nil {
		return err
	}
	var p problems
	if api.resp == nil || api.resp.Status != 401 {
		p.addf("the access token still works (OpenAPI revokeToken; RFC 7009 §2.1): %s", api.describe())
	}
	if t.RefreshToken != "" {
		r, err := w.requestTokenWith(ctx, "refresh_token", driver.NewForm("refresh_token", t.RefreshToken), tokenOptions{})
		if err != nil {
			return err
		}
		if r.resp == nil || r.resp.Status != 400 || r.oauthError().Err != "invalid_grant" {
			p.addf("the refresh token still works or fails otherwise than invalid_grant (OpenAPI revokeToken; RFC 6749 §5.2): %s", r.describe())
		}
	}
	return p.err(api)
}
