package rcmock

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The fuzz targets run their seed corpus as ordinary tests; to fuzz one for a while:
//
//	go test -run '^$' -fuzz '^FuzzParseFormBody$' -fuzztime 30s ./rcmock
//
// Inputs that fail are written to testdata/fuzz/<target>/ and from then on run as regression tests.

// FuzzParseFormBody checks the form decoder of the token and revocation endpoints against net/url: it never
// panics, it agrees with url.ParseQuery wherever that accepts the body, a body without duplicates
// round-trips through url.Values, and any duplicated parameter is OAU-111 (RFC 6749 §3.2).
func FuzzParseFormBody(f *testing.F) {
	for _, seed := range []string{
		"",
		"grant_type=password&username=%2B16505550100%2A101&password=Mock-Pa55word%21",
		"a=1&a=2",
		"a=1&b=2&a=",
		"a=&a=",
		"a=1&A=1",
		"a&a",
		"a+b=c+d&a%20b=e",
		"=&=",
		"&&a=1&&",
		"a=%zz",
		"%=1",
		"a=1;b=2",
		"k=%E2%82%AC&%FF=%00",
		"x==y&y=x=",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, e := parseFormBody(body)
		if e != nil && (e.Status != http.StatusBadRequest || (e.Code != "OAU-111" && e.Code != "CMN-101")) {
			t.Fatalf("parseFormBody(%q): got %d %s; want 400 with OAU-111 or CMN-101", body, e.Status, e.Code)
		}

		// Where net/url accepts the body (it refuses ';' and bad escapes), both must agree.
		if want, err := url.ParseQuery(body); err == nil {
			dups := slices.Sorted(func(yield func(string) bool) {
				for k, v := range want {
					if len(v) > 1 && !yield(k) {
						return
					}
				}
			})
			switch {
			case len(dups) > 0 && (e == nil || e.Code != "OAU-111"):
				t.Fatalf("parseFormBody(%q): got %v; want OAU-111 for duplicated %q", body, e, dups)
			case len(dups) > 0 && !slices.Contains(dups, e.ParamName):
				t.Fatalf("parseFormBody(%q): OAU-111 names %q; want one of %q", body, e.ParamName, dups)
			case len(dups) == 0 && e != nil:
				t.Fatalf("parseFormBody(%q): got %v; want the values %v", body, e, want)
			case len(dups) == 0 && !reflect.DeepEqual(got.values, want):
				t.Fatalf("parseFormBody(%q): got %v; want %v", body, got.values, want)
			}
		}
		if e != nil {
			return
		}

		encoded := got.values.Encode()
		again, e := parseFormBody(encoded)
		if e != nil || !reflect.DeepEqual(again.values, got.values) {
			t.Fatalf("round trip of %q via %q: got %v, %v; want %v", body, encoded, again.values, e, got.values)
		}
		if len(got.values) > 0 {
			// Sending every parameter twice must name one of them as duplicated.
			_, e := parseFormBody(body + "&" + body)
			if e == nil || e.Code != "OAU-111" || got.values[e.ParamName] == nil {
				t.Fatalf("parseFormBody of %q twice: got %v; want OAU-111 naming one of its keys", body, e)
			}
		}
	})
}

// FuzzParseBasic checks the client_secret_basic decoding (RFC 7617, RFC 6749 §2.3.1): parseBasic,
// formDecoded and secretMatches never panic on any header; credentials encoded either way (form-encoded as
// the RFC requires, or raw as the SDKs send them) decode to what was encoded; and no other secret matches.
func FuzzParseBasic(f *testing.F) {
	f.Add(tMainID, tMainSecret, basicAuth(tMainID, tMainSecret))
	f.Add("id", "", "Basic aWQ6")
	f.Add("a b+c%", "s:e:c%2", "basic YTpi")
	f.Add("client", "secret", "Basic Y2xpZW50OnNlY3JldA")
	f.Add("\x00\xff", "é", "Basic  Og==  ")
	f.Add("x", "y", "Bearer abc")
	f.Add("x", "y", "Basic ====")
	f.Fuzz(func(t *testing.T, id, secret, header string) {
		if hid, hsecret, ok := parseBasic(header); ok {
			if hid == "" {
				t.Fatalf("parseBasic(%q): ok with an empty client id", header)
			}
			_ = formDecoded(hid)
			_ = secretMatches(hsecret, secret)
		}

		wantMatch := secret != "" // an app without a secret never matches
		encodings := []struct {
			name string
			enc  *base64.Encoding
		}{{"padded", base64.StdEncoding}, {"unpadded", base64.RawStdEncoding}}
		for _, e := range encodings {
			if id == "" {
				break
			}
			h := "Basic " + e.enc.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
			gotID, gotSecret, ok := parseBasic(h)
			if !ok || formDecoded(gotID) != id {
				t.Fatalf("form-encoded %s %q: got id %q (decoded %q), ok %v; want %q", e.name, h, gotID, formDecoded(gotID), ok, id)
			}
			if got := secretMatches(gotSecret, secret); got != wantMatch {
				t.Fatalf("form-encoded %s: secretMatches(%q, %q) = %v; want %v", e.name, gotSecret, secret, got, wantMatch)
			}
			if secretMatches(gotSecret+"x", secret) {
				t.Fatalf("secretMatches(%q, %q) = true for a different secret", gotSecret+"x", secret)
			}

			if strings.Contains(id, ":") {
				continue // raw credentials cannot carry ':' in the id (RFC 7617 §2)
			}
			h = "bAsIc " + e.enc.EncodeToString([]byte(id+":"+secret))
			gotID, gotSecret, ok = parseBasic(h)
			if !ok || gotID != id || gotSecret != secret {
				t.Fatalf("raw %s %q: got %q, %q, %v; want %q, %q", e.name, h, gotID, gotSecret, ok, id, secret)
			}
			if got := secretMatches(gotSecret, secret); got != wantMatch {
				t.Fatalf("raw %s: secretMatches(%q, %q) = %v; want %v", e.name, gotSecret, secret, got, wantMatch)
			}
			if secretMatches(secret+"x", secret) {
				t.Fatalf("secretMatches(%q, %q) = true for a different secret", secret+"x", secret)
			}
		}
	})
}

// opsClientAssertion signs an RFC 7523 §2.2 client assertion for the client_secret_jwt app, addressed to the
// token endpoint as httptest.NewRequest's host (example.com) names it.
func opsClientAssertion(tb testing.TB, env map[string]string, jti string, iat time.Time) string {
	tb.Helper()
	return secretJWTAssertion(tb, env, "http://example.com"+PathToken, jti, iat)
}

// secretJWTAssertion signs an RFC 7523 §2.2 client assertion for the client_secret_jwt app, addressed to aud,
// valid for an hour from iat.
func secretJWTAssertion(tb testing.TB, env map[string]string, aud, jti string, iat time.Time) string {
	tb.Helper()
	id := env["RC_SECRET_JWT_CLIENT_ID"]
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
		Issuer:    id,
		Subject:   id,
		Audience:  jwt.ClaimStrings{aud},
		ExpiresAt: jwt.NewNumericDate(iat.Add(time.Hour)),
		IssuedAt:  jwt.NewNumericDate(iat),
		ID:        jti,
	}).SignedString([]byte(env["RC_SECRET_JWT_CLIENT_SECRET"]))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// opsCheckTokenAnswer asserts what every token-endpoint answer must be, whatever the request: no server
// error, a JSON object with Cache-Control: no-store (RFC 6749 §5.1), and either a token (TokenInfo) or an
// OAuth error (RFC 6749 §5.2, RingCentral's errors[] with error_description equal to errors[0].message).
func opsCheckTokenAnswer(tb testing.TB, r response) {
	tb.Helper()
	if r.status >= 500 || r.status < 200 {
		tb.Fatalf("status %d (%s); want a token or a 4xx error\n%s", r.status, r.header.Get("X-Mock-Error-Reason"), r.body)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		tb.Fatalf("Cache-Control: got %q; want no-store", got)
	}
	if got := r.header.Get("Content-Type"); got != "application/json" {
		tb.Fatalf("Content-Type: got %q; want application/json", got)
	}
	var body struct {
		AccessToken      string `json:"access_token"`
		TokenType        string `json:"token_type"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		ErrorCode        string `json:"errorCode"` // 429s have RingCentral's API shape
		Errors           []struct {
			ErrorCode string `json:"errorCode"`
			Message   string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		tb.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	switch {
	case r.status == http.StatusOK:
		if body.AccessToken == "" || body.TokenType != "bearer" {
			tb.Fatalf("200 without a bearer access_token: %s", r.body)
		}
	case len(body.Errors) == 0 || body.Errors[0].ErrorCode == "":
		tb.Fatalf("%d without errors[0].errorCode: %s", r.status, r.body)
	case r.status == http.StatusTooManyRequests:
		if body.ErrorCode == "" {
			tb.Fatalf("429 without errorCode: %s", r.body)
		}
	case body.Error == "" || body.ErrorDescription != body.Errors[0].Message:
		tb.Fatalf("%d error without error, or error_description different from errors[0].message: %s", r.status, r.body)
	}
}

// FuzzJWTAssertion drives the token endpoint with an arbitrary client_assertion (RFC 7523 §2.2; client
// authentication of the client_secret_jwt app on a password grant) or, when bearerGrant is set, an
// arbitrary JWT bearer grant assertion (RFC 7523 §2.1; main app, Basic authentication). Whatever the
// assertion, the answer is a token or a JSON error, never a panic or a 5xx, always with no-store.
func FuzzJWTAssertion(f *testing.F) {
	env := mockEnv(f)
	valid := opsClientAssertion(f, env, "fuzz-seed-jti", testStart.Add(-time.Minute))
	header, payload, _ := strings.Cut(valid, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + strings.Split(payload, ".")[0] + "."
	for _, seed := range []string{
		valid,
		valid[:len(valid)/2],
		none,
		header + "..",
		"not.a.jwt",
		"eyJhbGciOiJIUzI1NiJ9.e30.",
		"",
		"....",
		strings.Repeat("A", 4096),
	} {
		f.Add(seed, false)
	}
	for _, seed := range []string{
		env["RC_JWT"],
		env["RC_JWT"][:len(env["RC_JWT"])/2],
		env["RC_JWT_EXPIRED"],
		env["RC_JWT_OTHER_ENV"],
		env["RC_PERSONAL_JWT"],
		none,
		valid, // HS256: OAU-347 for a bearer assertion
		"garbage",
		"",
	} {
		f.Add(seed, true)
	}

	ts := newTestServer(f)
	passwordBody := url.Values{"grant_type": {GrantPassword}, "username": {tUsername}, "password": {tPassword},
		"client_assertion_type": {ClientAssertionType}}
	f.Fuzz(func(t *testing.T, assertion string, bearerGrant bool) {
		rq := request{path: PathToken}
		if bearerGrant {
			rq.body = url.Values{"grant_type": {GrantJWTBearer}, "assertion": {assertion}}.Encode()
			rq.header = mainAuth()
		} else {
			body := url.Values{"client_assertion": {assertion}}
			for k, v := range passwordBody {
				body[k] = v
			}
			rq.body = body.Encode()
		}
		opsCheckTokenAnswer(t, ts.serve(rq))
	})
}

// TestJWTAssertionSeedsAreAccepted keeps FuzzJWTAssertion honest: its valid seeds must get tokens,
// otherwise the target explores nothing but the error paths.
func TestJWTAssertionSeedsAreAccepted(t *testing.T) {
	env := mockEnv(t)
	ts := newTestServer(t)
	iat := ts.clock.Now().Add(-time.Minute)
	tests := []struct {
		name, body, authorization string
	}{
		{
			name: "client assertion",
			body: url.Values{"grant_type": {GrantPassword}, "username": {tUsername}, "password": {tPassword},
				"client_assertion_type": {ClientAssertionType}, "client_assertion": {opsClientAssertion(t, env, "seed-check", iat)}}.Encode(),
		},
		{
			name:          "JWT bearer assertion",
			body:          url.Values{"grant_type": {GrantJWTBearer}, "assertion": {env["RC_JWT"]}}.Encode(),
			authorization: basicAuth(tMainID, tMainSecret),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.serve(request{path: PathToken, body: tt.body, header: map[string]string{"Authorization": tt.authorization}})
			if r.status != http.StatusOK {
				t.Fatalf("got %d %s (%s); want 200", r.status, r.body, r.reason())
			}
			opsCheckTokenAnswer(t, r)
		})
	}
}

// FuzzRedirectURI checks exact redirect URI matching at the authorization endpoint (RFC 9700 §2.1, RFC
// 6749 §3.1.2.4 and §4.1.2.1; ringcentral-oauth.md §5.5): for the main app, which registers two URIs, only
// those exact strings may ever lead to a redirect to them; any other value, however close, is a 400 from
// the endpoint itself with no Location, so the mock can never be used as an open redirector.
func FuzzRedirectURI(f *testing.F) {
	registered := []string{"https://client.example.com/oauth/callback", "https://client.example.com/oauth/second"}
	for _, seed := range []string{
		registered[0],
		registered[1],
		"",
		"https://client.example.com/oauth/callback/",
		"https://client.example.com/oauth/callback?x=1",
		"https://client.example.com/oauth/callback#frag",
		"https://client.example.com/oauth/callback/../evil",
		"https://CLIENT.example.com/oauth/callback",
		"https://client.example.com:443/oauth/callback",
		"http://client.example.com/oauth/callback",
		"https://client.example.com.evil.test/oauth/callback",
		"https://client.example.com@evil.test/oauth/callback",
		"https://client.example.com/oauth/callback%00",
		"https://client.example.com/oauth/%63allback",
		" https://client.example.com/oauth/callback",
		"//evil.test",
		"javascript:alert(1)",
	} {
		f.Add(seed)
	}
	ts := newTestServer(f)
	f.Fuzz(func(t *testing.T, redirectURI string) {
		q := url.Values{"response_type": {"code"}, "client_id": {tMainID}, "redirect_uri": {redirectURI}, "state": {"fuzz-state"}}
		r := ts.serve(request{method: http.MethodGet, path: PathAuthorize + "?" + q.Encode()})
		loc := r.header.Get("Location")
		if r.status >= 500 {
			t.Fatalf("redirect_uri %q: status %d (%s)", redirectURI, r.status, r.reason())
		}
		if slices.Contains(registered, redirectURI) {
			if loc != "" && !strings.HasPrefix(loc, redirectURI) {
				t.Fatalf("registered redirect_uri %q: got Location %q; want a redirect to it", redirectURI, loc)
			}
			return
		}
		if r.status != http.StatusBadRequest || loc != "" {
			t.Fatalf("unregistered redirect_uri %q: got %d with Location %q; want 400 without a redirect", redirectURI, r.status, loc)
		}
	})
}
