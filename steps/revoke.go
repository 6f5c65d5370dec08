package steps

import (
	"context"
	"fmt"

	"github.com/rcoauth/conformance/driver"
)

func (v *vocabulary) revocation() {
	w := v.w
	v.step(`^the app revokes the (access|refresh) token$`, func(ctx context.Context, kind string) error {
		return w.revokeToken(ctx, kind, "body")
	})
	v.step(`^the app revokes the (access|refresh) token in the query string$`, func(ctx context.Context, kind string) error {
		return w.revokeToken(ctx, kind, "query")
	})
	v.step(`^the app revokes the (access|refresh) token in both the body and the query string$`, func(ctx context.Context, kind string) error {
		return w.revokeToken(ctx, kind, "both")
	})
	v.step(`^the app revokes the access token in the body and the refresh token in the query string$`, w.revokeConflicting)
	v.step(`^the app revokes without a token$`, func(ctx context.Context) error {
		return w.revoke(ctx, driver.RevokeRequest{})
	})
	v.step(`^the app revokes an unknown token$`, func(ctx context.Context) error {
		return w.revoke(ctx, driver.RevokeRequest{Form: driver.NewForm("token", "unknown-"+randomID())})
	})
	v.step(`^the (`+appNames+`) app revokes the access token$`, func(ctx context.Context, app string) error {
		if _, err := w.latestToken(); err != nil {
			return err
		}
		if err := w.useApp(app); err != nil {
			return err
		}
		return w.revokeToken(ctx, "access", "body")
	})
	v.step(`^the revocation succeeds$`, w.revocationSucceeds)
	v.step(`^the session is revoked$`, w.sessionRevoked)
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

func (w *world) revokeConflicting(ctx context.Context) error {
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
	resp, err := w.callRevoke(ctx, req)
	w.setResult(&result{what: "revocation request", resp: resp, err: err})
	return nil
}

// revocationSucceeds checks RFC 7009 §2.2: HTTP 200 (RingCentral sends no body).
func (w *world) revocationSucceeds() error {
	r, err := w.lastResult()
	if err != nil {
		return err
	}
	if r.resp == nil || r.resp.Status != 200 {
		return fmt.Errorf("want HTTP 200 from the revocation endpoint: %s", r.describe())
	}
	return nil
}

// sessionRevoked checks that the whole session of the latest token is gone (OpenAPI revokeToken:
// "Revokes all active access/refresh tokens and invalidates the OAuth session"): its access token is
// refused by the API and its refresh token by the token endpoint.
func (w *world) sessionRevoked(ctx context.Context) error {
	t, err := w.latestToken()
	if err != nil {
		return err
	}
	var p problems
	resp, err := w.callAPI(ctx, driver.APIRequest{Path: driver.AccountPath, AccessToken: t.AccessToken})
	api := &result{what: "API call", resp: resp, err: err}
	if resp == nil || resp.Status != 401 {
		p.addf("the access token still works: %s", api.describe())
	}
	if t.RefreshToken != "" {
		r, err := w.requestTokenWith(ctx, "refresh_token", driver.NewForm("refresh_token", t.RefreshToken), tokenOptions{})
		if err != nil {
			return err
		}
		if r.resp == nil || r.resp.Status != 400 || r.resp.JSON().Get("error").String() != "invalid_grant" {
			p.addf("the refresh token still works or fails oddly: %s", r.describe())
		}
	}
	return p.err(api)
}
