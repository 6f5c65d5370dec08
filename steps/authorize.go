package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rcoauth/conformance/driver"
)

// authorization is the latest authorization request of a scenario and its outcome.
type authorization struct {
	form        driver.Form
	redirectURI string
	state       string
	pkce        *driver.PKCE
	res         *driver.AuthorizeResult
	result      *result // the exchange, for messages
	code        string
}

func (v *vocabulary) authorize() {
	w := v.w
	v.sc.Step(v.re(`^the user authorizes the app$`), w.authorizeApp)
	v.sc.Step(v.re(`^the user authorizes the app with POST$`), w.authorizeWithPOST)
	v.sc.Step(v.re(`^the user authorizes the app with PKCE (S256|plain)$`), w.authorizeWithPKCEMethod)
	v.sc.Step(v.re(`^the user authorizes the app with a PKCE challenge but no method$`), w.authorizeWithoutPKCEMethod)
	v.sc.Step(v.re(`^the user authorizes the app with (\w+) "([^"]*)"$`), w.authorizeWithParam)
	v.sc.Step(v.re(`^the user authorizes the app without (\w+)$`), w.authorizeWithout)
	v.sc.Step(v.re(`^the user authorizes the app with (\w+) duplicated$`), w.authorizeWithDuplicate)
	v.sc.Step(v.re(`^the user authorizes the app with the parameters the JavaScript SDK sends$`), w.authorizeLikeJSSDK)
	v.sc.Step(v.re(`^the user authorizes the app without a PKCE challenge$`), w.authorizeWithoutPKCE)
	v.sc.Step(v.re(`^the user authorizes the app with the registered redirect URI (`+nearMissNames+`)$`), w.authorizeNearMiss)
	v.sc.Step(v.assertion(`^the app is redirected with a code$`), w.redirectedWithCode)
	v.sc.Step(v.assertion(`^the code expires in (\d+) seconds$`), w.codeExpiresIn)
	v.sc.Step(v.assertion(`^the app is redirected with error (\w+)$`), w.redirectedWithError)
	v.sc.Step(v.assertion(`^the app is not redirected$`), w.notRedirected)
	v.sc.Step(v.assertion(`^the redirect carries no state$`), w.redirectWithoutState)
	v.sc.Step(v.assertion(`^the redirect carries no access token$`), w.redirectWithoutToken)
	v.sc.Step(v.re(`^the app exchanges the code(?: again)?$`), w.exchangeTheCode)
	v.sc.Step(v.re(`^the (`+appNames+`) app exchanges the code$`), w.exchangeCodeAsApp)
}

// authorizeApp sends the app's authorization request (RFC 6749 §4.1.1) with GET, as the app is registered
// (client_id, redirect_uri, state, PKCE S256 for an app that needs it), and takes the user's approval: at
// once on the mock, through the profile's sign-in recipe (OAUTH_SIGNIN) elsewhere.
func (w *world) authorizeApp(ctx context.Context) (err error) {
	defer w.verdict(&err)
	return w.authorizeStep(ctx, http.MethodGet, nil)
}

// authorizeWithPOST sends the app's authorization request as a form POST (RFC 6749 §3.1: the server MAY
// support POST).
func (w *world) authorizeWithPOST(ctx context.Context) (err error) {
	defer w.verdict(&err)
	return w.authorizeStep(ctx, http.MethodPost, nil)
}

// authorizeWithPKCEMethod sends the authorization request with a fresh PKCE challenge (RFC 7636 §4.2) by the
// named method; the scenario skips where the metadata does not advertise the method.
func (w *world) authorizeWithPKCEMethod(ctx context.Context, method string) (err error) {
	defer w.verdict(&err)
	return w.authorizeWithPKCE(ctx, method, true)
}

// authorizeWithoutPKCEMethod sends the authorization request with a code_challenge but no
// code_challenge_method, which RFC 7636 §4.3 reads as plain: the challenge is the verifier itself.
func (w *world) authorizeWithoutPKCEMethod(ctx context.Context) (err error) {
	defer w.verdict(&err)
	return w.authorizeWithPKCE(ctx, driver.PKCEPlain, false)
}

// authorizeWithParam sends the authorization request with one parameter set to the value (replacing the
// app's own); a redirect_uri or state set this way is the one the later checks expect back.
func (w *world) authorizeWithParam(ctx context.Context, param, value string) (err error) {
	defer w.verdict(&err)
	return w.authorizeStep(ctx, http.MethodGet, func(a *authorization) {
		a.form.Set(param, value)
		if param == "redirect_uri" {
			a.redirectURI = value
		}
		if param == "state" {
			a.state = value
		}
	})
}

// authorizeWithout sends the authorization request without the named parameter.
func (w *world) authorizeWithout(ctx context.Context, param string) (err error) {
	defer w.verdict(&err)
	return w.authorizeStep(ctx, http.MethodGet, func(a *authorization) {
		a.form.Del(param)
		if param == "state" {
			a.state = ""
		}
	})
}

// authorizeWithDuplicate sends the authorization request with a parameter repeated with the same value (RFC
// 6749 §3.1: parameters must not be included more than once).
func (w *world) authorizeWithDuplicate(ctx context.Context, param string) (err error) {
	defer w.verdict(&err)
	return w.authorizeStep(ctx, http.MethodGet, func(a *authorization) { a.form.Add(param, a.form.Get(param)) })
}

// authorizeWithoutPKCE sends the authorization request without code_challenge and code_challenge_method.
func (w *world) authorizeWithoutPKCE(ctx context.Context) (err error) {
	defer w.verdict(&err)
	return w.authorizeStep(ctx, http.MethodGet, func(a *authorization) {
		a.pkce = nil
		a.form.Del("code_challenge")
		a.form.Del("code_challenge_method")
	})
}

// exchangeTheCode exchanges the latest authorization code for tokens (RFC 6749 §4.1.3) with its redirect URI
// and PKCE verifier; "again" sends the same code a second time. A code exchanged with a parameter changed or
// left out is "the app requests a token with the authorization code grant and …" (or "… without …"), the
// sentence every grant's faulty requests share.
func (w *world) exchangeTheCode(ctx context.Context) (err error) {
	defer w.verdict(&err)
	return w.exchangeCode(ctx)
}

// exchangeCodeAsApp exchanges the code as another app (RFC 6749 §4.1.3: the code is bound to its client).
func (w *world) exchangeCodeAsApp(ctx context.Context, app string) (err error) {
	defer w.verdict(&err)
	if err := w.useApp(app); err != nil {
		return err
	}
	return w.exchangeCode(ctx)
}

// newAuthorization prepares the scenario app's authorization request (RFC 6749 §4.1.1): response_type
// code, client_id, the registered redirect URI, a fresh state, and for the public app a PKCE S256
// challenge (RFC 9700 §2.1.1: public clients use PKCE).
func (w *world) newAuthorization() (*authorization, error) {
	a, err := w.currentApp()
	if err != nil {
		return nil, err
	}
	if err := w.noEndpoint("authorization endpoint", w.client.Endpoints().Authorize); err != nil {
		return nil, err
	}
	vals, err := w.need("RC_REDIRECT_URI")
	if err != nil {
		return nil, err
	}
	az := &authorization{redirectURI: vals[0], state: randomID()}
	az.form = driver.NewForm("response_type", "code", "client_id", a.id, "redirect_uri", az.redirectURI, "state", az.state)
	if scope := w.profile.Value("OAUTH_SCOPE"); scope != "" {
		az.form.Set("scope", scope)
	}
	if a.spec.method == authPublic {
		if err := w.unadvertised("pkce", driver.PKCES256); err != nil {
			return nil, err
		}
		p, err := driver.NewPKCE(driver.PKCES256)
		if err != nil {
			return nil, err
		}
		az.pkce = &p
		az.form.Set("code_challenge", p.Challenge)
		az.form.Set("code_challenge_method", p.Method)
	}
	return az, nil
}

// authorizeStep sends an authorization request, altered by alter, and keeps the outcome. The user's
// approval is automatic on the mock; a real target sends the user to its login page instead, where the
// harness signs in with the profile's recipe (OAUTH_SIGNIN), or, without one, skips the scenario saying so.
func (w *world) authorizeStep(ctx context.Context, method string, alter func(*authorization)) error {
	az, err := w.newAuthorization()
	if err != nil {
		return err
	}
	if alter != nil {
		alter(az)
	}
	return w.sendAuthorization(ctx, method, az)
}

func (w *world) sendAuthorization(ctx context.Context, method string, az *authorization) error {
	res, err := w.callAuthorize(ctx, driver.AuthorizeRequest{Method: method, Form: az.form})
	az.res = res
	r := &result{what: whatAuthorization, err: err}
	if res != nil {
		r.resp = res.Response
		az.code = res.Code
	}
	az.result = r
	w.authz = az
	w.setResult(r)
	if res == nil || az.redirectURI == "" {
		return nil
	}
	loginPage := res.Redirected && res.Location != nil && !sameTarget(res.Location, az.redirectURI)
	if !loginPage && !(err == nil && !res.Redirected && res.Response.Status == 200) {
		return nil
	}
	where := res.Response.URL
	if res.Location != nil {
		where = res.Location.Scheme + "://" + res.Location.Host + res.Location.Path
	}
	switch {
	case w.s.recipe != nil:
		return w.signInByBrowser(ctx, method, az)
	case w.onMock() && !w.profile.Bool("RC_MOCK_LOGIN_PAGE"):
		// The mock without its login page approves at once: anything else is a defect, not a sign-in.
		return fmt.Errorf("the mock sent the user to %s, not to the redirect URI the app sent (%s), without a login page to sign in at\nreceived: %s",
			where, az.redirectURI, r.describe())
	}
	return w.skip("the target sent the user to sign in at %s rather than to the app: set OAUTH_SIGNIN to a sign-in recipe (signin/recipes) for the harness to sign in there", where)
}

// signInByBrowser opens the authorization request in headless Chromium, as a GET or, for a request sent
// with POST (RFC 6749 §3.1), as a form POST, signs the user in and approves as the profile's recipe
// (OAUTH_SIGNIN) says, and takes the redirect to the app that follows as the authorization's outcome
// (RFC 6749 §4.1.2): its code, state or error. The request to the app is captured and never sent. The
// sign-in is bounded by four times the per-request timeout.
func (w *world) signInByBrowser(ctx context.Context, method string, az *authorization) error {
	for _, v := range w.s.recipe.Variables() {
		if _, err := w.need(v); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 4*w.s.timeout)
	defer cancel()
	value := func(v string) string { return w.profile.Value(w.profile.Key(v)) }
	var header map[string]string
	if realm := w.client.Scenario(); realm != "" {
		header = map[string]string{driver.ScenarioHeader: realm} // the mock's realm of the scenario
	}
	var u string
	var err error
	if method == http.MethodPost {
		form := url.Values{}
		for _, p := range az.form {
			form.Add(p.Key, p.Value)
		}
		u, err = w.s.browser.SignInPost(ctx, az.result.resp.URL, form, az.redirectURI, header, w.s.recipe, value)
	} else {
		u, err = w.s.browser.SignIn(ctx, az.result.resp.URL, az.redirectURI, header, w.s.recipe, value)
	}
	if err != nil {
		return w.redact(err)
	}
	res, err := driver.Redirect(az.result.resp, u)
	if err != nil {
		return fmt.Errorf("the browser was sent to %q, which is not a URL: %w", w.client.Redactor().Text(u), err)
	}
	if res.Code != "" {
		w.client.Redactor().AddSecret(res.Code)
	}
	az.res, az.code = res, res.Code
	return nil
}

func (w *world) authorizeWithPKCE(ctx context.Context, method string, sendMethod bool) error {
	if err := w.unadvertised("pkce", method); err != nil {
		return err
	}
	p, err := driver.NewPKCE(method)
	if err != nil {
		return err
	}
	return w.authorizeStep(ctx, http.MethodGet, func(a *authorization) {
		a.pkce = &p
		a.form.Set("code_challenge", p.Challenge)
		if sendMethod {
			a.form.Set("code_challenge_method", p.Method)
		} else {
			a.form.Del("code_challenge_method")
		}
	})
}

// authorizeLikeJSSDK sends the query RingCentral's JS SDK builds in loginUrl(): every optional key present
// with an empty value (ringcentral-oauth.md §8.3).
func (w *world) authorizeLikeJSSDK(ctx context.Context) (err error) {
	defer w.verdict(&err)
	return w.authorizeStep(ctx, http.MethodGet, func(a *authorization) {
		for _, k := range []string{"brand_id", "display", "prompt", "ui_options", "ui_locales", "localeId"} {
			a.form.Add(k, "")
		}
	})
}

// nearMisses derive, from the registered redirect URI, URIs that differ from it in one detail. Each must be
// refused without a redirect: RFC 6749 §3.1.2.3 compares a fully registered URI by simple string
// comparison, and RFC 9700 §2.1 requires exact string matching, so neither a normalisation (case, trailing
// slash) nor a prefix or pattern rule may let one through. Each returns the URI or why it cannot be built.
var nearMisses = map[string]func(u url.URL) (string, error){
	"plus a path segment": func(u url.URL) (string, error) {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/x"
		return u.String(), nil
	},
	"plus a query": func(u url.URL) (string, error) {
		if u.RawQuery != "" {
			u.RawQuery += "&q=1"
		} else {
			u.RawQuery = "q=1"
		}
		return u.String(), nil
	},
	"with a trailing slash added or removed": func(u url.URL) (string, error) {
		if strings.HasSuffix(u.Path, "/") {
			u.Path = strings.TrimSuffix(u.Path, "/")
		} else {
			u.Path += "/"
		}
		return u.String(), nil
	},
	"with an upper-case host": func(u url.URL) (string, error) {
		u.Host = strings.ToUpper(u.Host)
		return u.String(), nil
	},
	"with an upper-case path": func(u url.URL) (string, error) {
		u.Path = strings.ToUpper(u.Path)
		return u.String(), nil
	},
	"with http instead of https": func(u url.URL) (string, error) {
		if u.Scheme != "https" {
			return "", fmt.Errorf("the registered redirect URI's scheme is %q, not https", u.Scheme)
		}
		u.Scheme = "http"
		return u.String(), nil
	},
	"plus a fragment": func(u url.URL) (string, error) {
		u.Fragment = "frag"
		return u.String(), nil
	},
}

const nearMissNames = `plus a path segment|plus a query|with a trailing slash added or removed|with an upper-case host|with an upper-case path|with http instead of https|plus a fragment`

// authorizeNearMiss sends the authorization request with a redirect URI one detail away from the
// registered one (RC_REDIRECT_URI), so the scenario runs unchanged against any target.
func (w *world) authorizeNearMiss(ctx context.Context, how string) (err error) {
	defer w.verdict(&err)
	vals, err := w.need("RC_REDIRECT_URI")
	if err != nil {
		return err
	}
	registered, err := url.Parse(vals[0])
	if err != nil {
		return fmt.Errorf("profile %q: RC_REDIRECT_URI: %w", w.profile.Name(), err)
	}
	uri, err := nearMisses[how](*registered)
	if err != nil {
		return w.skip("cannot build the registered redirect URI %s: %v", how, err)
	}
	if uri == vals[0] {
		return w.skip("the registered redirect URI %s is the same URI (%s)", how, uri)
	}
	return w.authorizeStep(ctx, http.MethodGet, func(a *authorization) {
		a.form.Set("redirect_uri", uri)
		a.redirectURI = uri
	})
}

// sameTarget reports whether loc points at the redirect URI (scheme, host and path), i.e. whether the
// authorization server redirected back to the app.
func sameTarget(loc *url.URL, redirectURI string) bool {
	if loc == nil {
		return false
	}
	want, err := url.Parse(redirectURI)
	if err != nil {
		return false
	}
	return strings.EqualFold(loc.Scheme, want.Scheme) && strings.EqualFold(loc.Host, want.Host) && loc.Path == want.Path
}

func (w *world) currentAuthorization() (*authorization, error) {
	if w.authz == nil || w.authz.res == nil {
		return nil, fmt.Errorf("no authorization request has been answered in this scenario")
	}
	return w.authz, nil
}

// redirectedWithCode checks RFC 6749 §4.1.2: a redirect to the registered URI with code and the state sent,
// and RingCentral's expires_in (auth-code-params.inc).
func (w *world) redirectedWithCode() (err error) {
	defer w.verdict(&err)
	az, err := w.currentAuthorization()
	if err != nil {
		return err
	}
	r := az.result
	var p problems
	res := az.res
	switch {
	case !res.Redirected:
		p.addf("answered %d without a redirect; want a redirect to %s", res.Response.Status, az.redirectURI)
	case !sameTarget(res.Location, az.redirectURI):
		p.addf("redirected to %s; want %s", res.Location.Redacted(), az.redirectURI)
	}
	if res.Code == "" {
		p.addf("the redirect has no code")
	}
	if res.Error != "" {
		p.addf("the redirect carries error=%s (%s)", res.Error, res.ErrorDescription)
	}
	if az.state != "" && res.State != az.state {
		p.addf("state %q; want the state sent, %q (RFC 6749 §4.1.2)", res.State, az.state)
	}
	if res.ExpiresIn == "" && w.vendor() {
		p.addf("the redirect has no expires_in (RingCentral sends the code's remaining lifetime)")
	}
	return p.err(r)
}

// codeExpiresIn checks documented RingCentral behaviour: the redirect's expires_in, the code's remaining
// lifetime in seconds (auth-code-params.inc). The RFCs define no such parameter, so in another dialect the
// step skips rather than pass on nothing.
func (w *world) codeExpiresIn(n int) (err error) {
	defer w.verdict(&err)
	if err := w.vendorOnly("expires_in in the authorization redirect", "DOCS auth-code-params.inc"); err != nil {
		return err
	}
	az, err := w.currentAuthorization()
	if err != nil {
		return err
	}
	if got := az.res.ExpiresIn; got != fmt.Sprint(n) {
		return fmt.Errorf("expires_in=%q in the redirect; want %d (DOCS auth-code-params.inc)\nreceived: %s", got, n, az.result.describe())
	}
	return nil
}

// redirectedWithError checks RFC 6749 §4.1.2.1: an error delivered by redirect to the app, with the state
// echoed when one was sent, and no code.
func (w *world) redirectedWithError(code string) (err error) {
	defer w.verdict(&err)
	az, err := w.currentAuthorization()
	if err != nil {
		return err
	}
	res := az.res
	var p problems
	if !res.Redirected || !sameTarget(res.Location, az.redirectURI) {
		return fmt.Errorf("want a redirect to %s with error=%s: %s", az.redirectURI, code, az.result.describe())
	}
	if res.Error != code {
		p.addf("error=%q; want %q", res.Error, code)
	}
	if res.Code != "" {
		p.addf("the error redirect also carries a code")
	}
	if az.state != "" && res.State != az.state {
		p.addf("state %q; want the state sent, %q (RFC 6749 §4.1.2.1)", res.State, az.state)
	}
	return p.err(az.result)
}

// notRedirected checks RFC 6749 §3.1.2.4 / §4.1.2.1: with an invalid client or redirect URI the
// authorization server must not redirect.
func (w *world) notRedirected() (err error) {
	defer w.verdict(&err)
	az, err := w.currentAuthorization()
	if err != nil {
		return err
	}
	if az.res.Redirected || az.res.Response.Header.Get("Location") != "" {
		return fmt.Errorf("answered %d with Location %q; want no redirect", az.res.Response.Status, az.res.Response.Header.Get("Location"))
	}
	return nil
}

// redirectWithoutState checks RFC 6749 §4.1.2: state is echoed only "if the state parameter was present in
// the client authorization request"; a server must not invent one.
func (w *world) redirectWithoutState() (err error) {
	defer w.verdict(&err)
	az, err := w.currentAuthorization()
	if err != nil {
		return err
	}
	if !az.res.Redirected {
		return fmt.Errorf("want a redirect: %s", az.result.describe())
	}
	if az.res.Query.Has("state") || az.res.Fragment.Has("state") {
		return fmt.Errorf("the redirect carries state=%q, but the request sent none", az.res.State)
	}
	return nil
}

// redirectWithoutToken checks that no access token travels in the redirect to the app, neither in its query
// nor in its fragment: the authorization code grant's response carries a code (RFC 6749 §4.1.2), and RFC
// 9700 §2.1.2 retires the response types that put access tokens into URLs (the implicit grant), where
// browser history, logs and Referer headers leak them (RFC 9700 §4.3.2). An authorization refused without
// a redirect carries none either.
func (w *world) redirectWithoutToken() (err error) {
	defer w.verdict(&err)
	az, err := w.currentAuthorization()
	if err != nil {
		return err
	}
	if !az.res.Redirected {
		return nil
	}
	var p problems
	for _, k := range []string{"access_token", "refresh_token"} {
		if az.res.Query.Has(k) {
			p.addf("the redirect's query carries %s", k)
		}
		if az.res.Fragment.Has(k) {
			p.addf("the redirect's fragment carries %s", k)
		}
	}
	return p.err(az.result)
}

// codeExchangeForm is the authorization code grant's passing request: it authorizes the scenario's app
// when there is no unexchanged code yet, then sends code, redirect_uri and, with PKCE, code_verifier.
func (w *world) codeExchangeForm(ctx context.Context) (driver.Form, error) {
	if w.authz == nil || w.authz.code == "" {
		if err := w.authorizeStep(ctx, http.MethodGet, nil); err != nil {
			return nil, err
		}
		if w.authz.code == "" {
			return nil, fmt.Errorf("authorizing the app to get a code: %s", w.authz.result.describe())
		}
	}
	az := w.authz
	f := driver.NewForm("code", az.code)
	if az.form.Has("redirect_uri") {
		f.Set("redirect_uri", az.form.Get("redirect_uri"))
	}
	if az.pkce != nil {
		f.Set("code_verifier", az.pkce.Verifier)
	}
	return f, nil
}

// exchangeCode exchanges the latest code (RFC 6749 §4.1.3).
func (w *world) exchangeCode(ctx context.Context) error {
	if w.authz == nil || w.authz.code == "" {
		return errors.New("there is no authorization code to exchange: no authorization request of this scenario was answered with a code")
	}
	f, err := w.codeExchangeForm(ctx)
	if err != nil {
		return err
	}
	_, err = w.requestTokenWith(ctx, "authorization_code", f, tokenOptions{})
	return err
}
