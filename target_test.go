package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/rcoauth/conformance/env"
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
