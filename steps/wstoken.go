package steps

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/tidwall/gjson"

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
		r.resp = res.Response
	}
	w.setResult(r)
	return nil
}

// wsTokenIssued checks a WsTokenResponse (OpenAPI authWsToken): HTTP 200, a ws_access_token that is none of
// the scenario's access tokens, a positive expires_in, and, when present, a uri of the WebSocket gateway
// (ws or wss, DOCS subscribing.md: "wss://servername.ringcentral.com/ws").
func (w *world) wsTokenIssued() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	if r.resp == nil || r.resp.Status != 200 || r.err != nil {
		return fmt.Errorf("no WebSocket token: %s", r.describe())
	}
	body := r.resp.JSON()
	var p problems
	ws := body.Get("ws_access_token").String()
	switch {
	case ws == "":
		p.addf("ws_access_token is missing or empty")
	case slices.ContainsFunc(w.tokens, func(t *driver.TokenInfo) bool { return t.AccessToken == ws }):
		p.addf("ws_access_token is an access token of this scenario; want a token of its own")
	}
	if n := body.Get("expires_in"); n.Type != gjson.Number || n.Int() <= 0 {
		p.addf("expires_in %s; want a positive number of seconds", n.Raw)
	}
	if uri := body.Get("uri"); uri.Exists() {
		if u, err := url.Parse(uri.String()); err != nil || (u.Scheme != "wss" && u.Scheme != "ws") || u.Host == "" {
			p.addf("uri %s; want a ws:// or wss:// URL of the WebSocket gateway", uri.Raw)
		}
	}
	return p.err(r)
}
