package steps

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/rcoauth/conformance/driver"
)

// OpenID Connect: the discovery document, the JSON Web Key Set, UserInfo and the id_token of the
// authorization code grant (OpenAPI readOpenIdConfiguration, authJwks, authUserInfo, TokenInfo.id_token;
// ringcentral-oauth.md §8.4).

func (v *vocabulary) oidc() {
	w := v.w
	v.sc.Step(v.re(`^the app reads the JSON Web Key Set$`), w.readJWKS)
	v.sc.Step(v.assertion(`^every key in the set is a public RSA signing key with a key ID$`), w.keysArePublicSigningKeys)
	v.sc.Step(v.re(`^the app calls the userinfo endpoint (with the|without an) access token$`), w.userInfoStep)
	v.sc.Step(v.assertion(`^the userinfo subject is the token's owner$`), w.userInfoNamesOwner)
	v.sc.Step(v.re(`^the user authorizes the app for OpenID Connect$`), w.authorizeForOIDC)
	v.sc.Step(v.assertion(`^the id_token's signature verifies with a key of the JWKS$`), w.idTokenSignature)
	v.sc.Step(v.assertion(`^the id_token names the issuer, the app, the user and the nonce$`), w.idTokenClaims)
}

// readJWKS reads the public JSON Web Key Set (OpenAPI authJwks) and makes it the current result. The
// discovery document is read by "the app reads the authorization server metadata" (metadata.go), which on
// RingCentral reads /.well-known/openid-configuration.
func (w *world) readJWKS(ctx context.Context) (err error) {
	defer w.verdict(&err)
	resp, err := w.callGet(ctx, driver.JWKSPath)
	w.setResult(&result{what: whatJWKS, resp: resp, err: err})
	return nil
}

// userInfoStep calls UserInfo with the latest access token, or without one.
func (w *world) userInfoStep(ctx context.Context, with string) (err error) {
	defer w.verdict(&err)
	if with == "without an" {
		return w.callUserInfo(ctx, "")
	}
	t, err := w.latestToken()
	if err != nil {
		return err
	}
	return w.callUserInfo(ctx, t.AccessToken)
}

// authorizeForOIDC sends the authorization request with scope openid and a fresh nonce (OpenID Connect Core
// §3.1.2.1), and takes the user's approval as authorizeApp does.
func (w *world) authorizeForOIDC(ctx context.Context) (err error) {
	defer w.verdict(&err)
	return w.authorizeStep(ctx, http.MethodGet, func(a *authorization) {
		a.form.Set("scope", "openid")
		a.form.Set("nonce", randomID())
	})
}

// keysArePublicSigningKeys parses the latest answer as a JWK Set (RFC 7517 §5, with go-jose) and checks
// every key against RingCentral's JWKey (kty RSA with n and e, alg, use sig, kid): a public key only, no
// private members (RFC 7517 §9.2 would make publishing one a disaster).
func (w *world) keysArePublicSigningKeys() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	if r.resp == nil || r.resp.Status != http.StatusOK {
		return fmt.Errorf("no key set: %s", r.describe())
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(r.resp.Body, &set); err != nil {
		return fmt.Errorf("the key set is not a JWK Set: %v\nreceived: %s", err, r.describe())
	}
	var p problems
	if len(set.Keys) == 0 {
		p.addf("the key set has no keys")
	}
	for i, k := range set.Keys {
		if _, ok := k.Key.(*rsa.PublicKey); !ok {
			p.addf("keys[%d] (kid %q) is %T; want a public RSA key", i, k.KeyID, k.Key)
		}
		if k.KeyID == "" {
			p.addf("keys[%d] has no kid", i)
		}
		if k.Use != "sig" {
			p.addf("keys[%d] (kid %q) has use %q; want sig", i, k.KeyID, k.Use)
		}
		if k.Algorithm == "" {
			p.addf("keys[%d] (kid %q) has no alg", i, k.KeyID)
		}
	}
	return p.err(r)
}

// callUserInfo calls OpenID Connect UserInfo (Core §5.3) with the access token, or without any
// Authorization header when accessToken is empty.
func (w *world) callUserInfo(ctx context.Context, accessToken string) error {
	resp, err := w.callAPI(ctx, driver.APIRequest{Path: driver.UserInfoPath, AccessToken: accessToken})
	w.setAPIResult(resp, err)
	return nil
}

// userInfoNamesOwner checks that UserInfo's sub is the token's owner_id, both being the user's extension
// id (OpenAPI UserInfoResource.sub, TokenInfo.owner_id).
func (w *world) userInfoNamesOwner() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	t, err := w.latestToken()
	if err != nil {
		return err
	}
	if r.resp == nil || r.resp.Status != http.StatusOK {
		return fmt.Errorf("no userinfo: %s", r.describe())
	}
	if sub := r.resp.JSON().Get("sub"); sub.String() != t.OwnerID || t.OwnerID == "" {
		return fmt.Errorf("userinfo sub %s; want the token's owner_id %q\nreceived: %s", sub.Raw, t.OwnerID, r.describe())
	}
	return nil
}

// provider reads the discovery document and the key set it names, as a relying party does before it
// trusts an id_token (OpenID Connect Core §3.1.3.7, Discovery §3). The exchanges are recorded but do not
// replace the scenario's current result.
func (w *world) provider(ctx context.Context) (issuer string, keys jose.JSONWebKeySet, err error) {
	resp, err := w.callGet(ctx, driver.DiscoveryPath)
	if err != nil {
		return "", keys, fmt.Errorf("reading the discovery document: %w", err)
	}
	var doc driver.Metadata
	if err := json.Unmarshal(resp.Body, &doc); err != nil {
		return "", keys, fmt.Errorf("the discovery document is not OpenID Connect Discovery metadata: %v: %s", err, resp.String())
	}
	issuer, jwksURI := doc.Issuer, doc.JWKSURI
	if issuer == "" || jwksURI == "" {
		return "", keys, fmt.Errorf("the discovery document lacks issuer or jwks_uri: %s", resp.String())
	}
	resp, err = w.callGet(ctx, jwksURI)
	if err != nil {
		return "", keys, fmt.Errorf("reading the key set at %s: %w", jwksURI, err)
	}
	if err := json.Unmarshal(resp.Body, &keys); err != nil {
		return "", keys, fmt.Errorf("the key set at %s is not a JWK Set: %v", jwksURI, err)
	}
	return issuer, keys, nil
}

// idToken returns the latest token response's id_token.
func (w *world) idToken() (*driver.TokenInfo, error) {
	t, err := w.latestToken()
	if err != nil {
		return nil, err
	}
	if t.IDToken == "" {
		return nil, fmt.Errorf("the latest token response has no id_token (OpenID Connect Core §3.1.3.3)")
	}
	return t, nil
}

// idTokenAlgorithms are the algorithms RingCentral's OpenIdDiscovery lists for id_tokens that a key of
// the JWKS can verify (its HS256 would be keyed with the client secret, not a JWKS key).
var idTokenAlgorithms = []string{"RS256"}

// idTokenSignature verifies the id_token's JWS (golang-jwt) with the key of the JWKS its kid names
// (go-jose), as OpenID Connect Core §3.1.3.7 item 6 and §10.1 require.
func (w *world) idTokenSignature(ctx context.Context) (err error) {
	defer w.verdict(&err)
	t, err := w.idToken()
	if err != nil {
		return err
	}
	_, keys, err := w.provider(ctx)
	if err != nil {
		return err
	}
	_, err = jwt.NewParser(jwt.WithValidMethods(idTokenAlgorithms), jwt.WithoutClaimsValidation()).Parse(t.IDToken, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		found := keys.Key(kid)
		if kid == "" || len(found) == 0 {
			return nil, fmt.Errorf("no key of the JWKS has the id_token's kid %q", kid)
		}
		return found[0].Key, nil
	})
	if err != nil {
		return fmt.Errorf("the id_token does not verify with the JWKS: %v", err)
	}
	return nil
}

// idTokenClaims checks the id_token's claims as a relying party must (OpenID Connect Core §3.1.3.7):
// iss is the discovery document's issuer, aud contains the client_id, sub is the token's owner (the user's
// extension id, as in UserInfo), nonce is the one the authorization request sent (§3.1.2.1: passed through
// unmodified), and exp lies after iat and after now (one minute of clock skew allowed).
func (w *world) idTokenClaims(ctx context.Context) (err error) {
	defer w.verdict(&err)
	t, err := w.idToken()
	if err != nil {
		return err
	}
	a, err := w.currentApp()
	if err != nil {
		return err
	}
	issuer, _, err := w.provider(ctx)
	if err != nil {
		return err
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(t.IDToken, claims); err != nil {
		return fmt.Errorf("the id_token is not a JWT: %v", err)
	}
	var p problems
	if iss, _ := claims.GetIssuer(); iss != issuer {
		p.addf("iss %q; want the discovery document's issuer %q", iss, issuer)
	}
	if aud, _ := claims.GetAudience(); !slices.Contains(aud, a.id) {
		p.addf("aud %v; want it to contain the client_id %q", []string(aud), a.id)
	}
	if sub, _ := claims.GetSubject(); sub == "" || sub != t.OwnerID {
		p.addf("sub %q; want the token's owner_id %q", sub, t.OwnerID)
	}
	want := ""
	if w.authz != nil {
		want = w.authz.form.Get("nonce")
	}
	if got, _ := claims["nonce"].(string); want == "" || got != want {
		p.addf("nonce %q; want the nonce of the authorization request %q", got, want)
	}
	exp, _ := claims.GetExpirationTime()
	iat, _ := claims.GetIssuedAt()
	switch {
	case exp == nil || iat == nil:
		p.addf("exp %v, iat %v; both are required", claims["exp"], claims["iat"])
	case !exp.After(iat.Time):
		p.addf("exp %s is not after iat %s", exp.UTC(), iat.UTC())
	case exp.Before(w.clock.now().Add(-time.Minute)):
		p.addf("exp %s has passed", exp.UTC())
	}
	if len(p) > 0 {
		shown, _ := json.Marshal(claims)
		return fmt.Errorf("%d problem(s) with the id_token:\n  - %s\nclaims: %s", len(p), strings.Join(p, "\n  - "), shown)
	}
	return nil
}
