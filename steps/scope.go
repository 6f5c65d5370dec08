package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rcoauth/conformance/driver"
)

// Scope at the token endpoint (RFC 6749 §3.3, §5.1, §6; OpenAPI BaseTokenRequest.scope: "By default, it
// includes all permissions configured on the client application registration"). Which scopes an app has
// differs from account to account, so the sentences learn them from a sign-in without scope and choose
// from what the target granted: the scenarios run unchanged against any app.

// knownPermissions are RingCentral permission names (ringcentral-oauth.md §9.6, the widgets' RcMock scope
// list), from which a scope the app was not granted is chosen.
var knownPermissions = strings.Fields(`ReadAccounts ReadCallLog EditAccounts ReadMessages Faxes ReadPresence EditCallLog
	Meetings VoipCalling ReadClientInfo Interoperability WebSocket SubscriptionWebSocket Contacts EditExtensions
	TelephonySessions RingOut SMS InternalMessages EditMessages EditPresence`)

func (v *vocabulary) scope() {
	w := v.w
	v.sc.Step(v.re(`^the app requests a token with the (`+grantNames+`) grant for (one of its scopes|a scope it was not granted)$`), w.tokenForScope)
	v.sc.Step(v.re(`^the app refreshes the token asking for more scopes than it was granted$`), w.refreshWidening)
	v.sc.Step(v.assertion(`^the token response's scope is the one requested$`), w.scopeAsRequested)
}

// grantedScopes returns the scopes the app is granted, as the latest token response names them, signing
// in with grant first when the scenario has no token yet.
func (w *world) grantedScopes(ctx context.Context, grant string) ([]string, error) {
	if len(w.tokens) == 0 {
		r, err := w.requestToken(ctx, grant, nil, tokenOptions{})
		if err != nil {
			return nil, err
		}
		if r.token == nil {
			return nil, fmt.Errorf("signing in with the %s grant to learn the app's scopes: %s", grant, r.describe())
		}
	}
	t, err := w.latestToken()
	if err != nil {
		return nil, err
	}
	granted := strings.Fields(t.Scope)
	if len(granted) == 0 {
		return nil, fmt.Errorf("the token response names no scope, so the app's scopes are unknown (RFC 6749 §5.1 requires scope when it differs from the request)")
	}
	return granted, nil
}

// tokenForScope requests a token for one scope the app was granted, or for a RingCentral permission it
// was not granted (RFC 6749 §5.2 invalid_scope: "exceeds the scope granted by the resource owner").
func (w *world) tokenForScope(ctx context.Context, grant, which string) (err error) {
	defer w.verdict(&err)
	granted, err := w.grantedScopes(ctx, grant)
	if err != nil {
		return err
	}
	scope := granted[0]
	if which == "a scope it was not granted" {
		i := slices.IndexFunc(knownPermissions, func(p string) bool { return !slices.Contains(granted, p) })
		if i < 0 {
			return w.skip("the app is granted every RingCentral permission the harness knows (%s)", strings.Join(granted, " "))
		}
		scope = knownPermissions[i]
	}
	w.requestedScope = scope
	return w.tokenStep(ctx, grant, func(f *driver.Form) error { f.Set("scope", scope); return nil }, tokenOptions{})
}

// refreshWidening refreshes the latest token asking for every scope the app has, when the token was issued
// for fewer: RFC 6749 §6 "The requested scope MUST NOT include any scope not originally granted".
func (w *world) refreshWidening(ctx context.Context) (err error) {
	defer w.verdict(&err)
	t, err := w.latestToken()
	if err != nil {
		return err
	}
	if w.requestedScope == "" || len(w.tokens) < 2 {
		return fmt.Errorf("no token of this scenario was issued for fewer scopes than the app has: sign in for one of its scopes first")
	}
	all := strings.Fields(w.tokens[0].Scope)
	if len(all) < 2 {
		return w.skip("the app is granted a single scope (%s), so a refresh cannot ask for more than a narrowed grant", w.tokens[0].Scope)
	}
	return w.refresh(ctx, "latest", func(f *driver.Form) error {
		if t.RefreshToken == "" {
			return fmt.Errorf("the latest token response has no refresh token")
		}
		f.Set("scope", strings.Join(all, " "))
		return nil
	})
}

// scopeAsRequested checks that the token carries exactly the scope requested (RFC 6749 §3.3: the server
// may issue less, but then must say so; RingCentral's TokenInfo.scope lists the granted permissions).
func (w *world) scopeAsRequested() (err error) {
	defer w.verdict(&err)
	r, err := w.successful()
	if err != nil {
		return err
	}
	if w.requestedScope == "" {
		return fmt.Errorf("no token request of this scenario asked for a scope")
	}
	var p problems
	if got := r.token.Scope; got != w.requestedScope {
		p.addf("scope %q; want the scope requested, %q", got, w.requestedScope)
	}
	return p.err(r)
}

// sameScopeAsFirst checks that the latest token response carries the scope of the first one, compared as
// sets of scope values (RFC 6749 §3.3: space-delimited, order-insensitive). RingCentral ignores the scope
// of an authorization request, "deferring to the permissions set by the developer when the app was
// created" (DOCS login-url-params.inc), so asking for another scope there changes nothing.
func (w *world) sameScopeAsFirst() (err error) {
	defer w.verdict(&err)
	r, err := w.successful()
	if err != nil {
		return err
	}
	if len(w.tokens) < 2 {
		return fmt.Errorf("want two token responses to compare; got %d", len(w.tokens))
	}
	first, latest := scopeSet(w.tokens[0].Scope), scopeSet(w.tokens[len(w.tokens)-1].Scope)
	if !slices.Equal(first, latest) {
		var p problems
		p.addf("scope %q; want the first token's %q", strings.Join(latest, " "), strings.Join(first, " "))
		return p.err(r)
	}
	return nil
}

// scopeSet returns the distinct values of a scope string, sorted.
func scopeSet(scope string) []string {
	s := strings.Fields(scope)
	slices.Sort(s)
	return slices.Compact(s)
}
