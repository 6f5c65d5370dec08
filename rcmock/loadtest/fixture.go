package loadtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcoauth/conformance/rcmock"
)

// Population is who signs in during a run: users and apps with their secrets.
type Population struct {
	Users []UserCredentials
	Apps  []AppCredentials
	// AccountID is the account of every user, which client_credentials sessions act for.
	AccountID string
}

// UserCredentials sign one user in: by password or by JWT credential (the JWT bearer grant), or by
// login_hint at the authorization endpoint, which the mock approves at once.
type UserCredentials struct {
	ExtensionID string
	Email       string
	Password    string
	// JWT is the user's JWT credential, signed with the environment's credential key.
	JWT string
}

// AppCredentials identify one confidential app (client_secret_basic, RFC 6749 §2.3.1).
type AppCredentials struct {
	ClientID     string
	ClientSecret string
	RedirectURI  string
}

// loadGrants are the grants every app of the population is approved for.
var loadGrants = []string{
	rcmock.GrantPassword, rcmock.GrantJWTBearer, rcmock.GrantAuthorizationCode, rcmock.GrantRefreshToken, rcmock.GrantClientCredentials,
}

// NewFixture returns rcmock's default fixture with users more users and apps more apps, and their
// credentials; cmd/rcmock loads it with -fixture once it is written as JSON. Every added app is confidential
// and approved for the password, JWT bearer, authorization code, refresh and client_credentials grants;
// every added user has a password and a JWT credential. The environment's credential key is replaced by a
// fresh ECDSA key whose private half signs those credentials (the default fixture holds only the public half
// of its own), so the default fixture's JWT credentials (env/mock.env) do not verify against the result.
func NewFixture(users, apps int) (*rcmock.Fixture, Population, error) {
	f := rcmock.DefaultFixture()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, Population{}, fmt.Errorf("loadtest: credential key: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, Population{}, fmt.Errorf("loadtest: credential key: %w", err)
	}
	f.Environment.CredentialPublicKey = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))

	account := f.Users[0].AccountID
	pop := Population{AccountID: account}
	for i := range apps {
		a := AppCredentials{
			ClientID:     fmt.Sprintf("rcmockLoadApp%02d", i+1),
			ClientSecret: fmt.Sprintf("load-Secret-%02d", i+1),
			RedirectURI:  "https://client.example.com/oauth/callback",
		}
		f.Apps = append(f.Apps, rcmock.App{
			Name: "load " + a.ClientID, ClientID: a.ClientID, ClientSecret: a.ClientSecret, Type: "confidential",
			AuthMethods: []string{rcmock.AuthClientSecretBasic}, GrantTypes: loadGrants, RedirectURIs: []string{a.RedirectURI},
			Scopes: []string{"ReadAccounts"}, IssueRefreshTokens: true, RefreshTokenTTL: 604800,
		})
		pop.Apps = append(pop.Apps, a)
	}
	for i := range users {
		u := rcmock.User{
			ExtensionID: fmt.Sprintf("7700000%04d", i+1), AccountID: account, ExtensionNumber: fmt.Sprintf("%d", 701+i),
			Email: fmt.Sprintf("load.user%02d@example.com", i+1), FirstName: "Load", LastName: fmt.Sprintf("User%02d", i+1),
			Password:       fmt.Sprintf("Load-Pa55word-%02d!", i+1),
			JWTCredentials: []rcmock.JWTCredential{{ID: fmt.Sprintf("load-jwt-%02d", i+1), Kind: rcmock.CredentialJWT}},
		}
		// A credential has no exp: "Credentials do not expire (unless you elect otherwise)" (jwt-flow.md), so
		// it stays valid however far the run moves the mock's clock.
		cred, err := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.RegisteredClaims{
			Issuer: f.Environment.CredentialIssuer, Subject: u.ExtensionID,
			Audience: jwt.ClaimStrings{f.Environment.CredentialAudience}, ID: u.JWTCredentials[0].ID,
		}).SignedString(key)
		if err != nil {
			return nil, Population{}, fmt.Errorf("loadtest: signing a JWT credential: %w", err)
		}
		f.Users = append(f.Users, u)
		pop.Users = append(pop.Users, UserCredentials{ExtensionID: u.ExtensionID, Email: u.Email, Password: u.Password, JWT: cred})
	}
	return f, pop, nil
}
