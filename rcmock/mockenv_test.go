package rcmock

import (
	"crypto"
	"crypto/x509"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/joho/godotenv"

	"github.com/rcoauth/conformance/internal/pemkey"
)

// TestMockEnvMatchesDefaultFixture checks that env/mock.env holds exactly the credentials the mock seeds by
// default: every client id and secret, the user's login, every JWT credential (signed by the environment's
// key, or deliberately not for the other environment's), the private_key_jwt key, the device certificate,
// and the ids of the partner grants.
func TestMockEnvMatchesDefaultFixture(t *testing.T) {
	env, err := godotenv.Read("../env/mock.env")
	if err != nil {
		t.Fatal(err)
	}
	fx, err := indexFixture(DefaultFixture())
	if err != nil {
		t.Fatal(err)
	}

	apps := map[string]string{
		"RC_CLIENT_ID": "RC_CLIENT_SECRET", "RC_RESTRICTED_CLIENT_ID": "RC_RESTRICTED_CLIENT_SECRET",
		"RC_SECRET_JWT_CLIENT_ID": "RC_SECRET_JWT_CLIENT_SECRET", "RC_PUBLIC_CLIENT_ID": "", "RC_PRIVATE_KEY_JWT_CLIENT_ID": "",
	}
	for idVar, secretVar := range apps {
		app := fx.apps[env[idVar]]
		if app == nil {
			t.Errorf("%s=%q is not an app of the fixture", idVar, env[idVar])
			continue
		}
		if secretVar != "" && app.ClientSecret != env[secretVar] {
			t.Errorf("%s does not match the fixture's secret of %s", secretVar, app.ClientID)
		}
		if app.ClientID != env["RC_PRIVATE_KEY_JWT_CLIENT_ID"] && !slices.Contains(app.RedirectURIs, env["RC_REDIRECT_URI"]) {
			t.Errorf("RC_REDIRECT_URI is not registered for %s", app.ClientID)
		}
	}

	u := fx.lookupLogin(env["RC_USERNAME"], env["RC_EXTENSION"])
	if u == nil || u.Password != env["RC_PASSWORD"] {
		t.Fatalf("RC_USERNAME/RC_EXTENSION/RC_PASSWORD do not sign in a fixture user")
	}
	if u.IVRPin != env["RC_IVR_PIN"] || !slices.Contains(u.OTPCodes, env["RC_OTP_CODE"]) {
		t.Errorf("RC_IVR_PIN or RC_OTP_CODE are not the user's")
	}
	acct := fx.accounts[env["RC_ACCOUNT_ID"]]
	if acct == nil || acct.BrandID != env["RC_BRAND_ID"] || acct.PartnerAccountID != env["RC_PARTNER_ACCOUNT_ID"] {
		t.Errorf("RC_ACCOUNT_ID, RC_BRAND_ID, RC_PARTNER_ACCOUNT_ID do not name one fixture account")
	}
	if fx.guests[env["RC_GUEST_RESOURCE_TYPE"]+" "+env["RC_GUEST_RESOURCE"]] == nil {
		t.Errorf("RC_GUEST_RESOURCE_TYPE/RC_GUEST_RESOURCE are not a fixture guest resource")
	}

	for variable, want := range map[string]struct {
		kind    string
		valid   bool // signed by this environment's key
		expired bool
	}{
		"RC_JWT": {CredentialJWT, true, false}, "RC_JWT_EXPIRED": {CredentialJWT, true, true},
		"RC_PERSONAL_JWT": {CredentialPersonal, true, false}, "RC_PARTNER_JWT": {CredentialPartner, true, false},
		"RC_JWT_OTHER_ENV": {"", false, false},
	} {
		var c jwt.RegisteredClaims
		_, err := jwt.ParseWithClaims(env[variable], &c, func(*jwt.Token) (any, error) { return fx.credentialKey, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
		if (err == nil) != want.valid {
			t.Errorf("%s: signature check error %v; want valid=%v", variable, err, want.valid)
			continue
		}
		if !want.valid {
			continue
		}
		ref, ok := fx.credentials[c.ID]
		if !ok || ref.user != u || ref.cred.Kind != want.kind {
			t.Errorf("%s: jti %q is not the user's %s credential", variable, c.ID, want.kind)
		}
		if expired := c.ExpiresAt != nil && c.ExpiresAt.Before(time.Now()); expired != want.expired {
			t.Errorf("%s: expired=%v; want %v", variable, expired, want.expired)
		}
	}

	key, err := pemkey.PrivateKey(env["RC_PRIVATE_KEY_JWT_KEY"])
	if err != nil {
		t.Fatalf("RC_PRIVATE_KEY_JWT_KEY: %v", err)
	}
	keys := fx.appKeys[env["RC_PRIVATE_KEY_JWT_CLIENT_ID"]]
	if len(keys) == 0 || keys[0].kid != env["RC_PRIVATE_KEY_JWT_KID"] || !samePublic(key, keys[0].key) {
		t.Errorf("RC_PRIVATE_KEY_JWT_KEY/KID do not match the key registered for the private-key app")
	}

	cert, err := pemkey.Certificate(env["RC_DEVICE_CERTIFICATE"])
	if err != nil {
		t.Fatalf("RC_DEVICE_CERTIFICATE: %v", err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: fx.deviceCAs, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("RC_DEVICE_CERTIFICATE does not chain to the fixture's device CA: %v", err)
	}
	if fx.devices[cert.Subject.CommonName] != u {
		t.Errorf("RC_DEVICE_CERTIFICATE names %q, not a device of the user", cert.Subject.CommonName)
	}
	devKey, err := pemkey.PrivateKey(env["RC_DEVICE_PRIVATE_KEY"])
	if err != nil || !samePublic(devKey, cert.PublicKey) {
		t.Errorf("RC_DEVICE_PRIVATE_KEY does not match RC_DEVICE_CERTIFICATE (%v)", err)
	}
}

func samePublic(k crypto.Signer, pub crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := k.Public().(equaler)
	return ok && e.Equal(pub) && reflect.TypeOf(k.Public()) == reflect.TypeOf(pub)
}
