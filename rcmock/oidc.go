package rcmock

import (
	"crypto/rsa"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// OpenID Connect: the discovery document, the JWKS, UserInfo and the id_token of the authorization code
// grant (ringcentral-oauth.md §8.4; OpenAPI readOpenIdConfiguration, authJwks, authUserInfo and
// TokenInfo.id_token). No live RingCentral discovery document is public, so the values below follow the
// OpenAPI OpenIdDiscovery schema and its examples; where they go beyond it, the comment says so.

// idTokenTTL is the lifetime of an id_token (exp = iat + 1 h). RingCentral's value is UNVERIFIED; one hour
// matches its default access token lifetime.
const idTokenTTL = time.Hour

// openIDConfiguration is RingCentral's OpenIdDiscovery (OpenID Connect Discovery 1.0 §3), in the schema's
// member order.
type openIDConfiguration struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	ScopesSupported                   []string `json:"scopes_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	UserinfoSigningAlgValuesSupported []string `json:"userinfo_signing_alg_values_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	DisplayValuesSupported            []string `json:"display_values_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	UILocalesSupported                []string `json:"ui_locales_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ClaimsParameterSupported          bool     `json:"claims_parameter_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	// DeviceAuthorizationEndpoint is MOCK-ONLY: RingCentral publishes no RFC 8628 device authorization
	// endpoint (ringcentral-oauth.md §1.2). The mock advertises its own under the RFC 8628 §4 metadata name
	// so that device-flow clients can find it; a real RingCentral document will not have it.
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint"`
	// IntrospectionEndpoint and IntrospectionEndpointAuthMethodsSupported (RFC 8414 §2 names) are present
	// only where Options.Introspection serves the endpoint, which RingCentral removed after SPEC-2024-04
	// (ringcentral-oauth.md §1.2); OpenIdDiscovery has neither. A client finds the endpoint here, as RFC
	// 8414 §2 intends, and the harness skips the RFC 7662 scenarios where the document names none.
	IntrospectionEndpoint                     string   `json:"introspection_endpoint,omitempty"`
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported,omitempty"`
}

// tokenEndpointAuthMethods are the client authentication methods discovery advertises: the three the
// token endpoint description names (client_secret_post is not among them). The introspection endpoint
// authenticates its callers with the same code, and a public app cannot authenticate there, so its list
// is the same.
var tokenEndpointAuthMethods = []string{AuthClientSecretBasic, AuthClientSecretJWT, AuthPrivateKeyJWT}

// handleDiscovery serves GET /.well-known/openid-configuration (NoThrottling group). Every endpoint is
// derived from the issuer, so a client that starts from discovery reaches this mock wherever it listens.
func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	if !resourceAllowed(w, r) {
		return
	}
	iss := s.issuer(r)
	doc := openIDConfiguration{
		Issuer:                            iss,
		AuthorizationEndpoint:             iss + PathAuthorize,
		TokenEndpoint:                     iss + PathToken,
		RevocationEndpoint:                iss + PathRevoke,
		UserinfoEndpoint:                  iss + PathUserInfo,
		JWKSURI:                           iss + PathJWKS,
		ScopesSupported:                   []string{"openid", "email", "profile"},
		TokenEndpointAuthMethodsSupported: tokenEndpointAuthMethods,
		ResponseTypesSupported:            []string{"code"},
		SubjectTypesSupported:             []string{"public"},
		UserinfoSigningAlgValuesSupported: []string{"none"},
		// The schema allows RS256 and HS256; the mock signs with its RSA key only.
		IDTokenSigningAlgValuesSupported: []string{"RS256"},
		DisplayValuesSupported:           displayModes,
		ClaimsSupported: []string{
			"sub", "iss", "auth_time", "aud", "exp", "iat", "jti", "nonce",
			"account_id", "email", "email_verified", "given_name", "family_name",
		},
		// UNVERIFIED: the schema's example list; ui_locales is accepted but has no effect in the mock.
		UILocalesSupported:            []string{"en", "en-US", "en-GB", "fr-CA"},
		CodeChallengeMethodsSupported: challengeMethods,
		DeviceAuthorizationEndpoint:   iss + PathDevice,
	}
	if s.opts.Introspection {
		doc.IntrospectionEndpoint = iss + PathIntrospect
		doc.IntrospectionEndpointAuthMethodsSupported = tokenEndpointAuthMethods
	}
	writeJSON(w, http.StatusOK, doc)
}

// handleJWKS serves GET /restapi/oauth/jwks (NoThrottling group): the public half of the id_token signing
// key as a JWK Set (RFC 7517 §5; OpenAPI JWKeySet), encoded by go-jose.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if !resourceAllowed(w, r) {
		return
	}
	key, e := s.idTokenKey()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key:       key.Public(),
		KeyID:     s.fx.Environment.SigningKeyID,
		Algorithm: string(jose.RS256),
		Use:       "sig",
	}}})
}

// idTokenKey returns the fixture's signing key. The discovery document advertises RS256, so the key must be
// RSA; fixture validation accepts any signer, hence the check.
func (s *Server) idTokenKey() (*rsa.PrivateKey, *Error) {
	key, ok := s.fx.signingKey.(*rsa.PrivateKey)
	if !ok {
		return nil, errServerError("environment.signing_key must be an RSA key for RS256 id_tokens")
	}
	return key, nil
}

// signIDToken issues the OpenID Connect id_token for an authorization code (OpenID Connect Core §2,
// §3.1.3.6): RS256 with kid = Environment.SigningKeyID, iss = the issuer of the discovery document, sub =
// the user's extension id (UserInfoResource.sub), aud = client_id, iat and exp = iat + idTokenTTL, auth_time
// (when the mock "logged in" the user, at authorization), a unique jti, nonce when the authorization request
// sent one (Core §3.1.2.1: passed through unmodified), and the user claims of UserInfo (account_id, email,
// email_verified, given_name, family_name). Whether RingCentral includes the email and profile claims only
// for the email and profile scopes is UNVERIFIED; the mock includes them whenever the user has them.
func (s *Server) signIDToken(issuer string, c *authCode, now time.Time) (string, *Error) {
	key, e := s.idTokenKey()
	if e != nil {
		return "", e
	}
	claims := jwt.MapClaims{
		"iss":       issuer,
		"sub":       c.user.ExtensionID,
		"aud":       c.app.ClientID,
		"iat":       now.Unix(),
		"exp":       now.Add(idTokenTTL).Unix(),
		"auth_time": c.authTime.Unix(),
		"jti":       randomToken(16),
	}
	if c.nonce != "" {
		claims["nonce"] = c.nonce
	}
	ui := newUserInfo(c.user)
	for k, v := range map[string]string{"account_id": ui.AccountID, "email": ui.Email, "given_name": ui.GivenName, "family_name": ui.FamilyName} {
		if v != "" {
			claims[k] = v
		}
	}
	if ui.EmailVerified != nil {
		claims["email_verified"] = *ui.EmailVerified
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = s.fx.Environment.SigningKeyID
	signed, err := tok.SignedString(key)
	if err != nil {
		return "", errServerError("signing id_token: " + err.Error())
	}
	return signed, nil
}

// userInfo is RingCentral's UserInfoResource.
type userInfo struct {
	Sub           string `json:"sub"`
	Email         string `json:"email,omitempty"`
	EmailVerified *bool  `json:"email_verified,omitempty"`
	AccountID     string `json:"account_id,omitempty"`
	GivenName     string `json:"given_name,omitempty"`
	FamilyName    string `json:"family_name,omitempty"`
}

// handleUserInfo serves GET and POST /restapi/oauth/userinfo (OpenAPI authUserInfo, Auth group; OpenID
// Connect Core §5.3.1: the endpoint MUST support GET and POST) with a bearer access token (RFC 6750 §2.1).
// The token must belong to a user (a client_credentials or guest token answers 403 CMN-405) and carry the
// openid scope (Core §5.3: UserInfo answers for tokens of an OpenID Connect request; else 403 CMN-401);
// both refusals are UNVERIFIED for RingCentral.
func (s *Server) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		writeError(w, errAPIMethodNotAllowed("GET, POST"))
		return
	}
	acc, e := s.bearerAuthGroup(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	switch sess := acc.sess; {
	case sess.user == nil:
		writeError(w, errAPILoginRequired().withReason("the access token has no user (%s grant)", sess.grant))
		return
	case !sess.hasScope("openid"):
		writeError(w, errAPIAppPermission("openid").withReason("the access token's scope has no openid"))
		return
	}
	writeJSON(w, http.StatusOK, newUserInfo(acc.sess.user))
}

// newUserInfo renders u as UserInfoResource; the id_token carries the same claims. email_verified is true
// for every fixture email, since the fixture has no unverified addresses (what RingCentral reports is
// UNVERIFIED).
func newUserInfo(u *User) userInfo {
	ui := userInfo{Sub: u.ExtensionID, AccountID: u.AccountID, GivenName: u.FirstName, FamilyName: u.LastName}
	if u.Email != "" {
		verified := true
		ui.Email, ui.EmailVerified = u.Email, &verified
	}
	return ui
}
