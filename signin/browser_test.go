package signin

import (
	"cmp"
	"context"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rcoauth/conformance/rcmock"
)

// needChromium returns the Chromium binary, or skips the test with a hint where there is none and the
// run is not CI's (CI must run the browser tests: .ci/run installs Debian's chromium).
func needChromium(t *testing.T) string {
	t.Helper()
	exe, err := FindChromium("")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v; CI must run the browser sign-in tests", err)
		}
		t.Skipf("%v: apt-get install -y chromium", err)
	}
	return exe
}

// loginPage is the page named Page; a refusal echoes what the user typed, as careless login pages do, so
// that the tests prove a failed sign-in's error does not repeat it.
var loginPage = template.Must(template.New("login").Parse(`<!doctype html><title>{{.Page}}{{with .User}} as {{.}}{{end}}</title>
{{if eq .Page "refused"}}<p role="alert">Wrong user name or password: {{.Password}}</p>{{end}}
{{if eq .Page "consent"}}<form id="consent" method="post" action="/consent"><button name="authorize">Authorize</button></form>
{{else}}<form id="signin" method="post" action="/login"><input name="username"><input name="password" type="password"><button name="signin">Sign in</button></form>{{end}}`))

// loginServer is a login page in two steps, sign-in then consent, that redirects to redirectURI with a
// code only for the user alice with the password s3cret.
func loginServer(t *testing.T, redirectURI string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login?state="+r.URL.Query().Get("state"), http.StatusFound)
	})
	mux.HandleFunc("POST /authorize", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, "want a form", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, "/login?state="+url.QueryEscape(r.PostFormValue("state")), http.StatusFound)
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "state", Value: r.URL.Query().Get("state")})
		_ = loginPage.Execute(w, map[string]string{"Page": "login"})
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("username") != "alice" || r.PostFormValue("password") != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			_ = loginPage.Execute(w, map[string]string{"Page": "refused", "User": r.PostFormValue("username"), "Password": r.PostFormValue("password")})
			return
		}
		_ = loginPage.Execute(w, map[string]string{"Page": "consent"})
	})
	mux.HandleFunc("POST /consent", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("state")
		if err != nil {
			http.Error(w, "no session", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, redirectURI+"?code=the-code&state="+c.Value, http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

const testRecipe = `{"comment": "test", "failure": ["p[role=alert]"], "steps": [
	{"wait_url": "/login"},
	{"wait": "form#signin input[name=username]"},
	{"fill": "form#signin input[name=username]", "from": "USER"},
	{"fill": "form#signin input[name=password]", "from": "PASSWORD"},
	{"press": "form#signin button"},
	{"wait": "form#consent button[name=authorize]"},
	{"press": "form#consent button"}
]}`

func TestSignIn(t *testing.T) {
	b := NewBrowser(needChromium(t))
	t.Cleanup(b.Close)
	const redirectURI = "https://client.example/cb"
	srv := loginServer(t, redirectURI)
	r, err := Parse("test", []byte(testRecipe))
	if err != nil {
		t.Fatal(err)
	}
	blind := *r // the same recipe without its failure selector: a refusal ends at the deadline
	blind.Failure = nil
	for _, tc := range []struct {
		name, password, want string
		recipe               *Recipe
		post                 bool // the authorization request sent with POST (RFC 6749 §3.1 allows it)
		deadline             time.Duration
	}{
		{"the right password", "s3cret", redirectURI + "?code=the-code&state=xyz", r, false, 0},
		{"the right password after a POST", "s3cret", redirectURI + "?code=the-code&state=xyz", r, true, 0},
		{"a wrong password ends the sign-in at once with the page's message, redacted", "wr0ng-Pa55",
			`step 6 (wait for form#consent button[name=authorize]) failed on ` + srv.URL + `/login ("refused as [redacted:`, r, false, 0},
		// Without a failure selector the wait lasts until the deadline, which strikes at whichever step
		// the browser has reached on a loaded machine: only the deadline is certain.
		{"a wrong password without a failure selector ends at the deadline", "wr0ng-Pa55", "(the sign-in's deadline)", &blind, false, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			deadline := cmp.Or(tc.deadline, 30*time.Second)
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			value := func(v string) string { return map[string]string{"USER": "alice", "PASSWORD": tc.password}[v] }
			var got string
			var err error
			if tc.post {
				got, err = b.SignInPost(ctx, srv.URL+"/authorize", url.Values{"state": {"xyz"}}, redirectURI, nil, tc.recipe, value)
			} else {
				got, err = b.SignIn(ctx, srv.URL+"/authorize?state=xyz", redirectURI, nil, tc.recipe, value)
			}
			if !strings.HasPrefix(tc.want, "https://") {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %q, %v; want an error naming %q", got, err, tc.want)
				}
				for _, typed := range []string{tc.password, "alice"} {
					if strings.Contains(err.Error(), typed) {
						t.Errorf("the error repeats the typed %q: %v", typed, err)
					}
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// deviceServer is a verification page (RFC 8628 §3.3) that records the decision on the user code it was
// opened with, after a sign-in as alice, and answers the header the browser must send.
func deviceServer(t *testing.T, decided map[string]string) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	page := template.Must(template.New("device").Parse(`<!doctype html><title>device</title>
{{if .Done}}<p id="done">{{.Done}}</p>{{else}}<form method="post" action="/device"><input type="hidden" name="user_code" value="{{.Code}}">
<input name="username"><button name="decision" value="approve">Approve</button><button name="decision" value="deny">Deny</button></form>{{end}}`))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /device", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test") != "yes" {
			http.Error(w, "no header", http.StatusBadRequest)
			return
		}
		_ = page.Execute(w, map[string]string{"Code": r.URL.Query().Get("user_code")})
	})
	mux.HandleFunc("POST /device", func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("username") != "alice" {
			http.Error(w, "who?", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		decided[r.PostFormValue("user_code")] = r.PostFormValue("decision")
		mu.Unlock()
		_ = page.Execute(w, map[string]string{"Done": r.PostFormValue("decision") + "d"})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestDecide(t *testing.T) {
	b := NewBrowser(needChromium(t))
	t.Cleanup(b.Close)
	decided := map[string]string{}
	srv := deviceServer(t, decided)
	r, err := Parse("test", []byte(`{"steps": [{"wait": "a"}], "device": {
		"approve": [{"wait": "form input[name=username]"}, {"fill": "input[name=username]", "from": "USER"}, {"press": "button[value=approve]"}, {"wait": "p#done"}],
		"deny": [{"wait": "form input[name=username]"}, {"fill": "input[name=username]", "from": "USER"}, {"press": "button[value=deny]"}, {"wait": "p#done"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.DeviceVariables(); len(got) != 1 || got[0] != "USER" {
		t.Fatalf("DeviceVariables() = %v; want [USER]", got)
	}
	for _, tc := range []struct {
		code    string
		approve bool
		want    string
	}{{"ABCD-EFGH", true, "approve"}, {"WXYZ-1234", false, "deny"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := b.Decide(ctx, srv.URL+"/device?user_code="+tc.code, tc.code, tc.approve, map[string]string{"X-Test": "yes"}, r, func(v string) string {
			return map[string]string{"USER": "alice"}[v]
		})
		cancel()
		if err != nil || decided[tc.code] != tc.want {
			t.Errorf("Decide(%s, approve=%v) = %v, decision %q; want %q", tc.code, tc.approve, err, decided[tc.code], tc.want)
		}
	}
	noDevice, _ := Parse("test", []byte(testRecipe))
	if err := b.Decide(context.Background(), srv.URL+"/device", "", true, nil, noDevice, nil); err == nil || !strings.Contains(err.Error(), "no device steps") {
		t.Errorf("Decide with a recipe without device steps = %v; want an error saying so", err)
	}
}

func TestShippedRecipes(t *testing.T) {
	for _, name := range []string{"oidc-provider-dev", "rcmock-login", "ringcentral"} {
		r, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Variables()) != 2 {
			t.Errorf("%s fills %v; want a user name and a password", name, r.Variables())
		}
		if (r.Device != nil) != (name == "oidc-provider-dev") {
			t.Errorf("%s: device steps = %v", name, r.Device != nil)
		}
		if r.Unverified != (name == "ringcentral") {
			t.Errorf("%s: unverified = %v", name, r.Unverified)
		}
	}
	for _, bad := range []string{`{"steps": []}`, `{"steps": [{"wait": "a", "press": "b"}]}`, `{"steps": [{"fill": "a", "from": "lower"}]}`, `{"steps": [{"click": "a"}]}`, `{"steps": [{"wait": "a"}], "device": {"approve": [{"wait": "a"}]}}`} {
		if _, err := Parse("bad", []byte(bad)); err == nil {
			t.Errorf("Parse(%s) accepted a bad recipe", bad)
		}
	}
}

// TestMockRecipe runs the shipped recipe rcmock-login against the mock's own login page (Options.LoginPage):
// the right password signs in and approves, a wrong one ends at once with the page's message.
func TestMockRecipe(t *testing.T) {
	b := NewBrowser(needChromium(t))
	t.Cleanup(b.Close)
	opts := rcmock.DefaultOptions()
	opts.LoginPage, opts.Fixture = true, rcmock.DefaultFixture()
	m, err := rcmock.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	r, err := Load("rcmock-login")
	if err != nil {
		t.Fatal(err)
	}
	app := opts.Fixture.Apps[0]
	redirectURI := app.RedirectURIs[0]
	user := opts.Fixture.Users[0]
	q := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {redirectURI}, "state": {"s1"}}
	for _, tc := range []struct{ name, password, want string }{
		{"the right password", user.Password, redirectURI + "?code="},
		{"a wrong password", "not-the-password", `"Wrong user name or password." (failure selector p[role=alert])`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			value := func(v string) string {
				return map[string]string{"RC_USERNAME": user.Email, "RC_PASSWORD": tc.password}[v]
			}
			got, err := b.SignIn(ctx, srv.URL+rcmock.PathAuthorize+"?"+q.Encode(), redirectURI, nil, r, value)
			if strings.HasPrefix(tc.want, "https://") || strings.HasPrefix(tc.want, "http://") {
				if err != nil || !strings.HasPrefix(got, tc.want) || !strings.Contains(got, "state=s1") {
					t.Fatalf("got %q, %v; want a redirect to %s with a code and the state", got, err, redirectURI)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), tc.password) {
				t.Fatalf("got %q, %v; want an error quoting %s without the password", got, err, tc.want)
			}
		})
	}
}
