package env

import "strings"

// Variable describes one configuration variable of the harness.
type Variable struct {
	// Name is the variable's name, e.g. "RC_CLIENT_ID".
	Name string
	// Description says in one line what the variable is for.
	Description string
	// Secret marks credentials: their values are never shown ([Profile.Describe]) and are handed to the
	// driver's redactor ([Profile.Secrets]); they belong in <profile>.local.env or CI secrets.
	Secret bool
	// Group is the heading under which profile files list the variable.
	Group string
}

// Groups of the catalogue, in the order profile files list them.
const (
	GroupTarget     = "Target"
	GroupRun        = "Run against a real target"
	GroupMainApp    = "Main confidential app"
	GroupUser       = "Resource owner (password grant)"
	GroupJWT        = "JWT credentials"
	GroupPublic     = "Public app (PKCE)"
	GroupRestricted = "Restricted app"
	GroupSecretJWT  = "client_secret_jwt app"
	GroupKeyJWT     = "private_key_jwt app"
	GroupOther      = "Other grants"
	GroupAnyServer  = "Any OAuth 2.0 server (rfc profile)"
	GroupSignIn     = "Browser sign-in"
)

// catalogue lists every variable the harness reads, RingCentral's quick-start names first.
var catalogue = []Variable{
	{"RC_SERVER_URL", "Base URL of the target API; empty in the mock profile, which starts the embedded mock", false, GroupTarget},
	{"RC_MOCK_EMBEDDED", "true: start the embedded in-process mock and point the harness at it", false, GroupTarget},
	{"RC_MOCK_CONTROL", "true: the target is an rcmock whose /__mock/ control API (clock, faults, settings) may be used", false, GroupTarget},
	{"RC_MOCK_FIXTURE", "Optional fixture file for the embedded mock", false, GroupTarget},
	{"RC_MOCK_INTROSPECTION", "true: the embedded mock serves token introspection (RFC 7662, POST /restapi/oauth/introspect as SPEC-2024-04 described it) and advertises it in its discovery document; off: none, like today's API", false, GroupTarget},
	{"RC_HTTP_TIMEOUT", "Per-request timeout, a Go duration (15s) or seconds (15); default 15s", false, GroupTarget},
	{"RC_ALLOW_DESTRUCTIVE", "true: run @destructive scenarios (they evict the user's sessions) against a real target", false, GroupTarget},

	{"RC_AUTH_RATE", "Auth-group pace per test user and app, N/duration (default 5/60s, RingCentral's limit, on a real target; off on the mock)", false, GroupRun},
	{"RC_CLEANUP", "revoke (default): revoke every session a scenario opened; none: leave them, for a user only the harness uses", false, GroupRun},
	{"RC_RETRIES", "Retries, with backoff, of a request that got no answer or a 5xx on a real target (default 2); such a scenario is flaky", false, GroupRun},
	{"RC_MAX_TRANSPORT_FAILURES", "Failures to reach the target in a row after which the run stops early (default 5)", false, GroupRun},

	{"RC_CLIENT_ID", "Client ID of the main confidential app (client_secret_basic), approved for every grant it is tested with", false, GroupMainApp},
	{"RC_CLIENT_SECRET", "Client secret of the main app", true, GroupMainApp},
	{"RC_REDIRECT_URI", "A redirect URI registered for the main, public and restricted apps", false, GroupMainApp},

	{"RC_USERNAME", "Login for the password grant: email or E.164 phone number, optionally number*extension", false, GroupUser},
	{"RC_PASSWORD", "Password of RC_USERNAME", true, GroupUser},
	{"RC_EXTENSION", "Extension number of RC_USERNAME (the password grant's deprecated extension parameter)", false, GroupUser},

	{"RC_JWT", "User JWT credential for the JWT bearer grant (urn:ietf:params:oauth:grant-type:jwt-bearer)", true, GroupJWT},
	{"RC_JWT_EXPIRED", "A JWT credential that has expired", true, GroupJWT},
	{"RC_JWT_OTHER_ENV", "A JWT credential of another environment (sandbox vs production)", true, GroupJWT},
	{"RC_PERSONAL_JWT", "JWT credential for the personal_jwt grant", true, GroupJWT},
	{"RC_PARTNER_JWT", "JWT credential for the partner_jwt grant", true, GroupJWT},

	{"RC_PUBLIC_CLIENT_ID", "Client ID of a public PKCE app: client_id in the body, no secret", false, GroupPublic},

	{"RC_RESTRICTED_CLIENT_ID", "Client ID of an app approved only for the authorization code grant, with refresh tokens disabled", false, GroupRestricted},
	{"RC_RESTRICTED_CLIENT_SECRET", "Client secret of the restricted app", true, GroupRestricted},

	{"RC_SECRET_JWT_CLIENT_ID", "Client ID of an app that authenticates with client_secret_jwt", false, GroupSecretJWT},
	{"RC_SECRET_JWT_CLIENT_SECRET", "Client secret of the client_secret_jwt app (the HS256 key)", true, GroupSecretJWT},

	{"RC_PRIVATE_KEY_JWT_CLIENT_ID", "Client ID of an app that authenticates with private_key_jwt (JWT bearer and client_credentials grants only)", false, GroupKeyJWT},
	{"RC_PRIVATE_KEY_JWT_KEY", `PEM private key of the private_key_jwt app (PKCS #1, PKCS #8 or EC; line breaks may be written as \n)`, true, GroupKeyJWT},
	{"RC_PRIVATE_KEY_JWT_KID", "Key ID (kid) of RC_PRIVATE_KEY_JWT_KEY", false, GroupKeyJWT},

	{"RC_BRAND_ID", "Brand ID for the client_credentials grant (by brand or partner account)", false, GroupOther},
	{"RC_ACCOUNT_ID", "Account ID for the client_credentials grant (by account)", false, GroupOther},
	{"RC_PARTNER_ACCOUNT_ID", "Partner account ID for the client_credentials grant (with RC_BRAND_ID)", false, GroupOther},
	{"RC_IVR_PIN", "User's IVR PIN for the ivr_pin grant", true, GroupOther},
	{"RC_OTP_CODE", "One-time password for the otp grant", true, GroupOther},
	{"RC_GUEST_RESOURCE_TYPE", "resource_type of the guest grant", false, GroupOther},
	{"RC_GUEST_RESOURCE", "resource (URL) of the guest grant", false, GroupOther},
	{"RC_DEVICE_CERTIFICATE", "PEM certificate for the device_certificate grant", false, GroupOther},
	{"RC_DEVICE_PRIVATE_KEY", "PEM private key of RC_DEVICE_CERTIFICATE", true, GroupOther},

	{"OAUTH_DIALECT", "The rules the target is judged by beyond the RFCs: ringcentral (default; RingCentral's errorCodes, TTLs, paths, sessions, Auth rate group) or rfc (the RFCs alone)", false, GroupAnyServer},
	{"OAUTH_ISSUER", "Issuer of any OAuth 2.0 server: its RFC 8414 or OpenID Connect metadata names the endpoints, grants, client authentication and PKCE methods; a profile that sets it names its credentials OAUTH_*", false, GroupAnyServer},
	{"OAUTH_CLIENT_ID", "Client ID of a confidential client that authenticates with client_secret_basic", false, GroupAnyServer},
	{"OAUTH_CLIENT_SECRET", "Client secret of OAUTH_CLIENT_ID", true, GroupAnyServer},
	{"OAUTH_POST_CLIENT_ID", "Client ID of a confidential client that authenticates with client_secret_post", false, GroupAnyServer},
	{"OAUTH_POST_CLIENT_SECRET", "Client secret of OAUTH_POST_CLIENT_ID", true, GroupAnyServer},
	{"OAUTH_SECRET_JWT_CLIENT_ID", "Client ID of a client that authenticates with client_secret_jwt (RFC 7523 §2.2)", false, GroupAnyServer},
	{"OAUTH_SECRET_JWT_CLIENT_SECRET", "Client secret of OAUTH_SECRET_JWT_CLIENT_ID (the HMAC key)", true, GroupAnyServer},
	{"OAUTH_PRIVATE_KEY_JWT_CLIENT_ID", "Client ID of a client that authenticates with private_key_jwt (RFC 7523 §2.2)", false, GroupAnyServer},
	{"OAUTH_PRIVATE_KEY_JWT_KEY", `PEM private key of OAUTH_PRIVATE_KEY_JWT_CLIENT_ID (line breaks may be written as \n)`, true, GroupAnyServer},
	{"OAUTH_PRIVATE_KEY_JWT_KID", "Key ID (kid) of OAUTH_PRIVATE_KEY_JWT_KEY", false, GroupAnyServer},
	{"OAUTH_PUBLIC_CLIENT_ID", "Client ID of a public client using PKCE (RFC 7636): client_id in the body, no secret", false, GroupAnyServer},
	{"OAUTH_REDIRECT_URI", "A redirect URI registered for every client above", false, GroupAnyServer},
	{"OAUTH_SCOPE", "Scope sent with authorization and token requests (e.g. openid offline_access)", false, GroupAnyServer},
	{"OAUTH_USERNAME", "The user a sign-in recipe types in", false, GroupAnyServer},
	{"OAUTH_PASSWORD", "Password of OAUTH_USERNAME", true, GroupAnyServer},

	{"OAUTH_SIGNIN", "Sign-in recipe (signin/<name>.json) that drives a login page in headless Chromium for authorization-code scenarios, and with device steps the decision on a device (RFC 8628): oidc-provider-dev, rcmock-login, ringcentral (a draft)", false, GroupSignIn},
	{"OAUTH_BROWSER", "The Chromium binary of the browser sign-in (default: chromium or chromium-browser on PATH)", false, GroupSignIn},
	{"RC_MOCK_LOGIN_PAGE", "true: the embedded mock's authorization endpoint sends the user to its sign-in page first, as RingCentral's does", false, GroupSignIn},
}

// Generic maps a RingCentral variable to the variable that plays its part in a profile of any OAuth 2.0
// server (one that sets OAUTH_ISSUER): the same client, user or redirect URI under the generic name.
var Generic = map[string]string{
	"RC_CLIENT_ID":                 "OAUTH_CLIENT_ID",
	"RC_CLIENT_SECRET":             "OAUTH_CLIENT_SECRET",
	"RC_SECRET_JWT_CLIENT_ID":      "OAUTH_SECRET_JWT_CLIENT_ID",
	"RC_SECRET_JWT_CLIENT_SECRET":  "OAUTH_SECRET_JWT_CLIENT_SECRET",
	"RC_PRIVATE_KEY_JWT_CLIENT_ID": "OAUTH_PRIVATE_KEY_JWT_CLIENT_ID",
	"RC_PRIVATE_KEY_JWT_KEY":       "OAUTH_PRIVATE_KEY_JWT_KEY",
	"RC_PRIVATE_KEY_JWT_KID":       "OAUTH_PRIVATE_KEY_JWT_KID",
	"RC_PUBLIC_CLIENT_ID":          "OAUTH_PUBLIC_CLIENT_ID",
	"RC_REDIRECT_URI":              "OAUTH_REDIRECT_URI",
	"RC_USERNAME":                  "OAUTH_USERNAME",
	"RC_PASSWORD":                  "OAUTH_PASSWORD",
}

// Key returns the name under which the profile configures what the RingCentral variable name stands for:
// its [Generic] name in a profile of any OAuth 2.0 server (OAUTH_ISSUER set), name itself otherwise.
func (p *Profile) Key(name string) string {
	if g, ok := Generic[name]; ok && p.vars["OAUTH_ISSUER"] != "" {
		return g
	}
	return name
}

// Catalogue returns every variable the harness reads, in the order profile files list them.
func Catalogue() []Variable {
	return append([]Variable(nil), catalogue...)
}

// Lookup returns the catalogue entry of name.
func Lookup(name string) (Variable, bool) {
	for _, v := range catalogue {
		if v.Name == name {
			return v, true
		}
	}
	return Variable{}, false
}

// secretHints are name fragments that mark a variable outside the catalogue as secret.
var secretHints = []string{"SECRET", "PASSWORD", "PASSWD", "TOKEN", "JWT", "PRIVATE_KEY", "PIN", "OTP", "CREDENTIAL", "ASSERTION"}

// IsSecret reports whether a variable's value must never be shown: a catalogue entry marked Secret,
// or, for a variable outside the catalogue, a name that looks like a credential (…SECRET, …TOKEN,
// …PASSWORD, …JWT, …).
func IsSecret(name string) bool {
	if base, _, ok := baseOfUserVariable(name); ok {
		name = base
	}
	if v, ok := Lookup(name); ok {
		return v.Secret
	}
	upper := strings.ToUpper(name)
	for _, h := range secretHints {
		if strings.Contains(upper, h) {
			return true
		}
	}
	return false
}
