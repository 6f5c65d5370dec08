package rcmock

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAuthCodeGrant: a code from the authorization endpoint is exchanged for a TokenInfo that conforms to
// RingCentral's schema and whose access token works at the API (RFC 6749 §4.1.3-4.1.4).
func TestAuthCodeGrant(t *testing.T) {
	tests := []struct {
		name        string
		params      url.Values
		client      string
		secret      string
		form        url.Values
		wantOwner   string
		wantRefresh bool
		wantIDToken bool
	}{
		{"main app with redirect_uri", authzParams("scope", "ReadAccounts SMS"), tMainID, tMainSecret,
			url.Values{"redirect_uri": {tCallback}}, tJane, true, false},
		{"login_hint picks the owner", authzParams("scope", "ReadAccounts", "login_hint", "john.roe@example.com"), tMainID, tMainSecret,
			url.Values{"redirect_uri": {tCallback}}, tJohn, true, false},
		{"openid scope adds an id_token", authzParams("scope", "openid ReadAccounts"), tMainID, tMainSecret,
			url.Values{"redirect_uri": {tCallback}}, tJane, true, true},
		{"restricted app issues no refresh token", authzParams("client_id", tRestrictedID, "redirect_uri", "", "scope", "ReadAccounts"), tRestrictedID, tRestrictedSc,
			url.Values{}, tJane, false, false},
		{"public app with PKCE", authzParams("client_id", tPublicID, "redirect_uri", "", "scope", "ReadAccounts", "code_challenge", tChallenge, "code_challenge_method", "S256"), tPublicID, "",
			url.Values{"code_verifier": {tVerifier}}, tJane, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestServer(t, withTestApps)
			code := e.code(t, tt.params)
			tt.form.Set("grant_type", "authorization_code")
			tt.form.Set("code", code)
			r := e.token(t, client{tt.client, tt.secret}, tt.form)
			if r.status != http.StatusOK {
				t.Fatalf("got status %d; want 200\n%s", r.status, r.body)
			}
			if err := testSpec(t).ValidateResponse(http.MethodPost, PathToken, r.status, r.header.Get("Content-Type"), r.body); err != nil {
				t.Errorf("token response does not conform: %v", err)
			}
			m := r.json(t)
			// The authorization request's scope is ignored (authorize.go authorizeScope): the token carries
			// the app's scopes.
			if got, want := m["scope"], strings.Join(e.srv.fx.apps[tt.client].Scopes, " "); got != want {
				t.Errorf("got scope %q; want the app's %q", got, want)
			}
			if got := m["owner_id"]; got != tt.wantOwner {
				t.Errorf("got owner_id %v; want %s", got, tt.wantOwner)
			}
			if _, got := m["refresh_token"]; got != tt.wantRefresh {
				t.Errorf("got refresh_token present %v; want %v", got, tt.wantRefresh)
			}
			if _, got := m["id_token"]; got != tt.wantIDToken {
				t.Errorf("got id_token present %v; want %v", got, tt.wantIDToken)
			}
			access, _ := m["access_token"].(string)
			if got := e.api(t, access).status; got != http.StatusOK {
				t.Errorf("API call with the access token: got status %d; want 200", got)
			}
		})
	}
}

// TestAuthCodeGrantErrors: the code must exist, belong to the app and be unexpired, and redirect_uri must
// follow RFC 6749 §4.1.3 (docs/basics/errors.md OAU-106, OAU-108, OAU-109, OAU-110; answered with 400 at the
// token endpoint).
func TestAuthCodeGrantErrors(t *testing.T) {
	tests := []struct {
		name       string
		params     url.Values    // authorization request; nil: no code
		advance    time.Duration // clock advance between authorization and token request
		client     string
		secret     string
		form       url.Values // the code is added unless form has "code"
		wantStatus int
		wantOAuth  string
		wantCode   string
	}{
		{"missing code", nil, 0, tMainID, tMainSecret, url.Values{"code": {""}}, 400, "invalid_request", "CMN-101"},
		{"unknown code", nil, 0, tMainID, tMainSecret, url.Values{"code": {"no-such-code"}, "redirect_uri": {tCallback}}, 400, "invalid_grant", "OAU-106"},
		{"code of another app", authzParams("client_id", tRestrictedID, "redirect_uri", ""), 0, tMainID, tMainSecret,
			url.Values{"redirect_uri": {tCallback}}, 400, "invalid_grant", "OAU-110"},
		{"used one second before expiry", authzParams(), 59 * time.Second, tMainID, tMainSecret,
			url.Values{"redirect_uri": {tCallback}}, 200, "", ""},
		{"expired", authzParams(), 60 * time.Second, tMainID, tMainSecret,
			url.Values{"redirect_uri": {tCallback}}, 400, "invalid_grant", "OAU-108"},
		{"redirect_uri sent at authorization, omitted now", authzParams(), 0, tMainID, tMainSecret,
			url.Values{}, 400, "invalid_grant", "OAU-109"},
		{"redirect_uri differs: other registered URI", authzParams(), 0, tMainID, tMainSecret,
			url.Values{"redirect_uri": {tSecondRedirect}}, 400, "invalid_grant", "OAU-109"},
		{"redirect_uri differs: trailing slash", authzParams(), 0, tMainID, tMainSecret,
			url.Values{"redirect_uri": {tCallback + "/"}}, 400, "invalid_grant", "OAU-109"},
		{"redirect_uri omitted at authorization and now", authzParams("client_id", tRestrictedID, "redirect_uri", ""), 0, tRestrictedID, tRestrictedSc,
			url.Values{}, 200, "", ""},
		{"redirect_uri omitted at authorization, registered one now", authzParams("client_id", tRestrictedID, "redirect_uri", ""), 0, tRestrictedID, tRestrictedSc,
			url.Values{"redirect_uri": {tCallback}}, 200, "", ""},
		{"redirect_uri omitted at authorization, unregistered one now", authzParams("client_id", tRestrictedID, "redirect_uri", ""), 0, tRestrictedID, tRestrictedSc,
			url.Values{"redirect_uri": {tSecondRedirect}}, 400, "invalid_grant", "OAU-109"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestServer(t, withTestApps)
			if tt.params != nil {
				code := e.code(t, tt.params)
				tt.form.Set("code", code)
			}
			e.clock.Advance(tt.advance)
			tt.form.Set("grant_type", "authorization_code")
			r := e.token(t, client{tt.client, tt.secret}, tt.form)
			if tt.wantStatus == http.StatusOK {
				if r.status != http.StatusOK {
					t.Fatalf("got status %d; want 200\n%s", r.status, r.body)
				}
				return
			}
			wantTokenError(t, r, tt.wantStatus, tt.wantOAuth, tt.wantCode)
		})
	}
}

// TestAuthCodePKCE: RFC 7636 §4.6 verification with S256 (the RingCentral documentation's vector), plain,
// the plain default for an omitted method (RFC 7636 §4.3), malformed verifiers (§4.1), a missing verifier,
// and the downgrade of RFC 9700 §2.1.1 (a verifier for a code issued without a challenge).
func TestAuthCodePKCE(t *testing.T) {
	otherVerifier := strings.Repeat("A", 43)
	tests := []struct {
		name     string
		client   string
		secret   string
		params   url.Values
		verifier string
		opts     func(*Options)
		wantOK   bool
	}{
		{"S256 RFC vector", tPublicID, "", authzParams("client_id", tPublicID, "code_challenge", tChallenge, "code_challenge_method", "S256"), tVerifier, nil, true},
		{"S256 wrong verifier", tPublicID, "", authzParams("client_id", tPublicID, "code_challenge", tChallenge, "code_challenge_method", "S256"), otherVerifier, nil, false},
		{"S256 verifier equal to the challenge", tPublicID, "", authzParams("client_id", tPublicID, "code_challenge", tChallenge, "code_challenge_method", "S256"), tChallenge, nil, false},
		{"S256 missing verifier", tPublicID, "", authzParams("client_id", tPublicID, "code_challenge", tChallenge, "code_challenge_method", "S256"), "", nil, false},
		{"S256 verifier of 42 characters", tPublicID, "", authzParams("client_id", tPublicID, "code_challenge", tChallenge, "code_challenge_method", "S256"), tVerifier[:42], nil, false},
		{"S256 verifier of 129 characters", tPublicID, "", authzParams("client_id", tPublicID, "code_challenge", tChallenge, "code_challenge_method", "S256"), strings.Repeat("a", 129), nil, false},
		{"S256 verifier with an illegal character", tPublicID, "", authzParams("client_id", tPublicID, "code_challenge", tChallenge, "code_challenge_method", "S256"), tVerifier[:42] + "/", nil, false},
		{"plain", tPublicID, "", authzParams("client_id", tPublicID, "code_challenge", tPlainChallenge, "code_challenge_method", "plain"), tPlainChallenge, nil, true},
		{"plain mismatch", tPublicID, "", authzParams("client_id", tPublicID, "code_challenge", tPlainChallenge, "code_challenge_method", "plain"), tPlainChallenge + "x", nil, false},
		{"omitted method is plain: verifier equal to challenge", tPublicID, "", authzParams("client_id", tPublicID, "code_challenge", tChallenge), tChallenge, nil, true},
		{"omitted method is plain: S256 verifier refused", tPublicID, "", authzParams("client_id", tPublicID, "code_challenge", tChallenge), tVerifier, nil, false},
		{"confidential app with S256", tMainID, tMainSecret, authzParams("code_challenge", tChallenge, "code_challenge_method", "S256"), tVerifier, nil, true},
		{"confidential app with S256, no verifier", tMainID, tMainSecret, authzParams("code_challenge", tChallenge, "code_challenge_method", "S256"), "", nil, false},
		{"downgrade: verifier without challenge", tMainID, tMainSecret, authzParams(), tVerifier, nil, false},
		{"downgrade allowed by option", tMainID, tMainSecret, authzParams(), tVerifier, func(o *Options) { o.RejectVerifierWithoutChallenge = false }, true},
		{"public app without PKCE allowed by option", tPublicID, "", authzParams("client_id", tPublicID), "", func(o *Options) { o.RequirePKCEForPublicClients = false }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mutate := []func(*Options){withTestApps}
			if tt.opts != nil {
				mutate = append(mutate, tt.opts)
			}
			e := newTestServer(t, mutate...)
			code := e.code(t, tt.params)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {tCallback}}
			if tt.verifier != "" {
				form.Set("code_verifier", tt.verifier)
			}
			r := e.token(t, client{tt.client, tt.secret}, form)
			if tt.wantOK {
				if r.status != http.StatusOK {
					t.Fatalf("got status %d; want 200\n%s\nreason: %s", r.status, r.body, r.header.Get("X-Mock-Error-Reason"))
				}
				return
			}
			wantTokenError(t, r, http.StatusBadRequest, "invalid_grant", "CMN-101")
			if p, _ := r.json(t)["errors"].([]any)[0].(map[string]any)["parameterName"].(string); p != "code_verifier" {
				t.Errorf("got parameterName %q; want code_verifier", p)
			}
		})
	}
}

// TestAuthCodeSingleUse: a code works once (RFC 6749 §4.1.2); reuse is OAU-106 and, with RevokeOnCodeReuse,
// revokes what the code issued, so the first access token answers 401 at the API and its refresh token is
// gone. A failed verification burns the code too; another app's attempt does not.
func TestAuthCodeSingleUse(t *testing.T) {
	t.Run("reuse revokes the tokens issued from the code", func(t *testing.T) {
		e := newTestServer(t, withTestApps)
		code := e.code(t, authzParams())
		first := e.redeem(t, code).json(t)
		access, _ := first["access_token"].(string)
		refresh, _ := first["refresh_token"].(string)
		if got := e.api(t, access).status; got != http.StatusOK {
			t.Fatalf("first access token: got status %d; want 200", got)
		}
		wantTokenError(t, e.redeem(t, code), http.StatusBadRequest, "invalid_grant", "OAU-106")
		if got := e.api(t, access).status; got != http.StatusUnauthorized {
			t.Errorf("first access token after reuse: got status %d; want 401", got)
		}
		r := e.token(t, mainClient, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
		wantTokenError(t, r, http.StatusBadRequest, "invalid_grant", "OAU-211")
	})
	t.Run("reuse without revocation", func(t *testing.T) {
		e := newTestServer(t, withTestApps, func(o *Options) { o.Settings.RevokeOnCodeReuse = false })
		code := e.code(t, authzParams())
		access, _ := e.redeem(t, code).json(t)["access_token"].(string)
		wantTokenError(t, e.redeem(t, code), http.StatusBadRequest, "invalid_grant", "OAU-106")
		if got := e.api(t, access).status; got != http.StatusOK {
			t.Errorf("first access token after reuse: got status %d; want 200", got)
		}
	})
	t.Run("a failed verification burns the code", func(t *testing.T) {
		e := newTestServer(t, withTestApps)
		code := e.code(t, authzParams("code_challenge", tChallenge, "code_challenge_method", "S256"))
		form := func(v string) url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {tCallback}, "code_verifier": {v}}
		}
		wantTokenError(t, e.token(t, mainClient, form(strings.Repeat("B", 43))), http.StatusBadRequest, "invalid_grant", "CMN-101")
		wantTokenError(t, e.token(t, mainClient, form(tVerifier)), http.StatusBadRequest, "invalid_grant", "OAU-106")
	})
	t.Run("a wrong redirect_uri burns the code", func(t *testing.T) {
		e := newTestServer(t, withTestApps)
		code := e.code(t, authzParams())
		r := e.token(t, mainClient, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {tSecondRedirect}})
		wantTokenError(t, r, http.StatusBadRequest, "invalid_grant", "OAU-109")
		wantTokenError(t, e.redeem(t, code), http.StatusBadRequest, "invalid_grant", "OAU-106")
	})
	t.Run("another app's attempt does not burn the code", func(t *testing.T) {
		e := newTestServer(t, withTestApps)
		code := e.code(t, authzParams())
		r := e.token(t, restrictedClient, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {tCallback}})
		wantTokenError(t, r, http.StatusBadRequest, "invalid_grant", "OAU-110")
		if r := e.redeem(t, code); r.status != http.StatusOK {
			t.Errorf("owner's redemption after another app's attempt: got status %d; want 200\n%s", r.status, r.body)
		}
	})
}

// TestAuthCodeConcurrentRedemption: of many concurrent token requests with one code exactly one succeeds
// (run with -race). With RevokeOnCodeReuse the others count as reuse, so the winner's tokens end up revoked
// whatever the interleaving; without it they stay valid.
func TestAuthCodeConcurrentRedemption(t *testing.T) {
	for _, revoke := range []bool{true, false} {
		name := map[bool]string{true: "revoke on reuse", false: "no revocation"}[revoke]
		t.Run(name, func(t *testing.T) {
			e := newTestServer(t, withTestApps, func(o *Options) { o.Settings.RevokeOnCodeReuse = revoke })
			code := e.code(t, authzParams())
			const n = 16
			body := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {tCallback}}.Encode()
			results := make([]response, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					results[i], errs[i] = e.tryDo(request{path: PathToken, body: body, header: mainAuth()})
				}()
			}
			close(start)
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			var access string
			wins := 0
			for _, r := range results {
				switch r.status {
				case http.StatusOK:
					wins++
					access, _ = r.json(t)["access_token"].(string)
				case http.StatusBadRequest:
					if got := r.json(t)["errors"].([]any)[0].(map[string]any)["errorCode"]; got != "OAU-106" {
						t.Errorf("got errorCode %v; want OAU-106", got)
					}
				default:
					t.Errorf("got status %d; want 200 or 400\n%s", r.status, r.body)
				}
			}
			if wins != 1 {
				t.Fatalf("got %d successful redemptions; want exactly 1", wins)
			}
			want := http.StatusOK
			if revoke {
				want = http.StatusUnauthorized
			}
			if got := e.api(t, access).status; got != want {
				t.Errorf("winner's access token: got status %d; want %d", got, want)
			}
		})
	}
}
