package rcmock

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// PathLogin is the mock's sign-in page (Options.LoginPage), where the authorization endpoint sends the user
// first (RFC 6749 §4.1.1: the server "authenticates the resource owner" by means it chooses). The page is
// the mock's design, not a copy of RingCentral's, which the reference does not describe (ringcentral-oauth.md
// §8.3 lists only the request's parameters): a user name and password form, filled with login_hint whether
// or not it names a user, then an authorize button. The recipe signin/recipes/rcmock-login.json signs in
// there.
const PathLogin = "/restapi/oauth/login"

// loginTTL bounds how long a sign-in may take between the authorization request and the approval.
const loginTTL = 10 * time.Minute

// pendingLogin is an authorization request that the user has yet to sign in and approve. It keeps the
// scenario realm of the request, since the browser that signs in sends no X-Mock-Scenario header: the
// sign-in page finds the request, and its realm, by the random id in its URL.
type pendingLogin struct {
	realm   string
	code    authCode // the code to issue, without its user
	target  string   // where to redirect with the code
	state   string
	hint    string // login_hint, the user name the form is filled with
	user    *User  // the user who signed in, once they have
	created time.Time
}

// logins holds the pending sign-ins of a Server.
type logins struct {
	mu      sync.Mutex
	pending map[string]*pendingLogin
}

// startLogin keeps an authorization request for the sign-in page and redirects the user there.
func (s *Server) startLogin(w http.ResponseWriter, r *http.Request, req *authorizeRequest, code authCode, hint string) {
	id := randomToken(24)
	now := s.realNow()
	s.logins.mu.Lock()
	if s.logins.pending == nil {
		s.logins.pending = map[string]*pendingLogin{}
	}
	for k, p := range s.logins.pending {
		if now.Sub(p.created) > loginTTL {
			delete(s.logins.pending, k)
		}
	}
	s.logins.pending[id] = &pendingLogin{realm: r.Header.Get(ScenarioHeader), code: code, target: req.target, state: req.state, hint: hint, created: now}
	s.logins.mu.Unlock()
	h := w.Header()
	noStore(h)
	h.Set("Location", PathLogin+"?"+url.Values{"login": {id}}.Encode())
	w.WriteHeader(http.StatusFound)
}

// pendingFor returns the pending sign-in id names, if it has not expired.
func (s *Server) pendingFor(id string) *pendingLogin {
	s.logins.mu.Lock()
	defer s.logins.mu.Unlock()
	p := s.logins.pending[id]
	if p == nil || s.realNow().Sub(p.created) > loginTTL {
		return nil
	}
	return p
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} - rcmock</title></head>
<body>
<h1>{{.Title}}</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
{{if .Gone}}
{{else if .Consent}}<p>{{.App}} asks to access your account as {{.User}}.</p>
<form id="consent" method="post" action="{{.Action}}">
<input type="hidden" name="login" value="{{.ID}}"><input type="hidden" name="step" value="authorize">
<button type="submit" name="authorize">Authorize</button>
</form>
{{else}}<form id="signin" method="post" action="{{.Action}}">
<input type="hidden" name="login" value="{{.ID}}"><input type="hidden" name="step" value="signin">
<label>Email or phone <input name="username" value="{{.Hint}}" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit" name="signin">Sign in</button>
</form>{{end}}
</body></html>
`))

// loginView is what the sign-in page shows: the sign-in form, the authorize button (Consent), or only
// the error (Gone: a sign-in that cannot go on).
type loginView struct {
	Title, Error, App, User, ID, Hint, Action string
	Consent, Gone                             bool
}

// loginRefused is a sign-in that cannot go on: an unknown or expired sign-in, an approval before the user
// signed in, an unknown step, or a request the form rules refuse (readForm).
func loginRefused(w http.ResponseWriter, e *Error, message string) {
	writeHTML(w, e.Status, loginPage, loginView{Title: "Sign in", Error: message, Gone: true}, e.Reason)
}

// handleLogin serves the sign-in page: GET shows the sign-in form of a pending authorization request; POST
// step=signin checks the user name and password (as the password grant does, fixture.checkPassword) and
// shows the authorize button; POST step=authorize issues the code in the request's realm and redirects to
// the app with it (RFC 6749 §4.1.2). The POST body follows the token endpoint's form rules (readForm).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var (
		f form
		e *Error
	)
	switch r.Method {
	case http.MethodGet:
		f, e = queryForm(r.URL.RawQuery)
	case http.MethodPost:
		f, e = readForm(w, r, s.opts.MaxBodyBytes)
	default:
		writeError(w, errMethodNotAllowed("GET, POST"))
		return
	}
	if e != nil {
		loginRefused(w, e, e.Message)
		return
	}
	id := f.get("login")
	p := s.pendingFor(id)
	if p == nil {
		loginRefused(w, errInvalidParameter("login", id).withReason("unknown or expired sign-in"), "This sign-in is unknown or has expired: start again from the app.")
		return
	}
	view := loginView{Title: "Sign in", ID: id, Hint: p.hint, Action: PathLogin, App: p.code.app.Name}
	if r.Method == http.MethodGet {
		writeHTML(w, http.StatusOK, loginPage, view, "")
		return
	}
	switch f.get("step") {
	case "signin":
		u, e := s.fx.checkPassword(f.get("username"), "", f.get("password"))
		if e != nil {
			view.Error, view.Hint = "Wrong user name or password.", f.get("username")
			writeHTML(w, http.StatusUnauthorized, loginPage, view, e.Reason)
			return
		}
		s.logins.mu.Lock()
		p.user = u
		s.logins.mu.Unlock()
		view.Title, view.Consent, view.User = "Authorize "+p.code.app.Name, true, u.Email
		writeHTML(w, http.StatusOK, loginPage, view, "")
	case "authorize":
		s.logins.mu.Lock()
		u := p.user
		if u != nil {
			delete(s.logins.pending, id)
		}
		s.logins.mu.Unlock()
		if u == nil {
			loginRefused(w, errInvalidParameter("step", "authorize").withReason("approval before sign-in"), "You must sign in first.")
			return
		}
		c := p.code
		c.user = u
		code := s.realm(p.realm).storeCode(&c)
		redirectTo(w, p.target, url.Values{
			"code":       {code.value},
			"expires_in": {strconv.FormatInt(int64(s.opts.AuthCodeTTL/time.Second), 10)},
		}, p.state, "")
	default:
		loginRefused(w, errInvalidParameter("step", f.get("step")), "Unknown step.")
	}
}
