package steps

import (
	"context"
	"fmt"
	"mime"
	"time"

	"github.com/tidwall/gjson"

	"github.com/rcoauth/conformance/driver"
)

// Token introspection (RFC 7662), where the target serves it: a server described by its metadata names
// its introspection_endpoint; RingCentral removed its /restapi/oauth/introspect after SPEC-2024-04
// (ringcentral-oauth.md §1.2), and the mock, faithful to today's API, serves none. A scenario tagged
// @introspection is skipped with that reason on a target without the endpoint, before it signs anyone in.

const tagIntrospection = "@introspection"

func (v *vocabulary) introspection() {
	w := v.w
	v.sc.Step(v.re(`^the app introspects the (access|refresh) token$`), w.introspectNamed)
	v.sc.Step(v.re(`^the app introspects an unknown token$`), w.introspectUnknown)
	v.sc.Step(v.assertion(`^the introspection says the token is (active|inactive)$`), w.introspectionSays)
	v.sc.Step(v.assertion(`^the introspection names the token's app, scope and expiry$`), w.introspectionNames)
}

// introspectionSkip returns the skip of an @introspection scenario on a target without an introspection
// endpoint, or nil.
func (w *world) introspectionSkip() error {
	if !w.tags[tagIntrospection] || w.client.Endpoints().Introspection != "" {
		return nil
	}
	if w.s.meta == nil {
		return w.skip("needs a token introspection endpoint (RFC 7662): RingCentral removed /restapi/oauth/introspect after SPEC-2024-04 (ringcentral-oauth.md §1.2) and the mock, like today's API, serves none")
	}
	return w.noEndpoint("introspection endpoint", "")
}

// introspectNamed introspects the latest access or refresh token, with the matching token_type_hint
// (RFC 7662 §2.1), authenticated as the scenario's app.
func (w *world) introspectNamed(ctx context.Context, kind string) (err error) {
	defer w.verdict(&err)
	tok, err := w.tokenValue(kind)
	if err != nil {
		return err
	}
	return w.introspect(ctx, driver.NewForm("token", tok, "token_type_hint", kind+"_token"))
}

// introspectUnknown introspects a token the target never issued.
func (w *world) introspectUnknown(ctx context.Context) (err error) {
	defer w.verdict(&err)
	return w.introspect(ctx, driver.NewForm("token", "unknown-"+randomID()))
}

// introspect sends an introspection request (RFC 7662 §2.1) authenticated as the scenario's app, or as
// an earlier sentence chose ("the app authenticates with …").
func (w *world) introspect(ctx context.Context, form driver.Form) error {
	if err := w.introspectionSkip(); err != nil {
		return err
	}
	auth, err := w.clientAuth()
	if err != nil {
		return err
	}
	resp, err := send(ctx, w, "introspection endpoint", w.tokenSpendOf(form.Get("token")), func() attempt[*driver.Response] {
		resp, err := w.client.Introspect(ctx, form, auth)
		return attempt[*driver.Response]{resp, resp, err}
	})
	w.setResult(&result{what: "introspection request", resp: resp, err: err})
	return nil
}

// theIntrospection returns the latest introspection response (RFC 7662 §2.2): HTTP 200 with a JSON object
// whose active member is a boolean.
func (w *world) theIntrospection() (*result, gjson.Result, error) {
	r, err := w.theRequest()
	if err != nil {
		return nil, gjson.Result{}, err
	}
	if r.what != "introspection request" {
		return nil, gjson.Result{}, fmt.Errorf("the latest request is a %s, not an introspection request", r.what)
	}
	if r.resp == nil || r.resp.Status != 200 {
		return nil, gjson.Result{}, fmt.Errorf("want HTTP 200 with an introspection response (RFC 7662 §2.2): %s", r.describe())
	}
	body := r.resp.JSON()
	if a := body.Get("active"); !a.IsBool() {
		return nil, gjson.Result{}, fmt.Errorf("active is %s; want a boolean (RFC 7662 §2.2: REQUIRED): %s", a.Raw, r.describe())
	}
	return r, body, nil
}

// introspectionSays checks RFC 7662 §2.2: a live token is "active": true, and the optional members that
// are present describe it (client_id the app's, exp in the future, by the target's clock); a token that is
// revoked, expired or unknown is "active": false.
func (w *world) introspectionSays(state string) (err error) {
	defer w.verdict(&err)
	r, body, err := w.theIntrospection()
	if err != nil {
		return err
	}
	var p problems
	if want := state == "active"; body.Get("active").Bool() != want {
		p.addf("active is %s; want %v", body.Get("active").Raw, want)
	}
	if state == "active" {
		a, err := w.currentApp()
		if err != nil {
			return err
		}
		if c := body.Get("client_id"); c.Exists() && c.String() != a.id {
			p.addf("client_id %q; want the app's, %q", c.String(), a.id)
		}
		if exp := body.Get("exp"); exp.Exists() && !time.Unix(exp.Int(), 0).After(w.clock.now()) {
			p.addf("exp %s is not in the future (now %d)", exp.Raw, w.clock.now().Unix())
		}
	}
	// RFC 7662 §2.2: "application/json"; unlike a token response (RFC 6749 §5.1) it need not be no-store.
	if mt, _, err := mime.ParseMediaType(r.resp.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		p.addf("Content-Type %q; want application/json (RFC 7662 §2.2)", r.resp.Header.Get("Content-Type"))
	}
	return p.err(r)
}

// introspectionNames checks that the introspection of an active token names its client_id, scope and exp
// (RFC 7662 §2.2 makes each OPTIONAL; a resource server needs them to decide, so the scenarios that ask
// for them are SHOULD-level).
func (w *world) introspectionNames() (err error) {
	defer w.verdict(&err)
	r, body, err := w.theIntrospection()
	if err != nil {
		return err
	}
	var p problems
	for _, k := range []string{"client_id", "scope", "exp"} {
		if !body.Get(k).Exists() {
			p.addf("the introspection response has no %s", k)
		}
	}
	if s := body.Get("scope"); s.Exists() && s.Type != gjson.String {
		p.addf("scope is %s; want a space-separated string (RFC 7662 §2.2)", s.Raw)
	}
	return p.err(r)
}
