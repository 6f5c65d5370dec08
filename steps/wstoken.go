package steps

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/rcoauth/conformance/driver"
)

// WebSocket tokens: POST /restapi/oauth/wstoken (OpenAPI authWsToken, Auth throttling group,
// x-app-permission WebSocket) exchanges an access token for a short-lived, single-use token of RingCentral's
// WebSocket gateway (ringcentral-oauth.md §1.2, §8.5).

func (v *vocabulary) webSocketTokens() {
	w := v.w
	v.sc.Step(v.re(`^the app requests a WebSocket token$`), w.wsTokenStep)
	v.sc.Step(v.re(`^the app requests a WebSocket token with the Authorization header "([^"]*)"$`), w.wsTokenWithHeader)
	v.sc.Step(v.assertion(`^a WebSocket token is issued$`), w.wsTokenIssued)
}

// wsTokenStep requests a WebSocket token with the latest access token.
func (w *world) wsTokenStep(ctx context.Context) (err error) {
	defer w.verdict(&err)
	t, err := w.latestToken()
	if err != nil {
		return err
	}
	return w.requestWSToken(ctx, driver.APIRequest{AccessToken: t.AccessToken})
}

// wsTokenWithHeader requests a WebSocket token with the Authorization header as given.
func (w *world) wsTokenWithHeader(ctx context.Context, header string) (err error) {
	defer w.verdict(&err)
	return w.requestWSToken(ctx, driver.APIRequest{Authorization: header})
}

// requestWSToken sends a WebSocket token request and makes its answer the request's.
func (w *world) requestWSToken(ctx context.Context, req driver.APIRequest) error {
	res, err := send(ctx, w, driver.WSTokenPath, w.tokenSpendOf(req.AccessToken), func() attempt[*driver.WSTokenResult] {
		res, err := w.client.WSToken(ctx, req)
		if res == nil {
			return attempt[*driver.WSTokenResult]{res, nil, err}
		}
		return attempt[*driver.WSTokenResult]{res, res.Response, err}
	})
	r := &result{what: whatWSToken, err: err}
	if res != nil {
		r.resp, r.wsToken = res.Response, res.Token
	}
	w.setResult(r)
	return nil
}

// wsTokenIssued checks documented RingCentral behaviour, a WsTokenResponse (OpenAPI authWsToken): HTTP 200, a
// ws_access_token that is none of the scenario's access tokens, a positive expires_in, and, when present, a
// uri of the WebSocket gateway (ws or wss, DOCS subscribing.md: "wss://servername.ringcentral.com/ws"). The
// driver parses the answer (driver.WSTokenResult.Token).
func (w *world) wsTokenIssued() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	t := r.wsToken
	if r.resp == nil || r.resp.Status != 200 || r.err != nil || t == nil {
		return fmt.Errorf("no WebSocket token (OpenAPI authWsToken): %s", r.describe())
	}
	var p problems
	if slices.ContainsFunc(w.tokens, func(at *driver.TokenInfo) bool { return at.AccessToken == t.WSAccessToken }) {
		p.addf("ws_access_token is an access token of this scenario; want a token of its own (OpenAPI WsTokenResponse)")
	}
	if t.ExpiresIn <= 0 {
		p.addf("expires_in %d; want a positive number of seconds (OpenAPI WsTokenResponse)", t.ExpiresIn)
	}
	if t.URI != "" {
		if u, err := url.Parse(t.URI); err != nil || (u.Scheme != "wss" && u.Scheme != "ws") || u.Host == "" {
			p.addf("uri %q; want a ws:// or wss:// URL of the WebSocket gateway (DOCS subscribing.md)", t.URI)
		}
	}
	return p.err(r)
}
