package driver

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestControlAPIRequests(t *testing.T) {
	on, mode := true, "reject"
	tests := []struct {
		name       string
		call       func(c *Client) error
		answer     string
		wantMethod string
		wantPath   string
		wantBody   map[string]any // nil = no body
	}{
		{"AdvanceClock", func(c *Client) error {
			now, err := c.AdvanceClock(ctx, 90*time.Minute+500*time.Millisecond)
			if err == nil && !now.Equal(time.Date(2030, 1, 1, 1, 30, 0, 0, time.UTC)) {
				return errors.New("now = " + now.String())
			}
			return err
		}, `{"now":"2030-01-01T01:30:00Z"}`, "POST", "/__mock/clock", map[string]any{"advance_seconds": 5400.5}},
		{"InjectFault", func(c *Client) error {
			return c.InjectFault(ctx, Fault{Path: TokenPath, Count: 2, Status: 503, DelayMS: 10, Body: `{"error":"x"}`,
				ContentType: "application/json", Header: map[string]string{"Retry-After": "7"}})
		}, `{}`, "POST", "/__mock/faults", map[string]any{"path": TokenPath, "count": 2.0, "status": 503.0, "delay_ms": 10.0,
			"body": `{"error":"x"}`, "content_type": "application/json", "headers": map[string]any{"Retry-After": "7"}}},
		{"InjectFault minimal", func(c *Client) error { return c.InjectFault(ctx, Fault{Path: RevokePath, Status: 429}) },
			`{}`, "POST", "/__mock/faults", map[string]any{"path": RevokePath, "status": 429.0}},
		{"ClearFaults", func(c *Client) error { return c.ClearFaults(ctx) }, ``, "DELETE", "/__mock/faults", nil},
		{"UpdateSettings sends only set fields", func(c *Client) error {
			got, err := c.UpdateSettings(ctx, MockSettings{RateLimit: &on, SessionLimitMode: &mode})
			if err == nil && !reflect.DeepEqual(got, map[string]any{"rate_limit": true, "session_limit_mode": "reject", "revoke_on_code_reuse": false}) {
				return errors.New("settings = " + strings.TrimSpace(jsonString(got)))
			}
			return err
		}, `{"rate_limit":true,"session_limit_mode":"reject","revoke_on_code_reuse":false}`, "PATCH", "/__mock/settings",
			map[string]any{"rate_limit": true, "session_limit_mode": "reject"}},
		{"ApproveDevice", func(c *Client) error { return c.ApproveDevice(ctx, "ABCD-EFGH", "alice@example.com", true) },
			`{}`, "POST", "/__mock/device/approve", map[string]any{"user_code": "ABCD-EFGH", "login": "alice@example.com", "deny": true}},
		{"ResetScenario", func(c *Client) error { return c.ResetScenario(ctx) }, `{}`, "POST", "/__mock/reset", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, respond(200, "application/json", tt.answer))
			c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Scenario = "scn-1" })
			if err := tt.call(c); err != nil {
				t.Fatal(err)
			}
			got := srv.last(t)
			if got.Method != tt.wantMethod || got.URL.Path != tt.wantPath {
				t.Errorf("request = %s %s; want %s %s", got.Method, got.URL.Path, tt.wantMethod, tt.wantPath)
			}
			if s := got.Header.Get(ScenarioHeader); s != "scn-1" {
				t.Errorf("%s = %q; want scn-1", ScenarioHeader, s)
			}
			if tt.wantBody == nil {
				if len(got.Body) != 0 {
					t.Errorf("body = %q; want none", got.Body)
				}
				return
			}
			if ct := got.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q; want application/json", ct)
			}
			var body map[string]any
			if err := json.Unmarshal(got.Body, &body); err != nil {
				t.Fatalf("body %q is not a JSON object: %v", got.Body, err)
			}
			if !reflect.DeepEqual(body, tt.wantBody) {
				t.Errorf("body = %v; want %v", body, tt.wantBody)
			}
		})
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestControlAPIErrors(t *testing.T) {
	tests := []struct {
		name        string
		handler     http.HandlerFunc
		call        func(c *Client) error
		wantDisable bool
		wantMsg     string
	}{
		{"404 means disabled", http.NotFound, func(c *Client) error { return c.ClearFaults(ctx) }, true,
			"driver: the mock control API is disabled: DELETE /__mock/faults answered 404 (the target is not an rcmock, or its control API is off)"},
		{"other status", respond(400, "application/json", `{"error":"advance_seconds must be positive"}`),
			func(c *Client) error { _, err := c.AdvanceClock(ctx, -time.Second); return err }, false,
			`driver: mock control POST /__mock/clock answered 400: {"error":"advance_seconds must be positive"}`},
		{"clock answer without now", respond(200, "application/json", `{}`),
			func(c *Client) error { _, err := c.AdvanceClock(ctx, time.Second); return err }, false,
			`driver: mock control POST /__mock/clock answered without an RFC 3339 "now": {}`},
		{"settings answer not an object", respond(200, "text/plain", `ok`),
			func(c *Client) error { _, err := c.UpdateSettings(ctx, MockSettings{}); return err }, false,
			`driver: mock control PATCH /__mock/settings answered with a body that is not a JSON object: ok`},
		{"fault without path", nil, func(c *Client) error { return c.InjectFault(ctx, Fault{}) }, false,
			"driver: InjectFault: Fault.Path is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, tt.handler)
			c := newTestClient(t, srv.URL)
			err := tt.call(c)
			if err == nil || err.Error() != tt.wantMsg {
				t.Fatalf("error = %v; want %q", err, tt.wantMsg)
			}
			if got := errors.Is(err, ErrControlDisabled); got != tt.wantDisable {
				t.Errorf("errors.Is(err, ErrControlDisabled) = %v; want %v", got, tt.wantDisable)
			}
		})
	}
}
