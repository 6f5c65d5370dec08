package loadtest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rcoauth/conformance/rcmock"
)

// Every invariant must be able to fail: each case below plants one violation in a fabricated ledger that
// otherwise keeps every rule, and the check must report it.

var (
	tApp   = AppCredentials{ClientID: "app"}
	tOwner = owner{"u1", "app"}
)

// cleanLedger is a ledger of a run that kept every rule: one live session refreshed once (its replaced
// refresh token answered the same pair twice, then was refused once the pair was replaced), one revoked
// session, and one code exchanged once and replayed.
func cleanLedger() *ledger {
	live := &session{user: "u1", app: tApp, grant: "password", pairs: []pair{{"a1", "r1"}, {"a2", "r2"}}}
	gone := &session{user: "u1", app: tApp, grant: "authorization code", pairs: []pair{{"a3", "r3"}}, ended: "its code was replayed"}
	l := newLedger()
	l.expected = 4
	l.sessions = []*session{live, gone}
	l.refreshes["r1"] = []refreshAnswer{{http.StatusOK, pair{"a2", "r2"}}, {http.StatusOK, pair{"a2", "r2"}}, {http.StatusBadRequest, pair{}}}
	l.codes["c1"] = []int{http.StatusOK, http.StatusBadRequest}
	l.samples = []map[owner]int{{tOwner: 2}}
	l.finalOwners = map[owner]int{tOwner: 1}
	l.endedProbes = []probe{
		{what: "access token", session: gone, token: "a3", status: http.StatusUnauthorized},
		{what: "refresh token", session: gone, token: "r3", refresh: true, status: http.StatusBadRequest},
	}
	l.graceProbes = []probe{
		{what: "replaced refresh token within the long grace", session: live, token: "r1", refresh: true, want: pair{"a2", "r2"}, status: http.StatusOK, got: pair{"a2", "r2"}},
		{what: "replaced refresh token past the long grace", session: live, token: "r1", refresh: true, status: http.StatusBadRequest},
	}
	return l
}

func TestCleanLedgerKeepsEveryRule(t *testing.T) {
	for _, inv := range cleanLedger().verdicts() {
		if inv.Checked == 0 || inv.Violations != 0 {
			t.Errorf("%s: got %d checked, %d violations (%q); want some checked and none violated", inv.Name, inv.Checked, inv.Violations, inv.Examples)
		}
	}
}

func TestPlantedViolationsAreFound(t *testing.T) {
	tests := []struct {
		name  string
		check func(*ledger) Invariant
		plant func(*ledger)
	}{
		{"a valid sign-in refused", (*ledger).checkValid,
			func(l *ledger) { l.unexpected = append(l.unexpected, "password sign-in: got 400") }},
		{"a revoked session's access token works", (*ledger).checkEnded,
			func(l *ledger) { l.endedProbes[0].status = http.StatusOK }},
		{"an evicted session's refresh token works", (*ledger).checkEnded,
			func(l *ledger) {
				l.endedProbes[1].session.ended, l.endedProbes[1].status = "evicted by a sixth sign-in", http.StatusOK
			}},
		{"six sessions read during the load", (*ledger).checkSessionLimit,
			func(l *ledger) { l.samples[0][tOwner] = 6 }},
		{"the mock still holds a session the ledger holds evicted", (*ledger).checkSessionLimit,
			func(l *ledger) { l.finalOwners[tOwner] = 2 }},
		{"the mock ended a session the ledger holds live", (*ledger).checkSessionLimit,
			func(l *ledger) { delete(l.finalOwners, tOwner) }},
		{"the mock holds sessions of a pair the ledger never signed in", (*ledger).checkSessionLimit,
			func(l *ledger) { l.finalOwners[owner{"u2", "app"}] = 1 }},
		{"a refresh token answered two pairs", (*ledger).checkRefresh,
			func(l *ledger) {
				l.refreshes["r1"] = append(l.refreshes["r1"], refreshAnswer{http.StatusOK, pair{"a9", "r9"}})
			}},
		{"a replaced refresh token refused within its grace", (*ledger).checkRefresh,
			func(l *ledger) { l.graceProbes[0].status, l.graceProbes[0].got = http.StatusBadRequest, pair{} }},
		{"a replaced refresh token answered another pair within its grace", (*ledger).checkRefresh,
			func(l *ledger) { l.graceProbes[0].got = pair{"a9", "r9"} }},
		{"a replaced refresh token works past its grace", (*ledger).checkRefresh,
			func(l *ledger) { l.graceProbes[1].status = http.StatusOK }},
		{"a code exchanged twice", (*ledger).checkCodes,
			func(l *ledger) { l.codes["c1"] = []int{http.StatusOK, http.StatusOK} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := cleanLedger()
			if inv := tt.check(l); inv.Violations != 0 {
				t.Fatalf("%s before the plant: got %d violations; want none", inv.Name, inv.Violations)
			}
			tt.plant(l)
			if inv := tt.check(l); inv.Violations != 1 || len(inv.Examples) != 1 {
				t.Errorf("%s: got %d violations %q; want the planted one", inv.Name, inv.Violations, inv.Examples)
			}
		})
	}
}

func TestAnswersCheck(t *testing.T) {
	tests := []struct {
		name     string
		statuses map[int]int
		want     int
	}{
		{"4xx answers are no violation", map[int]int{200: 5, 400: 2, 401: 1, 302: 1}, 0},
		{"a 5xx", map[int]int{200: 5, 502: 1}, 1},
		{"a request without an answer", map[int]int{200: 5, 0: 2}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl, total := &tally{statuses: map[int]int{}}, 0
			for status, n := range tt.statuses {
				for range n {
					tl.answered("token request", status, "body")
				}
				total += n
			}
			inv := tl.check()
			if inv.Checked != total || inv.Violations != tt.want || len(inv.Examples) != tt.want {
				t.Errorf("got %d checked, %d violations %q; want %d checked, %d violations, each described", inv.Checked, inv.Violations, inv.Examples, total, tt.want)
			}
		})
	}
}

func TestMemoryCheck(t *testing.T) {
	empty := map[string]int{"sessions": 0, "active_sessions": 0, "tokens": 0, "codes": 0}
	tests := []struct {
		name string
		m    memory
		want int
	}{
		{"nothing left, heap not measured", memory{counts: empty}, 0},
		{"nothing left, heap within its slack", memory{counts: empty, heapMeasured: true, heapBefore: 40 << 20, heapAfter: 59 << 20}, 0},
		{"sessions and tokens left", memory{counts: map[string]int{"sessions": 3, "tokens": 6, "codes": 0}}, 2},
		{"the heap did not come back", memory{counts: empty, heapMeasured: true, heapBefore: 8 << 20, heapAfter: 40 << 20}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if inv := checkMemory(tt.m); inv.Violations != tt.want || inv.Checked == 0 {
				t.Errorf("got %d checked, %d violations %q; want %d", inv.Checked, inv.Violations, inv.Examples, tt.want)
			}
		})
	}
}

func TestRunTargetsOnlyLoopback(t *testing.T) {
	_, pop, err := NewFixture(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{"http://localhost:8910", "http://10.0.0.1:8910", "https://127.0.0.1:8910", "http://platform.devtest.ringcentral.com"} {
		if _, err := Run(context.Background(), Config{BaseURL: base, Population: pop, Requests: 1}); err == nil || !strings.Contains(err.Error(), "127.0.0.1") {
			t.Errorf("Run against %s: got %v; want a refusal naming 127.0.0.1", base, err)
		}
	}
}

func TestNewFixture(t *testing.T) {
	f, pop, err := NewFixture(3, 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rcmock.ParseFixture(b); err != nil {
		t.Fatalf("the fixture does not load: %v", err)
	}
	def := rcmock.DefaultFixture()
	if got, want := len(f.Users)-len(def.Users), 3; got != want || len(pop.Users) != want {
		t.Errorf("users added: got %d (population %d); want %d", got, len(pop.Users), want)
	}
	if got, want := len(f.Apps)-len(def.Apps), 2; got != want || len(pop.Apps) != want {
		t.Errorf("apps added: got %d (population %d); want %d", got, len(pop.Apps), want)
	}
}
