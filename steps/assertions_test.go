package steps

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/rcoauth/conformance/catalog"
	"github.com/rcoauth/conformance/driver"
)

// answering is a target that answers every request with one fixed response.
func answering(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// TestRejectionNeedsErrorDescription checks that every rejection must carry error_description equal to
// errors[0].message, as every real RingCentral error body does (ringcentral-oauth.md §5.1).
func TestRejectionNeedsErrorDescription(t *testing.T) {
	headers := map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}
	tests := []struct {
		name, body, want string
	}{
		{"complete", `{"error":"invalid_grant","errors":[{"errorCode":"OAU-140","message":"Invalid resource owner credentials."}],"error_description":"Invalid resource owner credentials."}`, ""},
		{"no error_description", `{"error":"invalid_grant","errors":[{"errorCode":"OAU-140","message":"Invalid resource owner credentials."}]}`, "error_description is missing"},
		{"a different error_description", `{"error":"invalid_grant","errors":[{"errorCode":"OAU-140","message":"Invalid resource owner credentials."}],"error_description":"Bad"}`, "differs from errors[0].message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, answering(400, headers, tt.body))
			w, _ := newTestWorld(t, srv.URL)
			if _, err := w.requestTokenWith(context.Background(), "password", driver.NewForm("username", "u", "password", "p"), tokenOptions{}); err != nil {
				t.Fatal(err)
			}
			err := w.rejected("invalid_grant", "OAU-140")
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v; want the rejection accepted", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v; want a failure saying %q", err, tt.want)
			}
		})
	}
}

// TestRedirectAwayFromTheApp checks what a redirect to anywhere but the app's redirect URI means: on a
// real target a login page, which skips the scenario with its reason; on the mock, which has none, a
// failure.
func TestRedirectAwayFromTheApp(t *testing.T) {
	srv := newServer(t, answering(302, map[string]string{"Location": "https://login.example.test/signin?x=1"}, ""))
	for _, onMock := range []bool{false, true} {
		w, _ := newTestWorld(t, srv.URL)
		if onMock {
			c, err := driver.New(driver.Config{BaseURL: srv.URL, Scenario: "s0001-test"})
			if err != nil {
				t.Fatal(err)
			}
			w.client = c
		}
		err := w.authorizeApp(context.Background())
		switch skipped := errors.Is(err, godog.ErrSkip); {
		case err == nil:
			t.Errorf("onMock=%v: the redirect to a login page passed", onMock)
		case onMock && skipped:
			t.Errorf("on the mock: %v; want a failure, the mock has no login page", err)
		case !onMock && !skipped:
			t.Errorf("on a real target: %v; want a skip naming the login page", err)
		case !strings.Contains(err.Error(), "login.example.test"):
			t.Errorf("onMock=%v: %v; want the error to name where it was redirected", onMock, err)
		}
	}
}

// newServer starts a test target that is closed when the test ends.
func newServer(tb testing.TB, h http.Handler) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

// TestNoUserInfoSkips checks that a server whose metadata names no UserInfo endpoint skips an access-token
// check with that reason instead of calling the server's base URL.
func TestNoUserInfoSkips(t *testing.T) {
	var calls []string
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls = append(calls, r.URL.Path)
		w.WriteHeader(200)
	}))
	w, _ := newTestWorld(t, srv.URL)
	w.s.meta = &driver.Metadata{Issuer: srv.URL, TokenEndpoint: srv.URL + "/token", Source: srv.URL + "/.well-known/oauth-authorization-server"}
	w.tokens = []*driver.TokenInfo{{AccessToken: "at"}}
	err := w.namedTokenWorks(context.Background(), "access token", "works")
	if !errors.Is(err, godog.ErrSkip) || !strings.Contains(err.Error(), "userinfo_endpoint") {
		t.Errorf("got %v; want a skip naming userinfo_endpoint", err)
	}
	if len(calls) != 0 {
		t.Errorf("the check called %v; want no call", calls)
	}
}

// TestRotationByDialect checks that a refresh without a new refresh token is a failure in RingCentral's
// dialect only: RFC 6749 §6 lets a server keep the refresh token.
func TestRotationByDialect(t *testing.T) {
	for _, tc := range []struct {
		dialect string
		fails   bool
	}{{DialectRingCentral, true}, {DialectRFC, false}} {
		w, _ := newTestWorld(t, "http://127.0.0.1:1")
		w.s.dialect = tc.dialect
		w.tokens = []*driver.TokenInfo{{AccessToken: "a1", RefreshToken: "r1"}, {AccessToken: "a2", RefreshToken: "r1"}}
		w.token = &result{what: whatToken, resp: &driver.Response{Status: 200}, token: w.tokens[1]}
		w.request = w.token
		if err := w.tokensRotated(); (err != nil) != tc.fails {
			t.Errorf("%s: got %v; want failure %v", tc.dialect, err, tc.fails)
		}
		w.tokens[1].AccessToken = "a1"
		if err := w.tokensRotated(); err == nil {
			t.Errorf("%s: the same access token passed", tc.dialect)
		}
	}
}

// TestNewChecksCanFail shows each check of the metadata, introspection, revocation-hint and token-in-URL
// sentences failing on a planted violation and passing on a good answer.
func TestNewChecksCanFail(t *testing.T) {
	jsonH := map[string]string{"Content-Type": "application/json"}
	goodMeta := `{"issuer":"%s","response_types_supported":["code"],"token_endpoint":"https://as/token","authorization_endpoint":"https://as/auth","code_challenge_methods_supported":["S256"]}`
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string // %s is the server's URL
		act    func(w *world) error
		check  func(w *world) error
		fails  bool
	}{
		{"issuer matches", 200, jsonH, goodMeta, (*world).readMetadataNow, (*world).metadataIssuer, false},
		{"issuer of another server", 200, jsonH, `{"issuer":"https://evil.example"}`, (*world).readMetadataNow, (*world).metadataIssuer, true},
		{"required members present", 200, jsonH, goodMeta, (*world).readMetadataNow, (*world).metadataRequired, false},
		{"no token endpoint", 200, jsonH, `{"issuer":"%s","response_types_supported":["code"],"authorization_endpoint":"https://as/auth"}`, (*world).readMetadataNow, (*world).metadataRequired, true},
		{"only implicit needs no token endpoint", 200, jsonH, `{"issuer":"%s","response_types_supported":["token"],"grant_types_supported":["implicit"],"authorization_endpoint":"https://as/auth"}`, (*world).readMetadataNow, (*world).metadataRequired, false},
		{"no response types", 200, jsonH, `{"issuer":"%s","token_endpoint":"https://as/token","authorization_endpoint":"https://as/auth"}`, (*world).readMetadataNow, (*world).metadataRequired, true},
		{"http endpoints", 200, jsonH, `{"issuer":"https://as.example","token_endpoint":"http://as.example/token"}`, (*world).readMetadataNow, (*world).metadataHTTPS, true},
		{"http issuer", 200, jsonH, `{"issuer":"http://as.example","token_endpoint":"https://as.example/token"}`, (*world).readMetadataNow, (*world).metadataHTTPS, true},
		{"https endpoints", 200, jsonH, `{"issuer":"https://as","token_endpoint":"https://as/token"}`, (*world).readMetadataNow, (*world).metadataHTTPS, false},
		{"S256 advertised", 200, jsonH, goodMeta, (*world).readMetadataNow, (*world).metadataPKCE, false},
		{"plain only", 200, jsonH, `{"code_challenge_methods_supported":["plain"]}`, (*world).readMetadataNow, (*world).metadataPKCE, true},
		{"no PKCE methods", 200, jsonH, `{}`, (*world).readMetadataNow, (*world).metadataPKCE, true},
		{"active", 200, jsonH, `{"active":true,"client_id":"main","exp":4102444800}`, (*world).introspectNow, activeCheck, false},
		{"active for another client", 200, jsonH, `{"active":true,"client_id":"other"}`, (*world).introspectNow, activeCheck, true},
		{"active but expired", 200, jsonH, `{"active":true,"exp":1}`, (*world).introspectNow, activeCheck, true},
		{"active as a string", 200, jsonH, `{"active":"true"}`, (*world).introspectNow, activeCheck, true},
		{"inactive wanted, active", 200, jsonH, `{"active":true}`, (*world).introspectNow, func(w *world) error { return w.introspectionSays("inactive") }, true},
		{"introspection refused", 401, jsonH, `{"error":"invalid_client"}`, (*world).introspectNow, activeCheck, true},
		{"members named", 200, jsonH, `{"active":true,"client_id":"main","scope":"a b","exp":4102444800}`, (*world).introspectNow, (*world).introspectionNames, false},
		{"no scope", 200, jsonH, `{"active":true,"client_id":"main","exp":4102444800}`, (*world).introspectNow, (*world).introspectionNames, true},
		{"hint ignored", 200, nil, ``, (*world).revokeNow, (*world).revocationSucceedsOrUnsupported, false},
		{"hint refused as unsupported", 400, jsonH, `{"error":"unsupported_token_type"}`, (*world).revokeNow, (*world).revocationSucceedsOrUnsupported, false},
		{"hint refused otherwise", 400, jsonH, `{"error":"invalid_request"}`, (*world).revokeNow, (*world).revocationSucceedsOrUnsupported, true},
		{"code in the redirect", 302, map[string]string{"Location": "https://app.example.test/callback?code=c&state=s"}, ``, authorizeNow, (*world).redirectWithoutToken, false},
		{"token in the fragment", 302, map[string]string{"Location": "https://app.example.test/callback#access_token=t&state=s"}, ``, authorizeNow, (*world).redirectWithoutToken, true},
		{"token in the query", 302, map[string]string{"Location": "https://app.example.test/callback?access_token=t"}, ``, authorizeNow, (*world).redirectWithoutToken, true},
		{"refused without a redirect", 400, jsonH, `{"error":"unsupported_response_type"}`, authorizeNow, (*world).redirectWithoutToken, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var url string
			srv := newServer(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				body := tt.body
				if strings.Contains(body, "%s") {
					body = strings.ReplaceAll(body, "%s", url)
				}
				answering(tt.status, tt.header, body)(rw, r)
			}))
			url = srv.URL
			w, _ := newTestWorld(t, srv.URL)
			w.s.meta = &driver.Metadata{Issuer: srv.URL, Source: srv.URL + "/.well-known/oauth-authorization-server",
				TokenEndpoint: srv.URL + "/token", AuthorizationEndpoint: srv.URL + "/auth", RevocationEndpoint: srv.URL + "/revoke",
				IntrospectionEndpoint: srv.URL + "/introspect", UserInfoEndpoint: srv.URL + "/me"}
			ep := w.s.meta.Endpoints()
			c, err := driver.New(driver.Config{BaseURL: srv.URL, Endpoints: &ep})
			if err != nil {
				t.Fatal(err)
			}
			w.client = c
			w.tokens = []*driver.TokenInfo{{AccessToken: "at", RefreshToken: "rt"}}
			if err := tt.act(w); err != nil {
				t.Fatalf("the action failed: %v", err)
			}
			w.step = &godog.Step{Type: messages.PickleStepType_OUTCOME}
			if err := tt.check(w); (err != nil) != tt.fails {
				t.Errorf("got %v; want failure %v", err, tt.fails)
			}
		})
	}
}

// TestHTTPSCheckSkipsOnLoopback shows the https check skipping, with its reason, for an issuer on the
// loopback interface, and only there.
func TestHTTPSCheckSkipsOnLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8910", "http://localhost:3000", "http://[::1]:80", "http://127.9.9.9"} {
		if !loopback(u) {
			t.Errorf("loopback(%q) = false; want true", u)
		}
	}
	for _, u := range []string{"https://platform.ringcentral.com", "http://10.0.0.1", "http://localhost.example.com", "::bad"} {
		if loopback(u) {
			t.Errorf("loopback(%q) = true; want false", u)
		}
	}
	srv := newServer(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		answering(200, map[string]string{"Content-Type": "application/json"}, `{"issuer":"http://`+r.Host+`"}`)(rw, r)
	}))
	w, _ := newTestWorld(t, srv.URL)
	if err := w.readMetadata(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.step = &godog.Step{Type: messages.PickleStepType_OUTCOME}
	if err := w.metadataHTTPS(); !errors.Is(err, godog.ErrSkip) || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("an issuer on loopback gave %v; want a skip naming the loopback interface", err)
	}
}

// TestIntrospectionSkipReadsTheDiscoveryDocument checks that, on a target known by RingCentral's paths,
// an @introspection scenario runs where the discovery document advertises an introspection_endpoint and is
// skipped, saying why, where it does not; that the document is read once, and only when such a scenario
// starts.
func TestIntrospectionSkipReadsTheDiscoveryDocument(t *testing.T) {
	jsonH := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		name   string
		status int
		body   string // %s is the server's URL
		skip   string // what the skip says; "" means the scenario runs
	}{
		{"advertised", 200, `{"issuer":"%s","token_endpoint":"%s/restapi/oauth/token","introspection_endpoint":"%s/restapi/oauth/introspect"}`, ""},
		{"not advertised", 200, `{"issuer":"%s","token_endpoint":"%s/restapi/oauth/token"}`, "no introspection_endpoint in its discovery document %s/.well-known/openid-configuration"},
		{"no discovery document", 404, `{"errorCode":"CMN-102"}`, "its discovery document could not be read: driver: no authorization server metadata for issuer %s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var url string
			var mu sync.Mutex
			var calls []string
			srv := newServer(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				mu.Lock()
				calls = append(calls, r.URL.Path)
				mu.Unlock()
				status := tt.status
				if r.URL.Path != driver.DiscoveryPath {
					status = 404
				}
				answering(status, jsonH, strings.ReplaceAll(tt.body, "%s", url))(rw, r)
			}))
			url = srv.URL
			w, _ := newTestWorld(t, srv.URL)
			if ep := w.endpoints(); ep != nil || len(calls) != 0 {
				t.Fatalf("a scenario without @introspection got endpoints %+v after calls %v; want RingCentral's paths and no call", ep, calls)
			}
			for i := range 2 {
				w := newWorld(w.s)
				w.tags[tagIntrospection] = true
				c, err := w.newClient("", time.Second)
				if err != nil {
					t.Fatal(err)
				}
				w.client = c
				err = w.introspectionSkip()
				switch want := strings.ReplaceAll(tt.skip, "%s", url); {
				case want == "" && (err != nil || c.Endpoints().Introspection != url+driver.IntrospectPath):
					t.Errorf("scenario %d: skip %v, introspection endpoint %q; want to run against %s", i, err, c.Endpoints().Introspection, url+driver.IntrospectPath)
				case want != "" && (!errors.Is(err, godog.ErrSkip) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "RingCentral removed")):
					t.Errorf("scenario %d: got %v; want a skip saying %q and why RingCentral's API has none", i, err, want)
				}
			}
			if n := slices.Index(calls, driver.DiscoveryPath); n < 0 || slices.Index(calls[n+1:], driver.DiscoveryPath) >= 0 {
				t.Errorf("the target was asked %v; want the discovery document read once", calls)
			}
		})
	}
}

func activeCheck(w *world) error { return w.introspectionSays("active") }

func (w *world) readMetadataNow() error { return w.readMetadata(context.Background()) }
func (w *world) introspectNow() error   { return w.introspectNamed(context.Background(), "access") }
func (w *world) revokeNow() error {
	return w.revokeWithHint(context.Background(), "access", "urn:example:unknown")
}

func authorizeNow(w *world) error { return w.authorizeApp(context.Background()) }

// ringCentralOnlyChecks are the checks of what only RingCentral documents (world.vendorOnly), with their
// sentences: on a target of another dialect each skips, and with it the rest of its scenario.
var ringCentralOnlyChecks = []struct {
	name, sentence string
	check          func(w *world) error
}{
	{"OpenAPI description", "the response matches RingCentral's OpenAPI description", (*world).matchesOpenAPI},
	{"code's expires_in", "the code expires in 60 seconds", func(w *world) error { return w.codeExpiresIn(60) }},
	{"owner_id", "the token response belongs to the user", (*world).ownedByUser},
	{"endpoint paths", "the metadata names this server's endpoints at RingCentral's paths", (*world).metadataRingCentralPaths},
}

// TestRingCentralChecksComeLast checks that in a scenario a target of another dialect runs (one not tagged
// @ringcentral), a check of what only RingCentral documents is followed by no check of another kind: its
// skip there skips the rest of the scenario, which would leave the RFC checks after it unrun. It also
// checks that the table above names every caller of vendorOnly.
func TestRingCentralChecksComeLast(t *testing.T) {
	var callers int
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		callers += strings.Count(string(b), "w.vendorOnly(")
	}
	if callers != len(ringCentralOnlyChecks) {
		t.Errorf("%d calls of vendorOnly, %d checks in ringCentralOnlyChecks; list each check there", callers, len(ringCentralOnlyChecks))
	}
	var only []*regexp.Regexp
	for _, d := range Vocabulary() {
		re := regexp.MustCompile(d.Expression)
		for _, c := range ringCentralOnlyChecks {
			if re.MatchString(c.sentence) {
				only = append(only, re)
			}
		}
	}
	if len(only) != len(ringCentralOnlyChecks) {
		t.Fatalf("%d of the %d sentences of ringCentralOnlyChecks are in the vocabulary", len(only), len(ringCentralOnlyChecks))
	}
	isOnly := func(step string) bool {
		return slices.ContainsFunc(only, func(re *regexp.Regexp) bool { return re.MatchString(step) })
	}
	cat, err := catalog.Load("../features")
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range cat.Scenarios {
		if slices.Contains(sc.Tags, "@ringcentral") {
			continue
		}
		first := slices.IndexFunc(sc.Steps, isOnly)
		if first < 0 {
			continue
		}
		for _, step := range sc.Steps[first+1:] {
			if !isOnly(step) {
				t.Errorf("%s:%d: %q comes after %q, which skips the rest of the scenario on a target of another dialect; move it last", sc.Feature, sc.Line, step, sc.Steps[first])
			}
		}
	}
}

// TestRingCentralChecksSkipInAnotherDialect shows the checks of what only RingCentral documents skipping,
// with their reason, on a target of another dialect, instead of passing without checking anything; and
// the check without an answer failing instead of dereferencing nil.
func TestRingCentralChecksSkipInAnotherDialect(t *testing.T) {
	for _, tc := range ringCentralOnlyChecks {
		w, _ := newTestWorld(t, "http://127.0.0.1:1")
		w.s.dialect = DialectRFC
		w.step = &godog.Step{Type: messages.PickleStepType_OUTCOME}
		if err := tc.check(w); !errors.Is(err, godog.ErrSkip) || !strings.Contains(err.Error(), "RingCentral's rule") {
			t.Errorf("%s in the rfc dialect: got %v; want a skip saying it is RingCentral's rule", tc.name, err)
		}
	}
	for _, check := range []func(w *world) error{(*world).notCacheable, (*world).isJSON} {
		w, _ := newTestWorld(t, "http://127.0.0.1:1")
		w.step = &godog.Step{Type: messages.PickleStepType_OUTCOME}
		w.request = &result{what: whatToken, err: errors.New("connection refused")}
		if err := check(w); err == nil || !strings.Contains(err.Error(), "got no answer") {
			t.Errorf("a check of a request without an answer: got %v; want a failure saying there was no answer", err)
		}
	}
}
