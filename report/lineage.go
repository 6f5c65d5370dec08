package report

import (
	"net/url"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/rcoauth/conformance/driver"
)

// TokenEvent is one node of a scenario's token lineage: a grant or refresh that issued tokens (or was
// refused), or a revocation.
type TokenEvent struct {
	// Kind is "grant", "refresh" or "revoke".
	Kind string `json:"kind"`
	// Label names the event: the grant type, "refresh" or "revoke".
	Label string `json:"label"`
	// Step is the index of the step that made the exchange (-1 for the scenario's cleanup).
	Step int `json:"step"`
	// Status is the HTTP status of the answer (0 after a transport error).
	Status int `json:"status"`
	// OK says the request succeeded: tokens were issued, or the revocation answered 200.
	OK bool `json:"ok"`
	// Access and Refresh are the fingerprints of the tokens the event issued.
	Access  string `json:"access,omitempty"`
	Refresh string `json:"refresh,omitempty"`
	// Used is the fingerprint of the token the event presented: the refresh token of a refresh, the token
	// of a revocation.
	Used string `json:"used,omitempty"`
	// From is the index of the event that issued Used, or -1 when no earlier event of the scenario did.
	From int `json:"from"`
	// Lane is the session's row in the drawing: a grant opens a lane, a refresh or revocation continues
	// the lane of the tokens it used.
	Lane int `json:"lane"`
}

// Lineage derives a scenario's token lineage from its redacted exchanges, in order: which grant issued
// which tokens, which refresh replaced them, which revocation ended them, by fingerprint. Requests to other
// endpoints are left out. It returns nil when the scenario issued, refreshed and revoked nothing.
func Lineage(steps [][]driver.Exchange, cleanup []driver.Exchange) []TokenEvent {
	var events []TokenEvent
	issuer := map[string]int{} // fingerprint → index of the event that issued it
	lanes := 0
	add := func(step int, x driver.Exchange) {
		ev, ok := tokenEvent(x)
		if !ok {
			return
		}
		ev.Step, ev.From = step, -1
		if i, found := issuer[ev.Used]; found && ev.Used != "" {
			ev.From, ev.Lane = i, events[i].Lane
		} else {
			ev.Lane = lanes
			lanes++
		}
		for _, fp := range []string{ev.Access, ev.Refresh} {
			if fp != "" {
				issuer[fp] = len(events)
			}
		}
		events = append(events, ev)
	}
	for i, xs := range steps {
		for _, x := range xs {
			add(i, x)
		}
	}
	for _, x := range cleanup {
		add(-1, x)
	}
	return events
}

// tokenEvent reads one exchange as a lineage event: a POST to the token or revocation endpoint.
func tokenEvent(x driver.Exchange) (TokenEvent, bool) {
	u, err := url.Parse(x.URL)
	if err != nil || x.Method != "POST" {
		return TokenEvent{}, false
	}
	form, _ := url.ParseQuery(x.RequestBody)
	switch {
	case strings.HasSuffix(u.Path, "/oauth/token"):
		grant := form.Get("grant_type")
		ev := TokenEvent{Kind: "grant", Label: grantLabel(grant), Status: x.Status}
		if grant == "refresh_token" {
			ev.Kind, ev.Label, ev.Used = "refresh", "refresh", form.Get("refresh_token")
		}
		if x.Status == 200 && gjson.Valid(x.ResponseBody) {
			body := gjson.Parse(x.ResponseBody)
			ev.Access, ev.Refresh = body.Get("access_token").String(), body.Get("refresh_token").String()
			ev.OK = ev.Access != ""
		}
		return ev, true
	case strings.HasSuffix(u.Path, "/oauth/revoke"):
		token := form.Get("token")
		if token == "" {
			token = u.Query().Get("token")
		}
		return TokenEvent{Kind: "revoke", Label: "revoke", Status: x.Status, OK: x.Status == 200, Used: token}, true
	}
	return TokenEvent{}, false
}

// grantLabel shortens a grant_type for the drawing.
func grantLabel(grant string) string {
	if i := strings.LastIndex(grant, ":"); i >= 0 {
		grant = grant[i+1:]
	}
	if grant == "" {
		return "no grant_type"
	}
	return strings.ReplaceAll(grant, "_", " ")
}
