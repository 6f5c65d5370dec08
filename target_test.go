package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

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
// is one the mock accepts, under the same name.
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
	for _, path := range []string{driver.MockClockPath, driver.MockFaultsPath, driver.MockSettingsPath, driver.MockDeviceApprovePath, driver.MockResetPath} {
		if !strings.HasPrefix(path, rcmock.PathControl) {
			t.Errorf("the driver's control path %s is outside the mock's control API %s", path, rcmock.PathControl)
		}
	}
}
