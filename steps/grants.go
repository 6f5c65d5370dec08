package steps

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/internal/pemkey"
)

// grantSpec is a grant type as the vocabulary names it, with the passing request every negative scenario
// is derived from (one fault at a time).
type grantSpec struct {
	name      string // as in the sentences: "password", "JWT bearer", ...
	grantType string // the grant_type value
	// build returns the grant's parameters (without grant_type) for a request that the target accepts.
	// It may perform setup exchanges (an authorization request, a sign-in, a device authorization).
	build func(ctx context.Context, w *world) (driver.Form, error)
	// singleUse names the parameter carrying a single-use credential and its profile variable (the OTP
	// code): a request that sends it once spends it (claimSingleUse).
	singleUse struct{ param, variable string }
}

// grantNames is the alternation of grant names used by the step expressions.
const grantNames = `password|authorization code|refresh token|client credentials|JWT bearer|partner JWT|personal JWT|device code|device certificate|guest|OTP|IVR PIN`

// grants lists the twelve grant types of SPEC-2025-03's enum (ringcentral-oauth.md §2.3). It is filled by
// init because the builders refer back to it (a refresh needs a sign-in first).
var grants map[string]grantSpec

func init() { grants = grantTable() }

func grantTable() map[string]grantSpec {
	return map[string]grantSpec{
		"password": {name: "password", grantType: "password", build: func(_ context.Context, w *world) (driver.Form, error) {
			vals, err := w.need("RC_USERNAME", "RC_PASSWORD")
			if err != nil {
				return nil, err
			}
			return driver.NewForm("username", w.login(vals[0]), "password", vals[1]), nil
		}},
		"authorization code": {name: "authorization code", grantType: "authorization_code", build: func(ctx context.Context, w *world) (driver.Form, error) {
			return w.codeExchangeForm(ctx)
		}},
		"refresh token": {name: "refresh token", grantType: "refresh_token", build: func(ctx context.Context, w *world) (driver.Form, error) {
			rt, err := w.refreshTokenFor(ctx, "latest")
			if err != nil {
				return nil, err
			}
			return driver.NewForm("refresh_token", rt), nil
		}},
		"client credentials": {name: "client credentials", grantType: "client_credentials", build: func(_ context.Context, w *world) (driver.Form, error) {
			vals, err := w.need("RC_ACCOUNT_ID")
			if err != nil {
				return nil, err
			}
			return driver.NewForm("account_id", vals[0]), nil
		}},
		"JWT bearer":   {name: "JWT bearer", grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer", build: assertionFrom("RC_JWT")},
		"partner JWT":  {name: "partner JWT", grantType: "partner_jwt", build: assertionFrom("RC_PARTNER_JWT")},
		"personal JWT": {name: "personal JWT", grantType: "personal_jwt", build: assertionFrom("RC_PERSONAL_JWT")},
		"device code": {name: "device code", grantType: "urn:ietf:params:oauth:grant-type:device_code", build: func(ctx context.Context, w *world) (driver.Form, error) {
			d, err := w.approvedDevice(ctx)
			if err != nil {
				return nil, err
			}
			return driver.NewForm("device_code", d.deviceCode), nil
		}},
		"device certificate": {name: "device certificate", grantType: "device_certificate", build: func(_ context.Context, w *world) (driver.Form, error) {
			a, err := w.deviceAssertion(nil)
			if err != nil {
				return nil, err
			}
			return driver.NewForm("assertion", a), nil
		}},
		"guest": {name: "guest", grantType: "guest", build: func(_ context.Context, w *world) (driver.Form, error) {
			vals, err := w.need("RC_GUEST_RESOURCE_TYPE", "RC_GUEST_RESOURCE")
			if err != nil {
				return nil, err
			}
			return driver.NewForm("resource_type", vals[0], "resource", vals[1]), nil
		}},
		"OTP": {name: "OTP", grantType: "otp", singleUse: struct{ param, variable string }{"code", "RC_OTP_CODE"}, build: func(_ context.Context, w *world) (driver.Form, error) {
			vals, err := w.need("RC_OTP_CODE")
			if err != nil {
				return nil, err
			}
			return driver.NewForm("code", vals[0]), nil
		}},
		"IVR PIN": {name: "IVR PIN", grantType: "ivr_pin", build: func(_ context.Context, w *world) (driver.Form, error) {
			vals, err := w.need("RC_IVR_PIN")
			if err != nil {
				return nil, err
			}
			return driver.NewForm("ivr_pin", vals[0]), nil
		}},
	}
}

func assertionFrom(variable string) func(context.Context, *world) (driver.Form, error) {
	return func(_ context.Context, w *world) (driver.Form, error) {
		vals, err := w.need(variable)
		if err != nil {
			return nil, err
		}
		return driver.NewForm("assertion", vals[0]), nil
	}
}

// login is the password grant's username: RC_USERNAME, with RC_EXTENSION embedded as number*ext for a
// phone number (the form RopcTokenRequest recommends over the deprecated extension parameter).
func (w *world) login(username string) string {
	ext := w.profile.Value("RC_EXTENSION")
	if ext == "" || strings.Contains(username, "@") || strings.Contains(username, "*") {
		return username
	}
	return username + "*" + ext
}

// refreshTokenFor returns the refresh token of the named token response; without any token yet it signs
// the user in with the grant the app is approved for.
func (w *world) refreshTokenFor(ctx context.Context, which string) (string, error) {
	if len(w.tokens) == 0 {
		if err := w.signIn(ctx); err != nil {
			return "", err
		}
	}
	t, err := w.tokenAt(which)
	if err != nil {
		return "", err
	}
	if t.RefreshToken == "" {
		return "", fmt.Errorf("the %s token response carries no refresh token", which)
	}
	return t.RefreshToken, nil
}

// signIn obtains tokens for the scenario's app with the sign-in grant its kind of app uses: the password
// grant for the confidential and secret-JWT apps, the JWT bearer grant for the private-key app, and the
// authorization code grant for the public and restricted apps.
func (w *world) signIn(ctx context.Context) error {
	a, err := w.currentApp()
	if err != nil {
		return err
	}
	grant := map[string]string{
		"confidential": "password", "secret-JWT": "password", "private-key": "JWT bearer",
		"public": "authorization code", "restricted": "authorization code", "post": "password",
	}[a.spec.name]
	if m := w.s.meta; m != nil && grant != "authorization code" && !m.Supports("grant", grants[grant].grantType) && m.Supports("grant", "authorization_code") {
		// A server described by its metadata signs its users in with the grant it advertises: the
		// authorization code grant when it offers neither the password nor the JWT bearer grant.
		grant = "authorization code"
	}
	// A setup sign-in authenticates the app the registered way; a scenario's changed client
	// authentication is for the request under test only.
	saved := w.auth
	w.auth = authChoice{}
	defer func() { w.auth = saved }()
	r, err := w.requestToken(ctx, grant, nil, tokenOptions{})
	if err != nil {
		return err
	}
	if r.err != nil || r.token == nil {
		return fmt.Errorf("signing in with the %s grant to get tokens: %s", grant, r.describe())
	}
	return nil
}

// deviceAssertion builds the device_certificate grant's assertion: a JWT signed with the device's private
// key, carrying its certificate in x5c, sub = the certificate's common name, aud = the token endpoint
// (the mock's documented choice; RingCentral publishes no schema for this grant). alter may change
// claims for negative scenarios.
func (w *world) deviceAssertion(alter func(jwt.MapClaims)) (string, error) {
	vals, err := w.need("RC_DEVICE_CERTIFICATE", "RC_DEVICE_PRIVATE_KEY")
	if err != nil {
		return "", err
	}
	cert, err := pemkey.Certificate(vals[0])
	if err != nil {
		return "", fmt.Errorf("profile %q: RC_DEVICE_CERTIFICATE: %w", w.profile.Name(), err)
	}
	key, err := pemkey.PrivateKey(vals[1])
	if err != nil {
		return "", fmt.Errorf("profile %q: RC_DEVICE_PRIVATE_KEY: %w", w.profile.Name(), err)
	}
	now := w.clock.now() // the target checks iat and exp against its own clock
	claims := jwt.MapClaims{
		"iss": cert.Subject.CommonName, "sub": cert.Subject.CommonName, "aud": w.client.TokenURL(),
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": randomID(),
	}
	if alter != nil {
		alter(claims)
	}
	var method jwt.SigningMethod = jwt.SigningMethodRS256
	if _, ok := key.Public().(*ecdsa.PublicKey); ok {
		method = jwt.SigningMethodES256
	}
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["x5c"] = []string{base64.StdEncoding.EncodeToString(cert.Raw)}
	return tok.SignedString(key)
}

// Single-use credentials (an OTP code): on the mock every scenario has its own realm, in which the
// fixture's credentials are unused. On a target without realms a credential is spent by the first request
// that succeeds with it; a later scenario that would send it again is skipped, naming the variable and
// the scenario that spent it.

// checkUnspent skips the scenario if another scenario of this run has spent variable.
func (w *world) checkUnspent(variable string) error {
	if w.onMock() {
		return nil
	}
	if owner := w.s.spentBy(variable); owner != "" && owner != w.scenario {
		return w.skip("%s is single use and scenario %q of this run has spent it; profile %q targets %s, which has no per-scenario state, so one scenario per code can succeed",
			variable, owner, w.profile.Name(), w.s.Target())
	}
	return nil
}

// spendCredential records that this scenario spent the single-use credential in variable.
func (w *world) spendCredential(variable string) {
	if !w.onMock() {
		w.s.markSpent(variable, w.scenario)
	}
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
