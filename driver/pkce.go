package driver

import (
	"fmt"

	"golang.org/x/oauth2"
)

// PKCE code challenge methods (RFC 7636 §4.2).
const (
	// PKCEPlain sends the verifier itself as the challenge; servers may refuse it (RFC 9700 §2.1.1).
	PKCEPlain = "plain"
	// PKCES256 sends BASE64URL(SHA256(verifier)); clients able to use it must (RFC 7636 §4.2).
	PKCES256 = "S256"
)

// PKCE is a Proof Key for Code Exchange pair (RFC 7636): the code_verifier sent to the token endpoint
// and the code_challenge and code_challenge_method sent to the authorization endpoint.
type PKCE struct {
	Verifier  string
	Challenge string
	Method    string
}

// NewPKCE returns a fresh pair for method "S256" or "plain". The verifier is 32 random octets,
// base64url-encoded (43 characters), as RFC 7636 §4.1 recommends; it comes from
// golang.org/x/oauth2.GenerateVerifier.
func NewPKCE(method string) (PKCE, error) {
	return PKCEFromVerifier(method, oauth2.GenerateVerifier())
}

// PKCEFromVerifier returns the pair for a given verifier (RFC 7636 §4.2): for "S256" the challenge is
// BASE64URL(SHA256(verifier)), for "plain" it is the verifier itself. The verifier is not checked, so
// that negative tests can use malformed ones.
func PKCEFromVerifier(method, verifier string) (PKCE, error) {
	switch method {
	case PKCES256:
		return PKCE{Verifier: verifier, Challenge: oauth2.S256ChallengeFromVerifier(verifier), Method: method}, nil
	case PKCEPlain:
		return PKCE{Verifier: verifier, Challenge: verifier, Method: method}, nil
	}
	return PKCE{}, fmt.Errorf("driver: unknown PKCE method %q (want S256 or plain)", method)
}
