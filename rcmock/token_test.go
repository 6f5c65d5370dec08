package rcmock

import (
	"net/http"
	"testing"
)

// TestUnknownGrantError: a grant_type the mock does not know is RFC 6749 §5.2 unsupported_grant_type by
// default; Settings.UnknownGrantError "ringcentral-text" answers what RingCentral's specification text
// describes instead (SPEC-2023-03, SPEC-2024-04: "invalid_request: Unsupported grant type"), per scenario
// realm. Either way errors[0] names the parameter.
func TestUnknownGrantError(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		name, setting, scenario string
		oauth, message          string
	}{
		{"default: RFC 6749 §5.2", "", "rfc-default", "unsupported_grant_type", "Parameter [grant_type] value is invalid."},
		{"rfc", UnknownGrantRFC, "rfc", "unsupported_grant_type", "Parameter [grant_type] value is invalid."},
		{"RingCentral's specification text", UnknownGrantRingCentralText, "rc-text", "invalid_request", "Unsupported grant type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			realm := map[string]string{ScenarioHeader: tt.scenario}
			if tt.setting != "" {
				r := ts.do(t, request{method: http.MethodPatch, path: PathControl + "settings", body: `{"unknown_grant_error":"` + tt.setting + `"}`,
					header: map[string]string{ScenarioHeader: tt.scenario, "Content-Type": "application/json"}})
				if r.status != http.StatusOK {
					t.Fatalf("PATCH settings: got %d %s", r.status, r.body)
				}
			}
			realm["Authorization"] = basicAuth(tMainID, tMainSecret)
			r := ts.do(t, request{path: PathToken, body: formOf("grant_type", "implicit"), header: realm})
			first := wantTokenError(t, r, http.StatusBadRequest, tt.oauth, "CMN-101")
			if first["message"] != tt.message || first["parameterName"] != "grant_type" || first["parameterValue"] != "implicit" {
				t.Errorf("errors[0]: got %v; want message %q naming grant_type=implicit", first, tt.message)
			}
		})
	}
	if r := ts.control(t, http.MethodPatch, "settings", `{"unknown_grant_error":"rfc6749"}`); r.status != http.StatusBadRequest {
		t.Errorf("PATCH an unknown unknown_grant_error: got %d; want 400", r.status)
	}
}
