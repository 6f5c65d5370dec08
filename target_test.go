package conformance

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/rcmock"
)

// TestEmbeddedMockIntrospection checks that RC_MOCK_INTROSPECTION reaches the embedded mock: with it the
// mock's discovery document advertises the introspection endpoint, which is how the suite finds it; by
// default the mock, like today's API, has none.
func TestEmbeddedMockIntrospection(t *testing.T) {
	for _, on := range []bool{false, true} {
		t.Run("RC_MOCK_INTROSPECTION="+strconv.FormatBool(on), func(t *testing.T) {
			target, err := startTarget(env.Derive("mock", map[string]string{"RC_MOCK_EMBEDDED": "true", "RC_MOCK_INTROSPECTION": strconv.FormatBool(on)}))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = target.Close(context.Background()) })
			resp, err := http.Get(target.URL + "/.well-known/openid-configuration")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var doc struct {
				Introspection string `json:"introspection_endpoint"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
				t.Fatal(err)
			}
			want := ""
			if on {
				want = target.URL + "/restapi/oauth/introspect"
			}
			if doc.Introspection != want {
				t.Errorf("introspection_endpoint %q; want %q", doc.Introspection, want)
			}
		})
	}
}

// TestDriverSpeaksTheMocksControlAPI checks the driver's copy of the mock's control-API vocabulary (the
// driver does not import the mock, which may run as another process): every fault kind the driver names
// is one the mock accepts, under the same name, and every control call the driver makes is served by the
// embedded mock that startTarget starts — a path or a body the mock does not know is an error there.
func TestDriverSpeaksTheMocksControlAPI(t *testing.T) {
	for driverKind, mockKind := range map[string]string{
		driver.FaultTruncate: rcmock.FaultTruncate, driver.FaultResetMidBody: rcmock.FaultResetMidBody,
		driver.FaultHangAfterHeaders: rcmock.FaultHangAfterHeaders, driver.FaultGzipGarbage: rcmock.FaultGzipGarbage,
		driver.FaultRedirectLoop: rcmock.FaultRedirectLoop, driver.FaultHugeBody: rcmock.FaultHugeBody,
	} {
		if driverKind != mockKind {
			t.Errorf("the driver's fault kind %q is the mock's %q", driverKind, mockKind)
		}
	}
	target, err := startTarget(env.Derive("mock", map[string]string{"RC_MOCK_EMBEDDED": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = target.Close(context.Background()) })
	c, err := driver.New(driver.Config{BaseURL: target.URL, Scenario: "control-api"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mode := "reject"
	for _, call := range []struct {
		name string
		do   func() error
	}{
		{"advance the clock (" + driver.MockClockPath + ")", func() error { _, err := c.AdvanceClock(ctx, time.Minute); return err }},
		{"inject a fault (" + driver.MockFaultsPath + ")", func() error {
			return c.InjectFault(ctx, driver.Fault{Path: driver.TokenPath, Count: 1, Kind: driver.FaultTruncate, Bytes: 10})
		}},
		{"clear the faults (" + driver.MockFaultsPath + ")", func() error { return c.ClearFaults(ctx) }},
		{"change a setting (" + driver.MockSettingsPath + ")", func() error {
			_, err := c.UpdateSettings(ctx, driver.MockSettings{SessionLimitMode: &mode})
			return err
		}},
		{"reset the scenario's realm (" + driver.MockResetPath + ")", func() error { return c.ResetScenario(ctx) }},
	} {
		if err := call.do(); err != nil {
			t.Errorf("%s: %v", call.name, err)
		}
	}
	// Approving a user code nobody asked for is refused by the device flow, not by the router. Both answer
	// 404, which the driver reads as "no control API", so the body tells them apart: the router's is
	// CMN-102 (no such resource).
	req, err := http.NewRequest(http.MethodPost, target.URL+driver.MockDeviceApprovePath, strings.NewReader(`{"user_code":"NOPE-0000"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Mock-Scenario", "control-api")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode < 400 || len(body) == 0 || strings.Contains(string(body), "CMN-102") {
		t.Errorf("approving an unknown user code at %s: %d %s (%v); want the device flow's refusal, not an unknown path", driver.MockDeviceApprovePath, resp.StatusCode, body, err)
	}
}
