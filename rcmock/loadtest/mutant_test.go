package loadtest

import (
	"context"
	"testing"
	"time"

	"github.com/rcoauth/conformance/rcmock"
)

// TestRunFindsABrokenMock runs a small load against mocks that break one rule each through their Options
// (cmd/rcmock cannot be told to), in-process on 127.0.0.1:0, and checks that the run reports the invariant
// the mutation breaks: the checks fail against a real server, not only against fabricated ledgers
// (check_test.go).
func TestRunFindsABrokenMock(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*rcmock.Options)
		broken string // the invariant that must report violations
	}{
		{"a sixth session per user and app", func(o *rcmock.Options) { o.SessionLimit = 6 }, "at most 5 sessions per user and app"},
		{"a fifth session evicts", func(o *rcmock.Options) { o.SessionLimit = 4 }, "valid requests succeed"},
		{"a replaced refresh token answers for hours after its successor was used",
			func(o *rcmock.Options) { o.RefreshGraceAfterUse = 2 * time.Hour }, "a refresh token answers one pair, then none"},
		{"expired sessions are kept for a month", func(o *rcmock.Options) { o.Retention = 30 * 24 * time.Hour }, "memory back to its baseline after expiry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx, pop, err := NewFixture(2, 1)
			if err != nil {
				t.Fatal(err)
			}
			opts := rcmock.DefaultOptions()
			opts.Control, opts.Fixture = true, fx
			tt.mutate(&opts)
			srv, err := rcmock.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			in, err := srv.Start("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = in.Close(context.Background()) })
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rep, err := Run(ctx, Config{BaseURL: in.URL, Population: pop, Requests: 400, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, inv := range rep.Invariants {
				if inv.Name == tt.broken {
					found = inv.Violations > 0
				}
			}
			if !found {
				t.Errorf("the run reported no violation of %q against a mock with %s:\n%s", tt.broken, tt.name, rep)
			}
		})
	}
}
