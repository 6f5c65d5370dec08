package driver

import (
	"regexp"
	"testing"
)

func TestPKCE(t *testing.T) {
	tests := []struct {
		name, method, verifier, want string
	}{
		// RingCentral's developer guide, auth-code-pkce-flow.md.
		{"RingCentral S256 vector", "S256", "pIUgx4tiqFpaOUz0HMc_QbIyQlL901w8mRmkrmhEJ_E", "_drLS7o5FwkfUiBhlq2hwJnK_SC6yE7sKOde5O1fdzk"},
		// RFC 7636 Appendix B.
		{"RFC 7636 Appendix B", "S256", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
		{"plain", "plain", "pIUgx4tiqFpaOUz0HMc_QbIyQlL901w8mRmkrmhEJ_E", "pIUgx4tiqFpaOUz0HMc_QbIyQlL901w8mRmkrmhEJ_E"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PKCEFromVerifier(tt.method, tt.verifier)
			if err != nil {
				t.Fatal(err)
			}
			if p.Challenge != tt.want || p.Method != tt.method || p.Verifier != tt.verifier {
				t.Errorf("got %+v; want challenge %q", p, tt.want)
			}
		})
	}
}

func TestNewPKCE(t *testing.T) {
	verifierRE := regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`) // RFC 7636 §4.1
	for _, method := range []string{"S256", "plain"} {
		t.Run(method, func(t *testing.T) {
			p, err := NewPKCE(method)
			if err != nil {
				t.Fatal(err)
			}
			if !verifierRE.MatchString(p.Verifier) {
				t.Errorf("verifier %q does not match RFC 7636 §4.1", p.Verifier)
			}
			want, _ := PKCEFromVerifier(method, p.Verifier)
			if p != want {
				t.Errorf("got %+v; want %+v", p, want)
			}
			q, _ := NewPKCE(method)
			if q.Verifier == p.Verifier {
				t.Error("two calls returned the same verifier")
			}
		})
	}
	if _, err := NewPKCE("S512"); err == nil || err.Error() != `driver: unknown PKCE method "S512" (want S256 or plain)` {
		t.Errorf("NewPKCE(S512) error = %v", err)
	}
}
