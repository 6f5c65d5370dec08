package signin

import (
	"context"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
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

var loginPage = template.Must(template.New("login").Parse(`<!doctype html><title>{{.}}</title>
{{if eq . "login"}}<form id="signin" method="post" action="/login"><input name="username"><input name="password" type="password"><button name="signin">Sign in</button></form>
{{else}}<form id="consent" method="post" action="/consent"><button name="authorize">Authorize</button></form>{{end}}`))

// loginServer is a login page in two steps, sign-in then consent, that redirects to redirectURI with a
// code only for the user alice with the password s3cret.
func loginServer(t *testing.T, redirectURI string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login?state="+r.URL.Query().Get("state"), http.StatusFound)
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "state", Value: r.URL.Query().Get("state")})
		_ = loginPage.Execute(w, "login")
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("username") != "alice" || r.PostFormValue("password") != "s3cret" {
			http.Error(w, "wrong password", http.StatusUnauthorized)
			return
		}
		_ = loginPage.Execute(w, "consent")
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

const testRecipe = `{"comment": "test", "steps": [
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
	for _, tc := range []struct {
		name, password, want string
	}{
		{"the right password", "s3cret", redirectURI + "?code=the-code&state=xyz"},
		{"a wrong password fails at the consent step", "wrong", "step 6 (wait for form#consent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			if strings.HasPrefix(tc.want, "step") {
				cancel()
				ctx, cancel = context.WithTimeout(context.Background(), 3*time.Second)
			}
			defer cancel()
			got, err := b.SignIn(ctx, srv.URL+"/authorize?state=xyz", redirectURI, nil, r, func(v string) string {
				return map[string]string{"USER": "alice", "PASSWORD": tc.password}[v]
			})
			if strings.HasPrefix(tc.want, "step") {
				if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), tc.password+"\"") {
					t.Fatalf("got %q, %v; want an error naming %q", got, err, tc.want)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
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
		if r.Unverified != (name == "ringcentral") {
			t.Errorf("%s: unverified = %v", name, r.Unverified)
		}
	}
	for _, bad := range []string{`{"steps": []}`, `{"steps": [{"wait": "a", "press": "b"}]}`, `{"steps": [{"fill": "a", "from": "lower"}]}`, `{"steps": [{"click": "a"}]}`} {
		if _, err := Parse("bad", []byte(bad)); err == nil {
			t.Errorf("Parse(%s) accepted a bad recipe", bad)
		}
	}
}
