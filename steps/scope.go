package steps

import (
	"fmt"
	"slices"
	"strings"
)

// sameScopeAsFirst checks that the latest token response carries the scope of the first one, compared as
// sets of scope values (RFC 6749 §3.3: space-delimited, order-insensitive). RingCentral ignores the scope
// of an authorization request, "deferring to the permissions set by the developer when the app was
// created" (DOCS login-url-params.inc), so asking for another scope there changes nothing.
func (w *world) sameScopeAsFirst() error {
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
