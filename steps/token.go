package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/driver"
)

// tokenOptions changes how a token request is sent, for the negative scenarios on the transport.
type tokenOptions struct {
	method      string // GET instead of POST
	asJSON      bool   // a JSON body instead of a form
	contentType string
	rawBody     []byte
	queryCreds  bool // the app's client_id and client_secret in the query string instead of its authentication
}

func (v *vocabulary) tokens() {
	w := v.w
	g := `(` + grantNames + `)`
	v.sc.Step(v.re(`^the app requests a token with the `+g+` grant$`), w.requestGrant)
	v.sc.Step(v.re(`^the app requests a token with the `+g+` grant and (\w+) "([^"]*)"$`), w.tokenWithParam)
	v.sc.Step(v.re(`^the app requests a token with the `+g+` grant and (\w+) ([^"\s]\S*)$`), w.tokenWithParam)
	v.sc.Step(v.re(`^the app requests a token with the `+g+` grant with these parameters:$`), w.tokenWithTable)
	v.sc.Step(v.re(`^the app requests a token with the `+g+` grant without (\w+)$`), w.tokenWithout)
	v.sc.Step(v.re(`^the app requests a token with the `+g+` grant with (\w+) empty$`), w.tokenWithEmpty)
	v.sc.Step(v.re(`^the app requests a token with the `+g+` grant with (\w+) duplicated$`), w.tokenWithDuplicate)
	v.sc.Step(v.re(`^the app sends the `+g+` grant request (as JSON|with GET|with its client credentials in the query string)$`), w.tokenMisSent)
	v.sc.Step(v.re(`^the app sends a token request with content type "([^"]*)" and body "([^"]*)"$`), w.rawTokenRequest)
	v.sc.Step(v.re(`^the app requests a token with the `+g+` grant (\d+) times$`), w.repeatToken)

	v.sc.Step(v.re(`^the app refreshes the token$`), w.refreshLatest)
	v.sc.Step(v.re(`^the app refreshes with the first refresh token$`), w.refreshWithFirst)
	v.sc.Step(v.re(`^the (`+appNames+`) app refreshes the token$`), w.refreshAsApp)
	v.sc.Step(v.re(`^the app refreshes the token (\d+) times at once$`), w.concurrentRefresh)
	v.sc.Step(v.re(`^the app presents the access token as a refresh token$`), w.accessTokenAsRefresh)
}

// requestGrant sends the grant's passing request.
func (w *world) requestGrant(ctx context.Context, grant string) (err error) {
	defer w.verdict(&err)
	return w.tokenStep(ctx, grant, nil, tokenOptions{})
}

// tokenWithout drops one parameter from the grant's passing request.
func (w *world) tokenWithout(ctx context.Context, grant, param string) (err error) {
	defer w.verdict(&err)
	return w.tokenStep(ctx, grant, func(f *driver.Form) error {
		if !f.Has(param) {
			return fmt.Errorf("the %s grant's request has no %s to drop (it has %s)", grant, param, f.String())
		}
		f.Del(param)
		return nil
	}, tokenOptions{})
}

// tokenWithEmpty sends one parameter of the grant's passing request with an empty value.
func (w *world) tokenWithEmpty(ctx context.Context, grant, param string) (err error) {
	defer w.verdict(&err)
	return w.tokenStep(ctx, grant, func(f *driver.Form) error { f.Set(param, ""); return nil }, tokenOptions{})
}

// tokenWithDuplicate sends one parameter of the grant's passing request twice.
func (w *world) tokenWithDuplicate(ctx context.Context, grant, param string) (err error) {
	defer w.verdict(&err)
	return w.tokenStep(ctx, grant, func(f *driver.Form) error {
		if !f.Has(param) {
			return fmt.Errorf("the %s grant's request has no %s to duplicate", grant, param)
		}
		f.Add(param, f.Get(param))
		return nil
	}, tokenOptions{})
}

// tokenMisSent sends the grant's passing request as a JSON body or with GET (RFC 6749 §3.2, §4.1.3).
func (w *world) tokenMisSent(ctx context.Context, grant, how string) (err error) {
	defer w.verdict(&err)
	opts := tokenOptions{asJSON: how == "as JSON", queryCreds: how == "with its client credentials in the query string"}
	if how == "with GET" {
		opts.method = http.MethodGet
	}
	return w.tokenStep(ctx, grant, nil, opts)
}

// refreshLatest refreshes with the latest refresh token (RFC 6749 §6); without a token yet it first signs
// the user in with the grant the app uses. A refresh with a parameter changed or added is "the app requests
// a token with the refresh token grant and …", the sentence every grant's altered requests share.
func (w *world) refreshLatest(ctx context.Context) (err error) {
	defer w.verdict(&err)
	return w.refresh(ctx, "latest", nil)
}

// refreshWithFirst refreshes with the refresh token of the scenario's first token response, which a later
// refresh has replaced (the refresh grace and reuse scenarios).
func (w *world) refreshWithFirst(ctx context.Context) (err error) {
	defer w.verdict(&err)
	return w.refresh(ctx, "first", nil)
}

// refreshAsApp presents the latest refresh token as another app (RFC 6749 §6: the refresh token is bound
// to the client it was issued to).
func (w *world) refreshAsApp(ctx context.Context, app string) (err error) {
	defer w.verdict(&err)
	rt, err := w.refreshTokenFor(ctx, "latest")
	if err != nil {
		return err
	}
	if err := w.useApp(app); err != nil {
		return err
	}
	_, err = w.requestTokenWith(ctx, "refresh_token", driver.NewForm("refresh_token", rt), tokenOptions{})
	return err
}

// tokenStep is a When step: it sends the request and keeps the outcome for the Then steps; only a
// failure to build the request fails the step.
func (w *world) tokenStep(ctx context.Context, grant string, alter func(*driver.Form) error, opts tokenOptions) error {
	_, err := w.requestToken(ctx, grant, alter, opts)
	return err
}

// requestToken sends the grant's passing request, altered by alter, and records the result. alter sees
// the whole request, grant_type included, so that grant_type can be dropped, emptied, duplicated or
// replaced like any other parameter.
func (w *world) requestToken(ctx context.Context, grant string, alter func(*driver.Form) error, opts tokenOptions) (*result, error) {
	g, ok := grants[grant]
	if !ok {
		return nil, fmt.Errorf("unknown grant %q", grant)
	}
	w.signer = 0
	params, err := g.build(ctx, w)
	if err != nil {
		return nil, err
	}
	form := withGrantType(g.grantType, params)
	if alter != nil {
		if err := alter(&form); err != nil {
			return nil, err
		}
	}
	su := g.singleUse
	carries := su.param != "" && carriesOnce(form, su.param, w.profile.Value(su.variable))
	if carries {
		if err := w.checkUnspent(su.variable); err != nil {
			return nil, err
		}
	}
	r, err := w.sendTokenForm(ctx, form, opts)
	if carries && r != nil && r.token != nil {
		w.spendCredential(su.variable)
	}
	return r, err
}

// carriesOnce reports whether form sends param exactly once, with value: only such a request can spend a
// single-use credential.
func carriesOnce(form driver.Form, param, value string) bool {
	n := 0
	for _, p := range form {
		if p.Key == param {
			if p.Value != value || value == "" {
				return false
			}
			n++
		}
	}
	return n == 1
}

// withGrantType is the form grant_type=grantType followed by params.
func withGrantType(grantType string, params driver.Form) driver.Form {
	form := driver.NewForm("grant_type", grantType)
	for _, p := range params {
		form.Add(p.Key, p.Value)
	}
	return form
}

// requestTokenWith sends grant_type=grantType with params, authenticated as the scenario's app.
func (w *world) requestTokenWith(ctx context.Context, grantType string, params driver.Form, opts tokenOptions) (*result, error) {
	return w.sendTokenForm(ctx, withGrantType(grantType, params), opts)
}

// sendTokenForm sends a complete token request form, authenticated as the scenario's app.
func (w *world) sendTokenForm(ctx context.Context, form driver.Form, opts tokenOptions) (*result, error) {
	if err := w.unadvertised("grant", form.Get("grant_type")); err != nil {
		return nil, err
	}
	auth, err := w.clientAuth()
	if err != nil {
		return nil, err
	}
	req := driver.TokenRequest{Form: form, Auth: auth, Method: opts.method, ContentType: opts.contentType, RawBody: opts.rawBody}
	if opts.queryCreds {
		// RFC 6749 §2.3.1: client credentials "MUST NOT be included in the request URI"; a server that
		// honours them there invites them into logs and browser history (RFC 9700 §4.3.2).
		a, err := w.currentApp()
		if err != nil {
			return nil, err
		}
		if a.secret == "" {
			return nil, fmt.Errorf("the %s app has no client secret to send in the query string", a.spec.name)
		}
		req.Auth, req.Query = nil, driver.NewForm("client_id", a.id, "client_secret", a.secret)
	}
	if opts.asJSON {
		obj := map[string]string{}
		for _, p := range form {
			obj[p.Key] = p.Value
		}
		req.RawBody, _ = json.Marshal(obj)
		req.ContentType = "application/json"
	}
	spent := w.tokenSpend(form)
	res, err := w.callToken(ctx, req)
	r := tokenResult(form, res, err)
	r.spent = spent
	return w.setResult(r), nil
}

// tokenResult is the result of a token request that sent form.
func tokenResult(form driver.Form, res *driver.TokenResult, err error) *result {
	r := &result{what: whatToken, err: err, grantType: form.Get("grant_type")}
	if r.grantType == "refresh_token" {
		r.presented = form.Get("refresh_token")
	}
	if res != nil {
		r.resp, r.token = res.Response, res.Token
	}
	return r
}

// tokenWithParam sends the grant's passing token request with one parameter set to the value (replacing the
// grant's own), quoted or as one word.
func (w *world) tokenWithParam(ctx context.Context, grant, param, value string) (err error) {
	defer w.verdict(&err)
	return w.tokenStep(ctx, grant, func(f *driver.Form) error { f.Set(param, value); return nil }, tokenOptions{})
}

// tokenWithTable sends the grant's passing token request with the table's parameters set (| parameter |
// value |, a header row optional).
func (w *world) tokenWithTable(ctx context.Context, grant string, table *godog.Table) (err error) {
	defer w.verdict(&err)
	return w.tokenStep(ctx, grant, func(f *driver.Form) error {
		for i, row := range table.Rows {
			if len(row.Cells) != 2 {
				return fmt.Errorf("row %d: want | parameter | value |", i+1)
			}
			if i == 0 && row.Cells[0].Value == "parameter" {
				continue
			}
			f.Set(row.Cells[0].Value, row.Cells[1].Value)
		}
		return nil
	}, tokenOptions{})
}

// rawTokenRequest is the explicit raw-request step for malformed input: the body is sent verbatim with
// the given content type, authenticated as the app.
func (w *world) rawTokenRequest(ctx context.Context, contentType, body string) (err error) {
	defer w.verdict(&err)
	auth, err := w.clientAuth()
	if err != nil {
		return err
	}
	res, err := w.callToken(ctx, driver.TokenRequest{Auth: auth, ContentType: contentType, RawBody: []byte(body)})
	w.setResult(tokenResult(nil, res, err))
	return nil
}

// repeatToken sends the same grant request n times in a row (sessions, rate limits); every outcome is kept
// in the batch and the last is the current result.
func (w *world) repeatToken(ctx context.Context, grant string, n int) (err error) {
	defer w.verdict(&err)
	if n < 1 || n > 50 {
		return fmt.Errorf("repeat count %d out of range 1..50", n)
	}
	w.batch = nil
	for range n {
		r, err := w.requestToken(ctx, grant, nil, tokenOptions{})
		if err != nil {
			return err
		}
		w.batch = append(w.batch, r)
	}
	return nil
}

// refresh uses the named token response's refresh token with the refresh grant, altered by alter.
func (w *world) refresh(ctx context.Context, which string, alter func(*driver.Form) error) error {
	rt, err := w.refreshTokenFor(ctx, which)
	if err != nil {
		return err
	}
	params := driver.NewForm("refresh_token", rt)
	if alter != nil {
		if err := alter(&params); err != nil {
			return err
		}
	}
	_, err = w.requestTokenWith(ctx, "refresh_token", params, tokenOptions{})
	return err
}

// accessTokenAsRefresh sends the latest access token in the refresh grant's refresh_token parameter: the
// two kinds of token are not interchangeable (RFC 6749 §1.5, §6), so the token endpoint must refuse it.
func (w *world) accessTokenAsRefresh(ctx context.Context) (err error) {
	defer w.verdict(&err)
	if len(w.tokens) == 0 {
		if err := w.signIn(ctx); err != nil {
			return err
		}
	}
	t, err := w.latestToken()
	if err != nil {
		return err
	}
	_, err = w.requestTokenWith(ctx, "refresh_token", driver.NewForm("refresh_token", t.AccessToken), tokenOptions{})
	return err
}

// concurrentRefresh presents the latest refresh token n times at once, as parallel SDK instances might.
func (w *world) concurrentRefresh(ctx context.Context, n int) (err error) {
	defer w.verdict(&err)
	if n < 2 || n > 20 {
		return fmt.Errorf("concurrency %d out of range 2..20", n)
	}
	rt, err := w.refreshTokenFor(ctx, "latest")
	if err != nil {
		return err
	}
	auth, err := w.clientAuth()
	if err != nil {
		return err
	}
	form := driver.NewForm("grant_type", "refresh_token", "refresh_token", rt)
	spent := w.tokenSpend(form)
	if !w.onMock() {
		// The n requests go at once, so they are paced as one burst rather than one by one (pacing.go).
		if err := w.s.pacer.burst(ctx, spent.Budget, n); err != nil {
			return err
		}
	}
	answers := make([]*result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := w.client.Token(ctx, driver.TokenRequest{Form: form, Auth: auth})
			answers[i] = tokenResult(form, res, err)
			answers[i].spent = spent
		}()
	}
	wg.Wait()
	for _, r := range answers {
		w.countAuth(spent, r.resp, n)
	}
	w.batch = answers
	for _, r := range answers {
		w.setResult(r)
	}
	return nil
}
