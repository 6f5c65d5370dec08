package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcoauth/conformance/driver"
)

// deviceFlow is a device authorization (RFC 8628 §3.1, §3.2): on the mock, or on a server whose metadata
// names a device_authorization_endpoint.
type deviceFlow struct {
	deviceCode      string
	userCode        string
	verificationURI string  // verification_uri_complete, else verification_uri (RFC 8628 §3.3)
	result          *result // the device authorization exchange
}

func (v *vocabulary) grantSpecific() {
	w := v.w
	v.sc.Step(v.re(`^the app requests a token with the (JWT bearer|partner JWT|personal JWT) grant and the (expired|other environment's|tampered|HS256-signed|JWT bearer|personal|partner) credential$`), w.jwtCredentialVariant)
	v.sc.Step(v.re(`^the app requests a token with the device certificate grant and an assertion (that has expired|for another audience|without a jti|for an unknown device)$`), w.deviceAssertionVariant)
	v.sc.Step(v.re(`^the app requests a token twice with one device certificate assertion$`), w.deviceAssertionReplay)
	v.sc.Step(v.re(`^a device requests authorization$`), w.deviceAuthorization)
	v.sc.Step(v.assertion(`^the device authorization tells the user where to go$`), w.deviceAuthorizationAnswer)
	v.sc.Step(v.re(`^the user (approves|denies) the device$`), w.decideDevice)
	v.sc.Step(v.re(`^the device polls for a token$`), w.pollDevice)
	v.sc.Step(v.assertion(`^the device is told to (wait|slow down)$`), w.deviceToldTo)
}

// credentialVars names the profile variable holding the user's credential of each kind of the JWT bearer
// family (jwt-flow.md; OpenAPI JwtTokenRequest: "Personal JWT", "JWT Bearer" and "Partner JWT" flows).
var credentialVars = map[string]string{
	"JWT bearer": "RC_JWT",
	"personal":   "RC_PERSONAL_JWT",
	"partner":    "RC_PARTNER_JWT",
}

// jwtCredentialVariant sends a grant of the JWT bearer family with a credential that RingCentral must
// refuse or accept: expired, or from another environment (removed using-sandbox.md: "A JWT configured for
// sandbox cannot be used to authenticate in production") — the profile has these for the JWT bearer grant
// only; the grant's own credential with a broken signature, or re-signed with HS256 (OAU-347, DOCS
// changelog 1_0_41); or the credential of a kind ("JWT bearer", "personal", "partner") as it is.
func (w *world) jwtCredentialVariant(ctx context.Context, grant, which string) (err error) {
	defer w.verdict(&err)
	own := map[string]string{"JWT bearer": "JWT bearer", "partner JWT": "partner", "personal JWT": "personal"}[grant]
	var assertion string
	switch which {
	case "expired", "other environment's":
		if grant != "JWT bearer" {
			return fmt.Errorf("the profile has the %s credential for the JWT bearer grant only, not for the %s grant", which, grant)
		}
		assertion, err = w.single(map[string]string{"expired": "RC_JWT_EXPIRED", "other environment's": "RC_JWT_OTHER_ENV"}[which])
	case "tampered":
		if assertion, err = w.single(credentialVars[own]); err == nil {
			assertion, err = tamperSignature(assertion)
		}
	case "HS256-signed":
		if assertion, err = w.single(credentialVars[own]); err == nil {
			assertion, err = resignHS256(assertion)
		}
	default:
		assertion, err = w.single(credentialVars[which])
	}
	if err != nil {
		return err
	}
	_, err = w.requestTokenWith(ctx, grants[grant].grantType, driver.NewForm("assertion", assertion), tokenOptions{})
	return err
}

// resignHS256 re-signs a credential's claims with HS256 and an arbitrary key: what RingCentral refuses with
// OAU-347 (DOCS changelog 1_0_41), whatever the key.
func resignHS256(credential string) (string, error) {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(credential, claims); err != nil {
		return "", fmt.Errorf("the credential is not a JWT: %w", err)
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(randomID() + randomID()))
}

// tamperSignature changes one character in the middle of a credential's signature.
func tamperSignature(credential string) (string, error) {
	parts := strings.Split(credential, ".")
	if len(parts) != 3 || len(parts[2]) < 8 {
		return "", fmt.Errorf("the credential is not a signed JWT")
	}
	sig := []byte(parts[2])
	i := len(sig) / 2
	if sig[i] == 'A' {
		sig[i] = 'B'
	} else {
		sig[i] = 'A'
	}
	parts[2] = string(sig)
	return strings.Join(parts, "."), nil
}

// single returns one profile value or a skip naming it.
func (w *world) single(key string) (string, error) {
	vals, err := w.need(key)
	if err != nil {
		return "", err
	}
	return vals[0], nil
}

// deviceAssertionVariant requests a token with the device certificate grant and an assertion that is faulty
// in one way: expired, for another audience, without a jti, or for a device the account does not have.
func (w *world) deviceAssertionVariant(ctx context.Context, which string) (err error) {
	defer w.verdict(&err)
	a, err := w.deviceAssertion(func(c jwt.MapClaims) {
		switch which {
		case "that has expired":
			c["iat"] = w.clock.now().Add(-time.Hour).Unix()
			c["exp"] = w.clock.now().Add(-10 * time.Minute).Unix()
		case "for another audience":
			c["aud"] = "https://platform.example.invalid/restapi/oauth/token"
		case "without a jti":
			delete(c, "jti")
		case "for an unknown device":
			c["sub"] = "unknown-device-" + randomID()
		}
	})
	if err != nil {
		return err
	}
	_, err = w.requestTokenWith(ctx, grants["device certificate"].grantType, driver.NewForm("assertion", a), tokenOptions{})
	return err
}

// deviceAssertionReplay presents one device assertion twice: the second use must fail (RFC 7523 §3 jti
// replay protection, as the mock models the device_certificate grant).
func (w *world) deviceAssertionReplay(ctx context.Context) (err error) {
	defer w.verdict(&err)
	a, err := w.deviceAssertion(nil)
	if err != nil {
		return err
	}
	w.batch = nil
	for i := range 2 {
		r, err := w.requestTokenWith(ctx, grants["device certificate"].grantType, driver.NewForm("assertion", a), tokenOptions{})
		if err != nil {
			return err
		}
		if i == 0 && r.token == nil {
			return fmt.Errorf("the assertion was refused the first time, so its replay cannot be tested: %s", r.describe())
		}
		w.batch = append(w.batch, r)
	}
	return nil
}

// deviceAuthorization starts the RFC 8628 flow (§3.1) for the scenario's app, with the profile's scope
// (OAUTH_SCOPE) when it sets one: at the mock's device authorization endpoint (RingCentral publishes none),
// or at the one a server's metadata names.
func (w *world) deviceAuthorization(ctx context.Context) (err error) {
	defer w.verdict(&err)
	switch {
	case w.s.meta != nil:
		if err := w.noEndpoint("device authorization endpoint", w.client.Endpoints().DeviceAuthorization); err != nil {
			return err
		}
		if err := w.unadvertised("grant", grants["device code"].grantType); err != nil {
			return err
		}
	case !w.onMock():
		return w.skip("the device authorization endpoint is the mock's: RingCentral publishes none")
	}
	auth, err := w.clientAuth()
	if err != nil {
		return err
	}
	var form driver.Form
	if scope := w.profile.Value("OAUTH_SCOPE"); scope != "" {
		form = driver.NewForm("scope", scope)
	}
	resp, err := w.client.DeviceAuthorization(ctx, form, auth)
	r := w.setResult(&result{what: whatDeviceAuthorization, resp: resp, err: err})
	w.device = &deviceFlow{result: r}
	if resp != nil && resp.Status == 200 {
		body := resp.JSON()
		w.device.deviceCode, w.device.userCode = body.Get("device_code").String(), body.Get("user_code").String()
		w.device.verificationURI = body.Get("verification_uri_complete").String()
		if w.device.verificationURI == "" {
			w.device.verificationURI = body.Get("verification_uri").String()
		}
	}
	return nil
}

// deviceAuthorizationAnswer checks RFC 8628 §3.2: device_code, user_code, verification_uri and expires_in
// are REQUIRED; interval is OPTIONAL ("If no value is provided, clients MUST use 5 as the default"), and
// positive when sent.
func (w *world) deviceAuthorizationAnswer() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	if r.resp == nil || r.resp.Status != 200 {
		return fmt.Errorf("device authorization failed: %s", r.describe())
	}
	var p problems
	body := r.resp.JSON()
	for _, k := range []string{"device_code", "user_code", "verification_uri"} {
		if body.Get(k).String() == "" {
			p.addf("%s is missing", k)
		}
	}
	if body.Get("expires_in").Int() <= 0 {
		p.addf("expires_in %s; want a positive number", body.Get("expires_in").Raw)
	}
	if i := body.Get("interval"); i.Exists() && i.Int() <= 0 {
		p.addf("interval %s; want a positive number when sent", i.Raw)
	}
	w.hygiene(r, &p)
	return p.err(r)
}

// decideDevice has the user approve or deny the device (RFC 8628 §3.3): on the mock through its control
// API; elsewhere in headless Chromium at the verification URI, following the device steps of the profile's
// sign-in recipe (OAUTH_SIGNIN), bounded by four times the per-request timeout. Without such a recipe the
// scenario is skipped with that reason.
func (w *world) decideDevice(ctx context.Context, decision string) (err error) {
	defer w.verdict(&err)
	if err := w.pendingDevice(); err != nil {
		return err
	}
	approve := decision == "approves"
	if w.onMock() {
		return w.client.ApproveDevice(ctx, w.device.userCode, "", !approve)
	}
	recipe := w.s.recipe
	switch {
	case recipe == nil:
		return w.skip("the user decides the device at %s in a browser: set OAUTH_SIGNIN to a sign-in recipe with device steps (signin/recipes) for the harness to do it", w.device.verificationURI)
	case recipe.Device == nil:
		return w.skip("the user decides the device at %s in a browser, and the sign-in recipe %s has no device steps", w.device.verificationURI, recipe.Name)
	case w.device.verificationURI == "":
		return fmt.Errorf("the device authorization names no verification_uri (RFC 8628 §3.2): %s", w.device.result.describe())
	}
	for _, v := range recipe.DeviceVariables() {
		if _, err := w.need(v); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 4*w.s.timeout)
	defer cancel()
	value := func(v string) string { return w.profile.Value(w.profile.Key(v)) }
	if err := w.s.browser.Decide(ctx, w.device.verificationURI, w.device.userCode, approve, nil, recipe, value); err != nil {
		return w.redact(err)
	}
	return nil
}

// pollDevice polls the token endpoint once with the pending device authorization's device_code (RFC 8628
// §3.4).
func (w *world) pollDevice(ctx context.Context) (err error) {
	defer w.verdict(&err)
	if err := w.pendingDevice(); err != nil {
		return err
	}
	_, err = w.requestTokenWith(ctx, grants["device code"].grantType, driver.NewForm("device_code", w.device.deviceCode), tokenOptions{})
	return err
}

// pendingDevice fails unless a device authorization of this scenario was granted a device code.
func (w *world) pendingDevice() error {
	switch {
	case w.device == nil:
		return errors.New("no device has requested authorization in this scenario")
	case w.device.deviceCode == "":
		return fmt.Errorf("the device authorization failed: %s", w.device.result.describe())
	}
	return nil
}

// approvedDevice is the device code grant's setup: a device authorization approved by the user.
func (w *world) approvedDevice(ctx context.Context) (*deviceFlow, error) {
	if err := w.deviceAuthorization(ctx); err != nil {
		return nil, err
	}
	if err := w.pendingDevice(); err != nil {
		return nil, err
	}
	if err := w.decideDevice(ctx, "approves"); err != nil {
		return nil, err
	}
	return w.device, nil
}

// deviceToldTo checks the token endpoint's answer to a poll that is too early: RFC 8628 §3.5
// authorization_pending ("wait") or slow_down, as an RFC 6749 §5.2 error (HTTP 400, JSON), in RingCentral's
// dialect in its error body (errors[] with error_description equal to errors[0].message). Unlike "the
// request is rejected with ...", it does not validate the body against RingCentral's OpenAPI: the
// OauthInvalidRequest enum lists expired_token and access_denied of RFC 8628 §3.5 but not these two,
// although the spec documents the device_code grant (SPEC-2025-09 DeviceCodeTokenRequest).
func (w *world) deviceToldTo(what string) (err error) {
	defer w.verdict(&err)
	want := map[string]string{"wait": "authorization_pending", "slow down": "slow_down"}[what]
	r, err := w.theAnswer()
	if err != nil {
		return err
	}
	var p problems
	if r.resp.Status != 400 {
		p.addf("status %d; want 400 (RFC 8628 §3.5, RFC 6749 §5.2)", r.resp.Status)
	}
	oe := r.oauthError()
	if oe.Err != want {
		p.addf("error %q; want %q (RFC 8628 §3.5)", oe.Err, want)
	}
	if w.vendor() {
		errorBody(oe, &p)
	}
	w.hygiene(r, &p)
	return p.err(r)
}
