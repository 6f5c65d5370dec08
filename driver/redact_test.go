package driver

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// testFP names redacted values in the tests, as a run's Fingerprinter does.
var testFP = NewFingerprinter()

// TestFingerprinterIsKeyed checks that fingerprints are HMAC-SHA-256 under the Fingerprinter's own key
// (RFC 2104): stable for one Fingerprinter, different for another, and not a plain hash of the value.
func TestFingerprinterIsKeyed(t *testing.T) {
	if got := testFP.Fingerprint(""); got != "" {
		t.Errorf(`Fingerprint("") = %q; want ""`, got)
	}
	a, b := testFP.Fingerprint("246810"), testFP.Fingerprint("246810")
	if a != b || !IsFingerprint(a) || len(a) != len("[redacted:]")+fingerprintHex {
		t.Errorf("Fingerprint twice = %q, %q; want one fingerprint of %d hex digits", a, b, fingerprintHex)
	}
	if testFP.Fingerprint("token-1") == testFP.Fingerprint("token-2") {
		t.Error("different values share a fingerprint")
	}
	if other := NewFingerprinter().Fingerprint("246810"); other == a {
		t.Errorf("two Fingerprinters both give %q; want a key of each", a)
	}
	// sha256("246810") begins 7c2523c9, the fingerprint the unkeyed scheme showed.
	if strings.Contains(a, "7c2523c9") {
		t.Errorf("Fingerprint = %q; want it keyed, not a plain SHA-256", a)
	}
	f := &Fingerprinter{key: [32]byte{1}}
	m := hmac.New(sha256.New, f.key[:])
	m.Write([]byte("abc"))
	if got, want := f.Fingerprint("abc"), "[redacted:"+hex.EncodeToString(m.Sum(nil))[:fingerprintHex]+"]"; got != want {
		t.Errorf(`Fingerprint("abc") = %q; want %q, HMAC-SHA-256 under the key`, got, want)
	}
}

// TestRedactorsShareTheRunsFingerprints checks that every Redactor built on one Fingerprinter names a
// value alike, and that one without a Fingerprinter has fingerprints of its own.
func TestRedactorsShareTheRunsFingerprints(t *testing.T) {
	r1, r2 := NewRedactor(testFP, "secret-PIN-1"), NewRedactor(testFP)
	r2.AddSecret("secret-PIN-1")
	if a, b := r1.Text("secret-PIN-1"), r2.Text("secret-PIN-1"); a != b || a != testFP.Fingerprint("secret-PIN-1") {
		t.Errorf("two Redactors of one run: %q and %q; want the run's fingerprint", a, b)
	}
	if got := NewRedactor(nil, "secret-PIN-1").Text("secret-PIN-1"); got == r1.Text("secret-PIN-1") || !IsFingerprint(got) {
		t.Errorf("a Redactor without the run's Fingerprinter gives %q; want a fingerprint of its own", got)
	}
}

func TestRedactorBody(t *testing.T) {
	fp := testFP.Fingerprint
	tests := []struct {
		name string
		body string
		want string
	}{
		{"form", "grant_type=password&username=alice&password=p%40ss&client_id=cid&scope=SMS+RCM&state=s&redirect_uri=https%3A%2F%2Fapp",
			"grant_type=password&username=alice&password=" + fp("p@ss") + "&client_id=cid&scope=SMS+RCM&state=s&redirect_uri=https%3A%2F%2Fapp"},
		{"every sensitive parameter",
			"client_secret=a1&assertion=a2&client_assertion=a3&code=a4&code_verifier=a5&refresh_token=a6&access_token=a7&token=a8&device_code=a9&ivr_pin=b1&id_token=b2&otp=b3",
			"client_secret=" + fp("a1") + "&assertion=" + fp("a2") + "&client_assertion=" + fp("a3") + "&code=" + fp("a4") +
				"&code_verifier=" + fp("a5") + "&refresh_token=" + fp("a6") + "&access_token=" + fp("a7") + "&token=" + fp("a8") +
				"&device_code=" + fp("a9") + "&ivr_pin=" + fp("b1") + "&id_token=" + fp("b2") + "&otp=" + fp("b3")},
		{"empty values stay empty", "code=&token=", "code=&token="},
		{"duplicates", "code=x1&code=x2", "code=" + fp("x1") + "&code=" + fp("x2")},
		{"JSON keeps layout", "{\n  \"access_token\" : \"AT\",\n  \"token_type\" : \"bearer\",\n  \"expires_in\" : 3599,\n  \"scope\" : \"SMS\"\n}",
			"{\n  \"access_token\" : \"" + fp("AT") + "\",\n  \"token_type\" : \"bearer\",\n  \"expires_in\" : 3599,\n  \"scope\" : \"SMS\"\n}"},
		{"JSON nested", `{"a":{"refresh_token":"RT","ws_access_token":"WS"},"list":[{"id_token":"ID"},{"code":"C","device_code":"DC"}],"client_secret":"CS","client_id":"cid"}`,
			`{"a":{"refresh_token":"` + fp("RT") + `","ws_access_token":"` + fp("WS") + `"},"list":[{"id_token":"` + fp("ID") + `"},{"code":"` + fp("C") +
				`","device_code":"` + fp("DC") + `"}],"client_secret":"` + fp("CS") + `","client_id":"cid"}`},
		{"JSON escapes", `{"access_token":"a\"b"}`, `{"access_token":"` + fp(`a"b`) + `"}`},
		{"JSON non-string values kept", `{"code":42,"token":null}`, `{"code":42,"token":null}`},
		{"plain text untouched", "<html>Bad Gateway & more</html>", "<html>Bad Gateway & more</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewRedactor(testFP).Body([]byte(tt.body)); got != tt.want {
				t.Errorf("Body(%q) =\n%q; want\n%q", tt.body, got, tt.want)
			}
		})
	}
}

func TestRedactorHeaderAndURL(t *testing.T) {
	r := NewRedactor(testFP, "known-secret-value")
	h := http.Header{
		"Authorization":   {"Basic aWQ6c2VjcmV0"},
		"Location":        {"https://app.example/cb?code=C1&state=st#code=C2"},
		"X-Echo":          {"prefix known-secret-value suffix"},
		"Content-Type":    {"application/json"},
		"Set-Cookie":      {"session=S1; Path=/; HttpOnly"},
		"X-Mock-Scenario": {"s"},
	}
	got := r.Header(h)
	want := http.Header{
		"Authorization":   {"Basic " + testFP.Fingerprint("aWQ6c2VjcmV0")},
		"Location":        {"https://app.example/cb?code=" + testFP.Fingerprint("C1") + "&state=st#code=" + testFP.Fingerprint("C2")},
		"X-Echo":          {"prefix " + testFP.Fingerprint("known-secret-value") + " suffix"},
		"Content-Type":    {"application/json"},
		"Set-Cookie":      {"session=" + testFP.Fingerprint("S1") + "; Path=/; HttpOnly"},
		"X-Mock-Scenario": {"s"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Header() =\n%v; want\n%v", got, want)
	}
	if h.Get("Authorization") != "Basic aWQ6c2VjcmV0" {
		t.Error("Header() changed its argument")
	}
	if got := r.redactCredentials("Bearer AT"); got != "Bearer "+testFP.Fingerprint("AT") {
		t.Errorf("Bearer = %q", got)
	}
	if got := r.redactCredentials("garbage"); got != testFP.Fingerprint("garbage") {
		t.Errorf("no scheme = %q", got)
	}

	u := "http://h/restapi/oauth/token?grant_type=password&password=pw&client_id=cid&x=known-secret-value"
	if got, want := r.URL(u), "http://h/restapi/oauth/token?grant_type=password&password="+testFP.Fingerprint("pw")+"&client_id=cid&x="+testFP.Fingerprint("known-secret-value"); got != want {
		t.Errorf("URL() = %q; want %q", got, want)
	}
}

func TestRedactorKnownSecrets(t *testing.T) {
	secret := "s3:cr%et+with space"
	r := NewRedactor(testFP, secret, "", "ab") // "" and too-short values are ignored
	tests := []struct {
		name, in, want string
	}{
		{"raw", "x " + secret + " y", "x " + testFP.Fingerprint(secret) + " y"},
		{"query-escaped", "v=" + url.QueryEscape(secret), "v=" + testFP.Fingerprint(secret)},
		{"path-escaped", "/p/" + url.PathEscape(secret), "/p/" + testFP.Fingerprint(secret)},
		{"short values untouched", "about ab", "about ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
	// Longest first: a secret that contains another is replaced whole.
	r2 := NewRedactor(testFP, "abcd", "abcdefgh")
	if got, want := r2.Text("abcdefgh"), testFP.Fingerprint("abcdefgh"); got != want {
		t.Errorf("Text = %q; want %q (longest secret first)", got, want)
	}
}

// TestRedactorKnownSecretsBeforeStructure checks that a known secret is replaced whole even where it
// straddles the structure of a body (a form's & and =, a JSON string's quote), and that a fingerprint is
// not fingerprinted again.
func TestRedactorKnownSecretsBeforeStructure(t *testing.T) {
	secret := `pa&ss="word`
	r := NewRedactor(testFP, secret)
	fp := testFP.Fingerprint(secret)
	tests := []struct {
		name, in, want string
	}{
		{"form", "grant_type=password&password=" + secret, "grant_type=password&password=" + fp},
		{"JSON", `{"password":"pa&ss=\"word"}`, `{"password":"` + fp + `"}`},
		{"JSON with HTML escapes", `{"password":"pa\u0026ss=\"word"}`, `{"password":"` + fp + `"}`},
		{"text", "it was " + secret + "!", "it was " + fp + "!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Body([]byte(tt.in)); got != tt.want {
				t.Errorf("Body(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestRedactorTruncatedJSON checks that the sensitive fields of a JSON body cut short are redacted, the
// token cut mid-value included, and learnt.
func TestRedactorTruncatedJSON(t *testing.T) {
	r := NewRedactor(testFP)
	body := []byte(`{"access_token" : "AT-0123456789", "refresh_token":"RT-01`)
	want := `{"access_token" : "` + testFP.Fingerprint("AT-0123456789") + `", "refresh_token":"` + testFP.Fingerprint("RT-01")
	if got := r.Body(body); got != want {
		t.Errorf("Body = %q; want %q", got, want)
	}
	r.learn("", nil, body)
	if got := r.Text("echo AT-0123456789"); got != "echo "+testFP.Fingerprint("AT-0123456789") {
		t.Errorf("Text = %q; want the token learnt from the truncated body", got)
	}
}

func TestRedactorConcurrent(t *testing.T) {
	r := NewRedactor(testFP)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				r.AddSecret(strings.Repeat("s", 4+i) + string(rune('a'+j%26)))
				_ = r.Text("some text ssssa")
			}
		}(i)
	}
	wg.Wait()
}

// TestRecordedExchangesHoldNoSecrets runs a realistic sequence of exchanges and checks that nothing
// secret appears anywhere in the recorded log, while fingerprints let a reader follow each token.
func TestRecordedExchangesHoldNoSecrets(t *testing.T) {
	const (
		clientID     = "client-id-visible"
		clientSecret = "cl:ent%secret+value"
		password     = "P@ssw0rd with space"
		accessToken  = "U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw"
		refreshToken = "U1BCMDFUMDRKV1MwMXxzLFL4ec6A0XMsUv9wLriecyxS_w"
		idToken      = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIyNTY0NDAwMTYifQ.c2ln"
		wsToken      = "U0pDMDFQMDdQQxxxxxxxxx9pSU9OemVzakpn"
		authCode     = "SplxlOBeZQQYbYS6WxSbIA"
		verifier     = "pIUgx4tiqFpaOUz0HMc_QbIyQlL901w8mRmkrmhEJ_E"
		jwtSecret    = "jwt-client-secret-42"
	)
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case AuthorizePath:
			http.Redirect(w, r, "https://app.example/cb?code="+authCode+"&state=st-visible&expires_in=60", http.StatusFound)
		case TokenPath:
			respond(200, "application/json", tokenJSON)(w, r)
		case RevokePath:
			// A server that echoes the token somewhere unexpected.
			respond(400, "application/json", `{"errors":[{"errorCode":"CMN-101","message":"bad","parameterName":"token","parameterValue":"`+refreshToken+`"}]}`)(w, r)
		default:
			respond(200, "application/json", `{"id":1}`)(w, r)
		}
	})
	rec := &Recorder{}
	red := NewRedactor(testFP, clientSecret, password, jwtSecret)
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Recorder = rec; cfg.Redactor = red })

	az, err := c.Authorize(ctx, AuthorizeRequest{Form: NewForm("response_type", "code", "client_id", clientID, "state", "st-visible",
		"redirect_uri", "https://app.example/cb", "code_challenge", "_drLS7o5FwkfUiBhlq2hwJnK_SC6yE7sKOde5O1fdzk", "code_challenge_method", "S256")})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.Token(ctx, TokenRequest{Auth: ClientSecretBasic(clientID, clientSecret),
		Form: NewForm("grant_type", "authorization_code", "code", az.Code, "redirect_uri", "https://app.example/cb", "code_verifier", verifier)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Token(ctx, TokenRequest{Auth: BodySecret(clientID, clientSecret), Method: "GET",
		Form: NewForm("grant_type", "password", "username", "+16501234567*101", "password", password, "scope", "SMS")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Token(ctx, TokenRequest{Auth: ClientSecretJWT(clientID, jwtSecret),
		Form: NewForm("grant_type", "refresh_token", "refresh_token", tok.Token.RefreshToken)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.API(ctx, APIRequest{Path: AccountPath, AccessToken: tok.Token.AccessToken}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Revoke(ctx, RevokeRequest{Auth: ClientSecretBasic(clientID, clientSecret), Query: NewForm("token", accessToken),
		RawBody: []byte(`{"token":"` + refreshToken + `"}`), ContentType: "application/json"}); err == nil {
		t.Fatal("Revoke succeeded; want the 400")
	}

	var buf bytes.Buffer
	if err := rec.WriteJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	log := buf.String()
	if n := strings.Count(log, "\n"); n != 6 {
		t.Fatalf("recorded %d exchanges; want 6", n)
	}
	basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(clientSecret)))
	secrets := map[string]string{
		"client secret": clientSecret, "client secret, form-encoded": url.QueryEscape(clientSecret), "password": password,
		"password, form-encoded": url.QueryEscape(password), "access token": accessToken, "refresh token": refreshToken,
		"id token": idToken, "ws token": wsToken, "authorization code": authCode, "code verifier": verifier,
		"Basic credentials": basic, "JWT client secret": jwtSecret,
	}
	for name, s := range secrets {
		if strings.Contains(log, s) {
			t.Errorf("the exchange log contains the %s %q", name, s)
		}
	}
	// The client assertion itself must not appear either.
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var e Exchange
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %q is not an Exchange: %v", line, err)
		}
		if strings.Contains(e.RequestBody, "eyJ") {
			t.Errorf("request body %q contains a JWT", e.RequestBody)
		}
	}
	for _, visible := range []string{clientID, "st-visible", "grant_type=authorization_code", "redirect_uri=https%3A%2F%2Fapp.example%2Fcb", "scope=SMS", "token_type"} {
		if !strings.Contains(log, visible) {
			t.Errorf("the exchange log lacks %q, which must not be redacted", visible)
		}
	}
	// Fingerprints are stable: the access token issued in a response is recognisable where it is used.
	ex := rec.All()
	at := testFP.Fingerprint(accessToken)
	if !strings.Contains(ex[1].ResponseBody, at) {
		t.Errorf("token response %q lacks the access token's fingerprint %s", ex[1].ResponseBody, at)
	}
	if got := ex[4].RequestHeader.Get("Authorization"); got != "Bearer "+at {
		t.Errorf("API Authorization = %q; want %q", got, "Bearer "+at)
	}
	if got := ex[0].ResponseHeader.Get("Location"); !strings.Contains(got, "code="+testFP.Fingerprint(authCode)) {
		t.Errorf("Location = %q; want the code fingerprinted", got)
	}
	if !strings.Contains(ex[1].RequestBody, "code="+testFP.Fingerprint(authCode)) {
		t.Errorf("token request %q; want the same code fingerprint as in the Location", ex[1].RequestBody)
	}
	if !strings.Contains(ex[5].URL, "token="+at) || !strings.Contains(ex[5].ResponseBody, testFP.Fingerprint(refreshToken)) {
		t.Errorf("revoke exchange = %+v; want fingerprints in the query and the echoed token", ex[5])
	}
	// The in-memory response is not redacted.
	if tok.Token.AccessToken != accessToken {
		t.Errorf("AccessToken = %q; want the real value in memory", tok.Token.AccessToken)
	}
}

func TestRecorder(t *testing.T) {
	var r Recorder
	r.Record(Exchange{Method: "A"})
	r.Record(Exchange{Method: "B"})
	if got := methods(r.Drain()); got != "AB" {
		t.Errorf("first Drain = %s; want AB", got)
	}
	if got := methods(r.Drain()); got != "" {
		t.Errorf("second Drain = %s; want nothing", got)
	}
	r.Record(Exchange{Method: "C"})
	if got := methods(r.Drain()); got != "C" {
		t.Errorf("third Drain = %s; want C", got)
	}
	if got := methods(r.All()); got != "ABC" {
		t.Errorf("All = %s; want ABC", got)
	}

	// Concurrent use, for the race detector.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				r.Record(Exchange{Method: "X"})
				_ = r.Drain()
				_ = r.All()
			}
		}()
	}
	wg.Wait()
	if n := len(r.All()); n != 3+8*20 {
		t.Errorf("len(All()) = %d; want %d", n, 3+8*20)
	}
	var buf bytes.Buffer
	if err := r.WriteJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 3+8*20 {
		t.Errorf("WriteJSONL wrote %d lines; want %d", n, 3+8*20)
	}
}

func methods(es []Exchange) string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString(e.Method)
	}
	return b.String()
}

// TestRedactorFork checks that a fork knows its parent's secrets, with the parent's fingerprints, and keeps
// what it learns to itself.
func TestRedactorFork(t *testing.T) {
	parent := NewRedactor(nil, "profile-secret-1234")
	fork := parent.Fork()
	fork.AddSecret("learned-token-5678")
	if got := fork.Text("a profile-secret-1234 b"); got != "a "+parent.Text("profile-secret-1234")+" b" || strings.Contains(got, "profile-secret") {
		t.Errorf("fork.Text = %q; want the parent's secret replaced by the parent's fingerprint", got)
	}
	if got := fork.Text("learned-token-5678"); strings.Contains(got, "learned-token") {
		t.Errorf("fork.Text = %q; want the learned token replaced", got)
	}
	if got := parent.Text("learned-token-5678"); got != "learned-token-5678" {
		t.Errorf("parent.Text = %q; want the fork's secret unknown to the parent", got)
	}
	other := parent.Fork()
	if other.Text("learned-token-5678") != "learned-token-5678" {
		t.Error("a second fork knows the first fork's secret")
	}
}
