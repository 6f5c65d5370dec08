package rcmock

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// ClientAssertionType is the client_assertion_type of RFC 7523 §2.2 client authentication.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// authenticatedClient is the outcome of client authentication.
type authenticatedClient struct {
	app    *App
	method string // AuthClientSecretBasic, AuthClientSecretJWT, AuthPrivateKeyJWT or AuthNone
}

// authenticateClient authenticates the client of a token or revocation request (OpenAPI getToken and
// revokeToken descriptions):
//   - confidential clients: client_secret_basic (RFC 6749 §2.3.1), or client_secret_jwt / private_key_jwt
//     with client_assertion (RFC 7523 §2.2);
//   - public clients: client_id in the body; a Basic header with an empty secret is accepted too, because the
//     Python SDK always sends one.
//
// Basic credentials are accepted form-encoded (as RFC 6749 §2.3.1 requires) or raw (as RingCentral's SDKs
// send them). client_id in the body next to Basic is accepted when it names the same client (@rc-ex/core
// always sends it). More than one authentication method in a request is refused (RFC 6749 §2.3).
func (s *Server) authenticateClient(r *http.Request, f form, rl *realm) (authenticatedClient, *Error) {
	authz := r.Header.Get("Authorization")
	assertion := f.get("client_assertion")
	bodySecret := f.get("client_secret")
	bodyID := f.get("client_id")

	methods := 0
	for _, used := range []bool{authz != "", assertion != "", bodySecret != ""} {
		if used {
			methods++
		}
	}
	if methods > 1 {
		id := bodyID
		if bid, _, ok := parseBasic(authz); ok {
			id = bid
		}
		return authenticatedClient{}, errMultipleClientAuth(id)
	}

	switch {
	case authz != "":
		id, secret, ok := parseBasic(authz)
		if !ok {
			scheme, _, _ := strings.Cut(authz, " ")
			return authenticatedClient{}, errInvalidAuthorizationHeader(scheme).withReason("Authorization is not a decodable Basic id:secret value")
		}
		id = formDecoded(id)
		app := s.fx.apps[id]
		if app == nil {
			return authenticatedClient{}, errInvalidClientCredentials().withReason("unknown client_id in Basic credentials")
		}
		if bodyID != "" && bodyID != app.ClientID {
			return authenticatedClient{}, errInvalidClient(bodyID).withReason("client_id in the body differs from the Basic credentials")
		}
		if app.Type == "public" {
			if secret != "" {
				return authenticatedClient{}, errInvalidClientCredentials().withReason("a public app has no secret")
			}
			return authenticatedClient{app: app, method: AuthNone}, nil
		}
		if !slices.Contains(app.AuthMethods, AuthClientSecretBasic) {
			return authenticatedClient{}, errAuthMethodNotSupported().withReason("app is not registered for client_secret_basic")
		}
		if !secretMatches(secret, app.ClientSecret) {
			return authenticatedClient{}, errInvalidClientCredentials().withReason("wrong client secret")
		}
		return authenticatedClient{app: app, method: AuthClientSecretBasic}, nil

	case assertion != "":
		return s.authenticateAssertion(r, f, rl)

	case bodySecret != "":
		app := s.fx.apps[bodyID]
		if app == nil {
			return authenticatedClient{}, errInvalidClient(bodyID)
		}
		if !s.opts.AcceptClientSecretPost {
			return authenticatedClient{}, errAuthMethodNotSupported().withReason("client_secret in the body (client_secret_post) is not supported")
		}
		if !secretMatches(bodySecret, app.ClientSecret) {
			return authenticatedClient{}, errInvalidClientCredentials().withReason("wrong client secret")
		}
		return authenticatedClient{app: app, method: "client_secret_post"}, nil

	case bodyID != "":
		app := s.fx.apps[bodyID]
		if app == nil {
			return authenticatedClient{}, errInvalidClient(bodyID).withReason("unknown client_id")
		}
		if app.Type != "public" {
			return authenticatedClient{}, errClientAuthRequired().withReason("a confidential app must authenticate")
		}
		return authenticatedClient{app: app, method: AuthNone}, nil
	}
	return authenticatedClient{}, errClientAuthRequired()
}

// parseBasic decodes an RFC 7617 Basic Authorization value; the scheme is case-insensitive.
func parseBasic(h string) (id, secret string, ok bool) {
	scheme, value, found := strings.Cut(strings.TrimSpace(h), " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	value = strings.TrimSpace(value)
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(value); err != nil {
			return "", "", false
		}
	}
	id, secret, ok = strings.Cut(string(raw), ":")
	if !ok || id == "" {
		return "", "", false
	}
	return id, secret, true
}

// formDecoded undoes RFC 6749 §2.3.1's form-encoding of a Basic credential, or returns s unchanged when it
// is not valid form-encoding.
func formDecoded(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// secretMatches compares a presented Basic secret with the registered one, accepting both the form-encoded
// form RFC 6749 §2.3.1 prescribes and the raw form the SDKs send.
func secretMatches(presented, registered string) bool {
	if registered == "" {
		return false
	}
	if subtle.ConstantTimeCompare([]byte(presented), []byte(registered)) == 1 {
		return true
	}
	if d, err := url.QueryUnescape(presented); err == nil && subtle.ConstantTimeCompare([]byte(d), []byte(registered)) == 1 {
		return true
	}
	return false
}

// assertionAlgorithms are the JWS algorithms accepted in client assertions: HMAC for client_secret_jwt,
// RSA and ECDSA for private_key_jwt. "none" is never accepted (RFC 7523 §3 item 9: the JWT MUST be signed or
// MACed).
var (
	hmacAlgorithms = []string{"HS256", "HS384", "HS512"}
	keyAlgorithms  = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)

// authenticateAssertion checks an RFC 7523 §2.2 client assertion: the assertion type, the signature with the
// app's secret (client_secret_jwt) or a registered key (private_key_jwt), iss = sub = client_id (§3 items
// 1-2), aud naming this server's token endpoint, the endpoint called, or the issuer (§3 item 3), exp
// required and not passed (§3 item 4), iat not in the future, and jti present and not replayed (§3 item 7;
// OpenID Connect Core §9 makes jti REQUIRED). Every failure is invalid_client (RFC 7523 §3.2).
func (s *Server) authenticateAssertion(r *http.Request, f form, rl *realm) (authenticatedClient, *Error) {
	bad := func(format string, args ...any) (authenticatedClient, *Error) {
		e := errInvalidClientCredentials().withReason(format, args...)
		e.ParamName = "client_assertion"
		return authenticatedClient{}, e
	}
	if t := f.get("client_assertion_type"); t != ClientAssertionType {
		return authenticatedClient{}, errInvalidParameter("client_assertion_type", t).
			withReason("client_assertion_type must be %s", ClientAssertionType)
	}
	raw := f.get("client_assertion")

	var unverified jwt.RegisteredClaims
	tok, _, err := jwt.NewParser().ParseUnverified(raw, &unverified)
	if err != nil {
		return bad("client assertion is not a JWT: %v", err)
	}
	app := s.fx.apps[unverified.Issuer]
	if app == nil {
		return bad("client assertion iss %q is not a known client_id", unverified.Issuer)
	}
	if id := f.get("client_id"); id != "" && id != app.ClientID {
		return authenticatedClient{}, errInvalidClient(id).withReason("client_id in the body differs from the assertion's iss")
	}
	alg, _ := tok.Header["alg"].(string)
	var method string
	var keyFunc jwt.Keyfunc
	switch {
	case slices.Contains(hmacAlgorithms, alg):
		method = AuthClientSecretJWT
		keyFunc = func(*jwt.Token) (any, error) { return []byte(app.ClientSecret), nil }
	case slices.Contains(keyAlgorithms, alg):
		method = AuthPrivateKeyJWT
		kid, _ := tok.Header["kid"].(string)
		keys := s.fx.appKeys[app.ClientID]
		keyFunc = func(*jwt.Token) (any, error) {
			var vks jwt.VerificationKeySet
			for _, k := range keys {
				if kid == "" || k.kid == kid {
					vks.Keys = append(vks.Keys, k.key)
				}
			}
			if len(vks.Keys) == 0 {
				return nil, jwt.ErrTokenUnverifiable
			}
			return vks, nil
		}
	default:
		return bad("client assertion algorithm %q is not accepted", alg)
	}
	if !slices.Contains(app.AuthMethods, method) {
		return authenticatedClient{}, errAuthMethodNotSupported().withReason("app is not registered for %s", method)
	}

	var claims jwt.RegisteredClaims
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{alg}),
		jwt.WithTimeFunc(rl.Now),
		jwt.WithLeeway(s.opts.ClientAssertionLeeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	if _, err := parser.ParseWithClaims(raw, &claims, keyFunc); err != nil {
		return bad("client assertion rejected: %v", err)
	}
	if claims.Subject != app.ClientID {
		return bad("client assertion sub %q is not the client_id", claims.Subject)
	}
	iss := s.issuer(r)
	accepted := []string{iss + PathToken, iss + r.URL.Path, iss}
	if !slices.ContainsFunc(claims.Audience, func(a string) bool {
		return slices.Contains(accepted, strings.TrimRight(a, "/")) || slices.Contains(accepted, a)
	}) {
		return bad("client assertion aud %v does not name this server (%s)", []string(claims.Audience), iss+PathToken)
	}
	if claims.ID == "" {
		return bad("client assertion has no jti")
	}
	exp := claims.ExpiresAt.Time.Add(s.opts.ClientAssertionLeeway)
	if rl.seenJTI("client:"+app.ClientID, claims.ID, exp) {
		return bad("client assertion jti %q was already used", claims.ID)
	}
	return authenticatedClient{app: app, method: method}, nil
}
