package rcmock

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/rcoauth/conformance/internal/pemkey"
)

// Grant type identifiers: the twelve values of the grant_type enum of SPEC-2025-03 (ringcentral-oauth.md §2.3).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
	GrantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantDeviceCertificate = "device_certificate"
	GrantPartnerJWT        = "partner_jwt"
	GrantGuest             = "guest"
	GrantPersonalJWT       = "personal_jwt"
	GrantOTP               = "otp"
	GrantIVRPin            = "ivr_pin"
)

// AllGrantTypes lists the twelve grant types in the order of SPEC-2025-03's enum.
var AllGrantTypes = []string{
	GrantAuthorizationCode, GrantPassword, GrantRefreshToken, GrantClientCredentials, GrantJWTBearer,
	GrantDeviceCode, GrantDeviceCertificate, GrantPartnerJWT, GrantGuest, GrantPersonalJWT, GrantOTP, GrantIVRPin,
}

// Client authentication methods an app may be registered for (OpenAPI token endpoint description and
// OpenIdDiscovery.token_endpoint_auth_methods_supported); "none" marks a public client that identifies itself
// with client_id only.
const (
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretJWT   = "client_secret_jwt"
	AuthPrivateKeyJWT     = "private_key_jwt"
	AuthNone              = "none"
)

// JWT credential kinds (JWTCredential.Kind): which grant accepts the credential. The JWT bearer grant
// accepts "jwt" and "personal" (OpenAPI JwtTokenRequest: the "Personal JWT" flow uses the jwt-bearer grant);
// personal_jwt accepts "personal"; partner_jwt accepts "partner". The latter two grants have no published
// schema, so this split is the mock's choice (UNVERIFIED).
const (
	CredentialJWT      = "jwt"
	CredentialPersonal = "personal"
	CredentialPartner  = "partner"
)

// Fixture is the mock's seed data: the environment's keys, brands, accounts, apps, users and guest
// resources. It is read from JSON (LoadFixture) or taken from the built-in default (DefaultFixture), whose
// credentials are exactly those of env/mock.env.
type Fixture struct {
	Environment    Environment     `json:"environment"`
	Brands         []Brand         `json:"brands"`
	Accounts       []Account       `json:"accounts"`
	Apps           []App           `json:"apps"`
	Users          []User          `json:"users"`
	GuestResources []GuestResource `json:"guest_resources"`
}

// Environment describes the RingCentral environment the mock stands in for. JWT credentials are bound to one
// environment ("A JWT configured for sandbox cannot be used to authenticate in production", removed
// using-sandbox.md): the mock accepts only credentials signed by CredentialPublicKey with
// CredentialAudience.
type Environment struct {
	Name string `json:"name"`
	// CredentialIssuer and CredentialAudience are the iss and aud of this environment's JWT credentials.
	CredentialIssuer   string `json:"credential_issuer"`
	CredentialAudience string `json:"credential_audience"`
	// CredentialPublicKey (PEM) verifies JWT credentials. The matching private key is not part of the mock:
	// the mock cannot mint credentials, like RingCentral's token endpoint.
	CredentialPublicKey string `json:"credential_public_key"`
	// SigningKey (PEM private key) signs OpenID Connect id_tokens and is published by the JWKS endpoint under
	// SigningKeyID.
	SigningKey   string `json:"signing_key"`
	SigningKeyID string `json:"signing_key_id"`
	// DeviceCACertificate (PEM) issues the certificates of devices that use the device_certificate grant.
	DeviceCACertificate string `json:"device_ca_certificate"`
}

// Brand is a RingCentral brand (e.g. 1210, RingCentral US).
type Brand struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Account is a RingCentral customer account.
type Account struct {
	ID               string `json:"id"`
	BrandID          string `json:"brand_id"`
	Name             string `json:"name"`
	MainNumber       string `json:"main_number"`
	PartnerAccountID string `json:"partner_account_id,omitempty"`
}

// App is a registered client application.
type App struct {
	Name         string `json:"name"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
	// Type is "confidential" or "public".
	Type string `json:"type"`
	// AuthMethods lists the client authentication methods the app may use (AuthClientSecretBasic, ...).
	AuthMethods []string `json:"auth_methods"`
	// GrantTypes lists the grants the app is approved for; any other grant is answered OAU-251.
	GrantTypes []string `json:"grant_types"`
	// RedirectURIs are the registered redirect URIs, matched exactly (RFC 9700 §2.1).
	RedirectURIs []string `json:"redirect_uris"`
	// Scopes are the permissions the app was granted; tokens carry them all unless a subset is requested.
	Scopes []string `json:"scopes"`
	// IssueRefreshTokens is the app's "Issue refresh tokens" setting (refresh-tokens.md).
	IssueRefreshTokens bool `json:"issue_refresh_tokens"`
	// RefreshTokenTTL is the app's default (and maximum) refresh token lifetime in seconds; 0 means 604800.
	RefreshTokenTTL int64 `json:"refresh_token_ttl,omitempty"`
	// Keys are the public keys registered for private_key_jwt client authentication.
	Keys []AppKey `json:"keys,omitempty"`
}

// AppKey is a public key registered for an app.
type AppKey struct {
	KID       string `json:"kid"`
	PublicKey string `json:"public_key"`
}

// User is a RingCentral user (extension).
type User struct {
	ExtensionID     string `json:"extension_id"`
	AccountID       string `json:"account_id"`
	ExtensionNumber string `json:"extension_number"`
	Email           string `json:"email"`
	// DirectNumber is the user's own E.164 number, if any.
	DirectNumber string `json:"direct_number,omitempty"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Password     string `json:"password"`
	// Admin marks the main company administrator, who logs in with the company number and no extension
	// (RopcTokenRequest.extension description).
	Admin          bool            `json:"admin,omitempty"`
	IVRPin         string          `json:"ivr_pin,omitempty"`
	OTPCodes       []string        `json:"otp_codes,omitempty"`
	JWTCredentials []JWTCredential `json:"jwt_credentials,omitempty"`
	Devices        []Device        `json:"devices,omitempty"`
}

// JWTCredential is a JWT credential created for a user in the Developer Console; ID is its jti. An empty
// AllowedClients list allows every app ("Credentials can be restricted to specific applications",
// jwt-flow.md).
type JWTCredential struct {
	ID             string   `json:"id"`
	Kind           string   `json:"kind"`
	AllowedClients []string `json:"allowed_clients,omitempty"`
}

// Device is a device registered to a user; its certificate's subject common name is ID.
type Device struct {
	ID string `json:"id"`
}

// GuestResource is a resource that the guest grant gives access to.
type GuestResource struct {
	ResourceType string `json:"resource_type"`
	Resource     string `json:"resource"`
	BrandID      string `json:"brand_id,omitempty"`
	Scope        string `json:"scope"`
}

//go:embed fixtures/default.json
var defaultFixtureJSON []byte

// DefaultFixture returns the built-in fixture: the apps, users and keys whose credentials env/mock.env
// holds. Each call returns a fresh copy.
func DefaultFixture() *Fixture {
	f, err := ParseFixture(defaultFixtureJSON)
	if err != nil {
		panic("rcmock: built-in fixture is invalid: " + err.Error()) // guarded by TestDefaultFixture
	}
	return f
}

// LoadFixture reads a fixture file.
func LoadFixture(path string) (*Fixture, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rcmock: reading fixture: %w", err)
	}
	f, err := ParseFixture(b)
	if err != nil {
		return nil, fmt.Errorf("rcmock: fixture %s: %w", path, err)
	}
	return f, nil
}

// ParseFixture decodes and validates a fixture. Unknown fields are errors, so a misspelt key is caught
// rather than silently ignored.
func ParseFixture(b []byte) (*Fixture, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f Fixture
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("rcmock: decoding fixture: %w", err)
	}
	if _, err := indexFixture(&f); err != nil {
		return nil, err
	}
	return &f, nil
}

// fixture is a validated Fixture with lookup indexes and parsed keys. It is immutable once built, so
// handlers read it without locking.
type fixture struct {
	*Fixture
	credentialKey crypto.PublicKey
	signingKey    crypto.Signer
	deviceCAs     *x509.CertPool
	apps          map[string]*App
	appKeys       map[string][]appKey
	users         map[string]*User // by extension id
	byEmail       map[string]*User // lower-case email
	byNumberExt   map[string]*User // "<digits of main number>*<ext>"
	byDirect      map[string]*User // digits of direct number
	admins        map[string]*User // digits of main number
	accounts      map[string]*Account
	brands        map[string]*Brand
	credentials   map[string]credentialRef // by jti
	devices       map[string]*User         // by device id
	guests        map[string]*GuestResource
}

type appKey struct {
	kid string
	key crypto.PublicKey
}

type credentialRef struct {
	user *User
	cred *JWTCredential
}

func indexFixture(f *Fixture) (*fixture, error) {
	x := &fixture{
		Fixture:     f,
		apps:        map[string]*App{},
		appKeys:     map[string][]appKey{},
		users:       map[string]*User{},
		byEmail:     map[string]*User{},
		byNumberExt: map[string]*User{},
		byDirect:    map[string]*User{},
		admins:      map[string]*User{},
		accounts:    map[string]*Account{},
		brands:      map[string]*Brand{},
		credentials: map[string]credentialRef{},
		devices:     map[string]*User{},
		guests:      map[string]*GuestResource{},
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	env := &f.Environment
	if env.CredentialAudience == "" || env.CredentialIssuer == "" {
		fail("environment: credential_issuer and credential_audience are required")
	}
	if k, err := parsePublicKey(env.CredentialPublicKey); err != nil {
		fail("environment.credential_public_key: %v", err)
	} else {
		x.credentialKey = k
	}
	if k, err := pemkey.PrivateKey(env.SigningKey); err != nil {
		fail("environment.signing_key: %v", err)
	} else if _, ok := k.(*rsa.PrivateKey); !ok {
		fail("environment.signing_key: must be an RSA key (id_tokens are RS256, as discovery advertises)")
	} else {
		x.signingKey = k
	}
	if env.SigningKeyID == "" {
		fail("environment.signing_key_id is required")
	}
	x.deviceCAs = x509.NewCertPool()
	if env.DeviceCACertificate != "" && !x.deviceCAs.AppendCertsFromPEM([]byte(env.DeviceCACertificate)) {
		fail("environment.device_ca_certificate: no PEM certificate found")
	}

	for i := range f.Brands {
		b := &f.Brands[i]
		x.brands[b.ID] = b
	}
	for i := range f.Accounts {
		a := &f.Accounts[i]
		if a.ID == "" {
			fail("accounts[%d]: id is required", i)
		}
		if _, ok := x.brands[a.BrandID]; !ok {
			fail("accounts[%d] %s: unknown brand_id %q", i, a.ID, a.BrandID)
		}
		x.accounts[a.ID] = a
	}
	for i := range f.Apps {
		a := &f.Apps[i]
		where := fmt.Sprintf("apps[%d] %s", i, a.ClientID)
		if a.ClientID == "" {
			fail("apps[%d]: client_id is required", i)
		}
		if _, dup := x.apps[a.ClientID]; dup {
			fail("%s: duplicate client_id", where)
		}
		switch a.Type {
		case "confidential":
			if a.ClientSecret == "" && slices.ContainsFunc(a.AuthMethods, func(m string) bool {
				return m == AuthClientSecretBasic || m == AuthClientSecretJWT
			}) {
				fail("%s: a secret-based auth method needs client_secret", where)
			}
		case "public":
			if !slices.Equal(a.AuthMethods, []string{AuthNone}) {
				fail("%s: a public app authenticates with %q only", where, AuthNone)
			}
		default:
			fail("%s: type must be confidential or public, got %q", where, a.Type)
		}
		for _, m := range a.AuthMethods {
			if !slices.Contains([]string{AuthClientSecretBasic, AuthClientSecretJWT, AuthPrivateKeyJWT, AuthNone}, m) {
				fail("%s: unknown auth method %q", where, m)
			}
		}
		for _, g := range a.GrantTypes {
			if !slices.Contains(AllGrantTypes, g) {
				fail("%s: unknown grant type %q", where, g)
			}
		}
		if a.RefreshTokenTTL < 0 {
			fail("%s: refresh_token_ttl must not be negative", where)
		}
		if a.RefreshTokenTTL == 0 {
			a.RefreshTokenTTL = 604800
		}
		for j, k := range a.Keys {
			pk, err := parsePublicKey(k.PublicKey)
			if err != nil {
				fail("%s: keys[%d]: %v", where, j, err)
				continue
			}
			x.appKeys[a.ClientID] = append(x.appKeys[a.ClientID], appKey{kid: k.KID, key: pk})
		}
		if slices.Contains(a.AuthMethods, AuthPrivateKeyJWT) && len(a.Keys) == 0 {
			fail("%s: private_key_jwt needs at least one registered key", where)
		}
		x.apps[a.ClientID] = a
	}
	for i := range f.Users {
		u := &f.Users[i]
		where := fmt.Sprintf("users[%d] %s", i, u.ExtensionID)
		acct, ok := x.accounts[u.AccountID]
		if !ok {
			fail("%s: unknown account_id %q", where, u.AccountID)
			continue
		}
		if _, dup := x.users[u.ExtensionID]; dup || u.ExtensionID == "" {
			fail("%s: extension_id must be unique and non-empty", where)
		}
		x.users[u.ExtensionID] = u
		if u.Email != "" {
			x.byEmail[strings.ToLower(u.Email)] = u
		}
		if u.ExtensionNumber != "" {
			x.byNumberExt[digits(acct.MainNumber)+"*"+u.ExtensionNumber] = u
		}
		if u.DirectNumber != "" {
			x.byDirect[digits(u.DirectNumber)] = u
		}
		if u.Admin {
			x.admins[digits(acct.MainNumber)] = u
		}
		for j := range u.JWTCredentials {
			c := &u.JWTCredentials[j]
			if !slices.Contains([]string{CredentialJWT, CredentialPersonal, CredentialPartner}, c.Kind) {
				fail("%s: jwt_credentials[%d]: unknown kind %q", where, j, c.Kind)
			}
			if _, dup := x.credentials[c.ID]; dup || c.ID == "" {
				fail("%s: jwt_credentials[%d]: id must be unique and non-empty", where, j)
			}
			x.credentials[c.ID] = credentialRef{user: u, cred: c}
		}
		for _, d := range u.Devices {
			x.devices[d.ID] = u
		}
	}
	for i := range f.GuestResources {
		g := &f.GuestResources[i]
		x.guests[g.ResourceType+" "+g.Resource] = g
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("rcmock: invalid fixture: %w", errors.Join(errs...))
	}
	return x, nil
}

// digits keeps the digits of a phone number, so +1 (650) 555-0100, 16505550100 and +16505550100 match.
func digits(s string) string {
	var b strings.Builder
	b.Grow(len(s)) // one allocation instead of one per doubling
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lookupLogin finds the user for a password-grant username: an email, an E.164 (or bare) phone number, or
// the `number*ext` form; extension is the deprecated separate parameter (RopcTokenRequest). A company number
// without extension means the main company administrator.
func (x *fixture) lookupLogin(username, extension string) *User {
	if strings.Contains(username, "@") {
		return x.byEmail[strings.ToLower(username)]
	}
	number, ext, hasExt := strings.Cut(username, "*")
	if !hasExt && extension != "" {
		ext, hasExt = extension, true
	}
	n := digits(number)
	if n == "" {
		return nil
	}
	if len(n) == 10 { // North American number without the country code
		n = "1" + n
	}
	if hasExt {
		return x.byNumberExt[n+"*"+ext]
	}
	if u := x.byDirect[n]; u != nil {
		return u
	}
	return x.admins[n]
}

// account returns the account of u.
func (x *fixture) account(u *User) *Account { return x.accounts[u.AccountID] }

// parsePublicKey reads a key that verifies signatures the mock checks (JWT credentials, client
// assertions): RSA or ECDSA, as PEM public key or certificate (internal/pemkey).
func parsePublicKey(s string) (crypto.PublicKey, error) {
	k, err := pemkey.PublicKey(s)
	if err != nil {
		return nil, err
	}
	switch k.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
		return k, nil
	}
	return nil, fmt.Errorf("unsupported public key type %T (want RSA or ECDSA)", k)
}
