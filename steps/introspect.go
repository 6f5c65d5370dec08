package steps

import (
	"context"
	"fmt"
	"mime"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/rcoauth/conformance/driver"
)

// Token introspection (RFC 7662), where the target serves it, which its metadata says (RFC 8414 §2
// introspection_endpoint): the metadata of the profile's issuer, or for a target known by RingCentral's
// paths its discovery document, read when the first @introspection scenario starts. RingCentral removed its
// /restapi/oauth/introspect after SPEC-2024-04 (ringcentral-oauth.md §1.2), and the mock, faithful to
// today's API, serves none unless started with -introspection (RC_MOCK_INTROSPECTION=true for the embedded
// one), when its discovery document advertises it. A scenario tagged @introspection is skipped with that
// reason on a target without the endpoint, before it signs anyone in.

const tagIntrospection = "@introspection"

// advertised is the introspection endpoint of a target known by RingCentral's paths (no OAUTH_ISSUER), as
// its discovery document advertises it. The document is read once, when the first @introspection scenario
// starts, so that a run that selects none sends no request for it.
type advertised struct {
	once     sync.Once
	endpoint string // introspection_endpoint, or ""
	why      string // why there is none, for the skip
}

// advertisedIntrospection returns the introspection endpoint the target's discovery document advertises
// (RFC 8414 §2 introspection_endpoint, read with the driver's Discover as an issuer's metadata is), or ""
// and why there is none.
func (s *Suite) advertisedIntrospection() (endpoint, why string) {
	a := &s.introspection
	a.once.Do(func() {
		m, err := fetchMetadata(s.cfg.Target.URL, s.timeout)
		switch {
		case err != nil:
			a.why = "its discovery document could not be read: " + strings.Join(strings.Fields(err.Error()), " ")
		case m.IntrospectionEndpoint == "":
			a.why = "no introspection_endpoint in its discovery document " + m.Source
		default:
			a.endpoint = m.IntrospectionEndpoint
		}
	})
	return a.endpoint, a.why
}

// endpoints returns where the scenario's driver sends each request: where the metadata says, for a profile
// that names an issuer; otherwise RingCentral's paths (nil), with the introspection endpoint the target
// advertises for an @introspection scenario.
func (w *world) endpoints() *driver.Endpoints {
	if m := w.s.meta; m != nil {
		e := m.Endpoints()
		return &e
	}
	if !w.tags[tagIntrospection] {
		return nil
	}
	at, _ := w.s.advertisedIntrospection()
	if at == "" {
		return nil
	}
	e := driver.RingCentralEndpoints()
	e.Introspection = at
	return &e
}

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
		_, why := w.s.advertisedIntrospection()
		return w.skip("needs a token introspection endpoint (RFC 7662), which %s does not advertise (%s): RingCentral removed /restapi/oauth/introspect after SPEC-2024-04 (ringcentral-oauth.md §1.2) and the mock, like today's API, serves none unless started with -introspection (RC_MOCK_INTROSPECTION=true)", w.s.cfg.Target.URL, why)
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
	resp, err := send(ctx, w, driver.IntrospectPath, w.tokenSpendOf(form.Get("token")), func() attempt[*driver.Response] {
		resp, err := w.client.Introspect(ctx, form, auth)
		return attempt[*driver.Response]{resp, resp, err}
	})
	w.setResult(&result{what: whatIntrospection, resp: resp, err: err})
	return nil
}

// theIntrospection returns the latest introspection response (RFC 7662 §2.2): HTTP 200 with a JSON object
// whose active member is a boolean.
func (w *world) theIntrospection() (*result, gjson.Result, error) {
	r, err := w.theRequest()
	if err != nil {
		return nil, gjson.Result{}, err
	}
	if r.what != whatIntrospection {
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
