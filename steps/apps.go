package steps

import (
	"fmt"
	"time"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/internal/pemkey"
)

// An app of the vocabulary and the profile variables that describe it (README "Profiles and variables").
type appSpec struct {
	name      string
	idVar     string
	secretVar string // empty for the public app
	keyVar    string // private_key_jwt only
	kidVar    string
	method    string // the registered authentication method
}

// Client authentication methods (RFC 6749 §2.3.1, RFC 7523 §2.2) and the variants the negative scenarios
// need, as the vocabulary names them.
const (
	authBasic         = "client_secret_basic"
	authBasicRaw      = "client_secret_basic without form-encoding"
	authBasicBodyID   = "client_secret_basic and client_id in the body"
	authBasicBodySec  = "client_secret_basic and client_secret in the body"
	authBodySecret    = "client_secret in the body"
	authPost          = "client_secret_post" // the registered method of the post app (RFC 6749 §2.3.1)
	authClientIDOnly  = "client_id only"
	authNone          = "no client credentials"
	authWrongSecret   = "a wrong client secret"
	authSecretJWT     = "client_secret_jwt"
	authPrivateKeyJWT = "private_key_jwt"
	authPublic        = "public"
	authRegistered    = ""
	authUnknownClient = "an unknown client_id"
)

var apps = map[string]appSpec{
	"confidential": {name: "confidential", idVar: "RC_CLIENT_ID", secretVar: "RC_CLIENT_SECRET", method: authBasic},
	"public":       {name: "public", idVar: "RC_PUBLIC_CLIENT_ID", method: authPublic},
	"restricted":   {name: "restricted", idVar: "RC_RESTRICTED_CLIENT_ID", secretVar: "RC_RESTRICTED_CLIENT_SECRET", method: authBasic},
	"secret-JWT":   {name: "secret-JWT", idVar: "RC_SECRET_JWT_CLIENT_ID", secretVar: "RC_SECRET_JWT_CLIENT_SECRET", method: authSecretJWT},
	"private-key":  {name: "private-key", idVar: "RC_PRIVATE_KEY_JWT_CLIENT_ID", keyVar: "RC_PRIVATE_KEY_JWT_KEY", kidVar: "RC_PRIVATE_KEY_JWT_KID", method: authPrivateKeyJWT},
	// The post app authenticates with client_secret_post, which RingCentral does not offer: only a profile
	// of any OAuth 2.0 server configures it.
	"post": {name: "post", idVar: "OAUTH_POST_CLIENT_ID", secretVar: "OAUTH_POST_CLIENT_SECRET", method: authPost},
}

const appNames = `confidential|public|restricted|secret-JWT|private-key|post`

// appCreds is an app with its credentials read from the profile.
type appCreds struct {
	spec   appSpec
	id     string
	secret string
	key    string
	kid    string
}

// authChoice is how the scenario's app authenticates, and how its client assertions are altered.
type authChoice struct {
	method    string
	assertion []driver.AssertionOption
	fixedJTI  string
}

func (v *vocabulary) apps() {
	v.sc.Step(v.re(`^the (`+appNames+`) app$`), v.w.useApp)
	v.sc.Step(v.re(`^the app authenticates with (client_secret_basic|client_secret_basic without form-encoding|client_secret_basic and client_id in the body|client_secret_basic and client_secret in the body|client_secret in the body|client_id only|no client credentials|a wrong client secret|client_secret_jwt|private_key_jwt|an unknown client_id)$`), v.w.authenticateWith)
	v.sc.Step(v.re(`^the client assertion (has the wrong audience|has the wrong issuer|has the wrong subject|has expired|is not signed \(alg none\)|has no jti|is signed with HS256 by a private-key client|is signed with the wrong secret)$`), v.w.alterAssertion)
	v.sc.Step(v.re(`^the app reuses one client assertion jti$`), v.w.fixAssertionJTI)
}

// useApp makes the named app act in the scenario; a profile without its variables skips the scenario.
func (w *world) useApp(name string) (err error) {
	defer w.verdict(&err)
	a, err := w.loadApp(name)
	if err != nil {
		return err
	}
	w.app, w.auth = a, authChoice{}
	return nil
}

func (w *world) loadApp(name string) (*appCreds, error) {
	spec, ok := apps[name]
	if !ok {
		return nil, fmt.Errorf("unknown app %q", name)
	}
	keys := []string{spec.idVar}
	for _, k := range []string{spec.secretVar, spec.keyVar, spec.kidVar} {
		if k != "" {
			keys = append(keys, k)
		}
	}
	vals, err := w.need(keys...)
	if err != nil {
		return nil, err
	}
	a := &appCreds{spec: spec, id: vals[0]}
	i := 1
	if spec.secretVar != "" {
		a.secret, i = vals[i], i+1
	}
	if spec.keyVar != "" {
		a.key, a.kid = vals[i], vals[i+1]
	}
	return a, nil
}

// currentApp returns the scenario's app, the confidential app by default.
func (w *world) currentApp() (*appCreds, error) {
	if w.app == nil {
		if err := w.useApp("confidential"); err != nil {
			return nil, err
		}
	}
	return w.app, nil
}

// authenticateWith sets how the app authenticates its next requests (RFC 6749 §2.3, RFC 7523 §2.2): a method
// of its own, a mix of two, none, a wrong secret or an unknown client_id. A method that needs the app's
// client secret fails the step for an app without one.
func (w *world) authenticateWith(method string) (err error) {
	defer w.verdict(&err)
	a, err := w.currentApp()
	if err != nil {
		return err
	}
	switch method {
	case authBasic, authBasicRaw, authBasicBodyID, authBasicBodySec, authBodySecret, authWrongSecret:
		if a.secret == "" {
			return fmt.Errorf("the %s app has no client secret for %s", a.spec.name, method)
		}
	}
	w.auth.method = method
	return nil
}

// alterAssertion makes the app's next client assertion (RFC 7523 §3) faulty in one way: a wrong aud, iss or
// sub, an exp in the past, no signature (alg none), no jti, an HMAC signature by an app that registered a
// key pair, or an HMAC over the wrong secret.
func (w *world) alterAssertion(how string) (err error) {
	defer w.verdict(&err)
	opt := map[string]driver.AssertionOption{
		"has the wrong audience":                       driver.WithAudience("https://platform.example.invalid/restapi/oauth/token"),
		"has the wrong issuer":                         driver.WithClaim("iss", "not-this-client"),
		"has the wrong subject":                        driver.WithClaim("sub", "not-this-client"),
		"has expired":                                  driver.WithExpiry(-5 * time.Minute),
		"is not signed (alg none)":                     driver.WithAlgorithm("none"),
		"has no jti":                                   driver.WithoutClaim("jti"),
		"is signed with HS256 by a private-key client": driver.WithAlgorithm("HS256"),
	}[how]
	if how == "is signed with the wrong secret" {
		w.auth.method = authSecretJWT + " (wrong secret)"
		return nil
	}
	if opt == nil {
		return fmt.Errorf("unknown assertion change %q", how)
	}
	w.auth.assertion = append(w.auth.assertion, opt)
	return nil
}

// fixAssertionJTI makes every client assertion of the scenario carry the same jti, so that a second request
// replays the first one's (RFC 7523 §3: the server may refuse a jti it has seen).
func (w *world) fixAssertionJTI() (err error) {
	defer w.verdict(&err)
	w.auth.fixedJTI = "replayed-" + slug(w.scenario)
	w.auth.assertion = append(w.auth.assertion, driver.WithJTI(w.auth.fixedJTI))
	return nil
}

// clientAuth builds the driver's client authentication for the scenario's app and choice.
func (w *world) clientAuth() (driver.ClientAuth, error) {
	a, err := w.currentApp()
	if err != nil {
		return nil, err
	}
	method := w.auth.method
	if method == authRegistered {
		method = a.spec.method
	}
	if m := authMethodOf(method); m != "" {
		if err := w.unadvertised("auth", m); err != nil {
			return nil, err
		}
	}
	switch method {
	case authBasic:
		return driver.ClientSecretBasic(a.id, a.secret), nil
	case authBasicRaw:
		return driver.BasicRaw(a.id, a.secret), nil
	case authBasicBodyID:
		return driver.BasicWithBodyID(a.id, a.secret), nil
	case authBasicBodySec:
		return driver.BasicWithBodySecret(a.id, a.secret), nil
	case authBodySecret, authPost:
		return driver.BodySecret(a.id, a.secret), nil
	case authWrongSecret:
		return driver.ClientSecretBasic(a.id, a.secret+"-wrong"), nil
	case authPublic, authClientIDOnly:
		return driver.PublicClient(a.id), nil
	case authUnknownClient:
		return driver.PublicClient("unknown-client-" + slug(w.scenario)), nil
	case authNone:
		return driver.NoClientAuth(), nil
	case authSecretJWT:
		if a.secret == "" {
			return nil, fmt.Errorf("the %s app has no secret for client_secret_jwt", a.spec.name)
		}
		return driver.ClientSecretJWT(a.id, a.secret, w.auth.assertion...), nil
	case authSecretJWT + " (wrong secret)":
		return driver.ClientSecretJWT(a.id, a.secret+"-wrong", w.auth.assertion...), nil
	case authPrivateKeyJWT:
		if a.key == "" {
			return nil, fmt.Errorf("the %s app has no private key for private_key_jwt", a.spec.name)
		}
		key, err := pemkey.PrivateKey(a.key)
		if err != nil {
			return nil, fmt.Errorf("profile %q: %s: %w", w.profile.Name(), a.spec.keyVar, err)
		}
		return driver.PrivateKeyJWT(a.id, key, a.kid, w.auth.assertion...), nil
	}
	return nil, fmt.Errorf("unknown client authentication %q", method)
}
