package openapi

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
)

// validTokenInfo is a getToken response as RingCentral sends it (password grant, sandbox).
const validTokenInfo = `{"access_token":"a","token_type":"bearer","expires_in":3599,"refresh_token":"r","refresh_token_expires_in":604799,"scope":"ReadAccounts","owner_id":"62264425016","endpoint_id":"e","session_id":"s"}`

// oau251 is RingCentral's real answer to a grant type the application is not authorized for.
const oau251 = `{"error":"unauthorized_client","errors":[{"errorCode":"OAU-251","message":"Unauthorized for this grant type"}],"error_description":"Unauthorized for this grant type"}`

var versions = []Version{Latest, V2025_09}

// mustLoad loads the description for v or stops the test.
func mustLoad(tb testing.TB, v Version) *Spec {
	tb.Helper()
	s, err := Load(v)
	if err != nil {
		tb.Fatalf("Load(%q): %v", v, err)
	}
	return s
}

// checkValidation compares err with the expected outcome: nil when want is nil, otherwise a
// *ValidationError for schema with exactly len(want) problems, each containing its want substring.
func checkValidation(tb testing.TB, err error, schema string, want []string) {
	tb.Helper()
	if want == nil {
		if err != nil {
			tb.Fatalf("got error %v; want nil", err)
		}
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		tb.Fatalf("got error %v (%T); want *ValidationError", err, err)
	}
	if ve.Schema != schema {
		tb.Errorf("got Schema %q; want %q", ve.Schema, schema)
	}
	if len(ve.Problems) != len(want) {
		tb.Fatalf("got %d problems %q; want %d containing %q", len(ve.Problems), ve.Problems, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(ve.Problems[i], w) {
			tb.Errorf("got problem %d %q; want it to contain %q", i, ve.Problems[i], w)
		}
		if !strings.Contains(err.Error(), "\n - "+ve.Problems[i]) {
			tb.Errorf("got message %q; want problem %q on its own line", err.Error(), ve.Problems[i])
		}
	}
	if !strings.HasPrefix(err.Error(), "openapi: response does not match "+schema+":\n") {
		tb.Errorf("got message %q; want prefix %q", err.Error(), "openapi: response does not match "+schema+":\n")
	}
}

// withField returns validTokenInfo with field set to the raw JSON value, or removed if raw is "".
func withField(tb testing.TB, field, raw string) string {
	tb.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(validTokenInfo), &m); err != nil {
		tb.Fatal(err)
	}
	if raw == "" {
		delete(m, field)
	} else {
		m[field] = json.RawMessage(raw)
	}
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestLoad(t *testing.T) {
	for _, v := range versions {
		t.Run(string(v), func(t *testing.T) {
			s := mustLoad(t, v)
			if got := s.Version(); got != v {
				t.Errorf("got Version() %q; want %q", got, v)
			}
			again := mustLoad(t, v)
			if again != s {
				t.Errorf("got a new *Spec on the second Load(%q); want the cached one", v)
			}
		})
	}
	if _, err := Load("2019-01"); err == nil || !strings.HasPrefix(err.Error(), "openapi: unknown spec version") {
		t.Errorf(`got Load("2019-01") error %v; want "openapi: unknown spec version ..."`, err)
	}
}

func TestValidateSchema(t *testing.T) {
	tests := []struct {
		name   string
		schema string
		body   string
		want   []string // nil: valid
	}{
		{name: "valid TokenInfo", schema: "TokenInfo", body: validTokenInfo},
		{name: "missing session_id", schema: "TokenInfo", body: withField(t, "session_id", ""),
			want: []string{`property "session_id" is missing`}},
		{name: "owner_id as number", schema: "TokenInfo", body: withField(t, "owner_id", "62264425016"),
			want: []string{`property "owner_id": value must be a string`}},
		{name: "expires_in as string", schema: "TokenInfo", body: withField(t, "expires_in", `"3600"`),
			want: []string{`property "expires_in": value must be an integer`}},
		{name: "expires_in with fraction", schema: "TokenInfo", body: withField(t, "expires_in", "3600.5"),
			want: []string{`property "expires_in": value must be an integer`}},
		{name: "expires_in beyond int32", schema: "TokenInfo", body: withField(t, "expires_in", "2147483648"),
			want: []string{`property "expires_in": integer doesn't match the format "int32"`}},
		// The schema enum is lower-case only; the case-insensitive comparison of RFC 6749 §5.1
		// belongs to the harness's own token_type checks, not to this schema check.
		{name: "token_type Bearer fails the enum", schema: "TokenInfo", body: withField(t, "token_type", `"Bearer"`),
			want: []string{`property "token_type": value is not one of the allowed values ["bearer"]`}},
		{name: "session_expiration_time not RFC 3339", schema: "TokenInfo",
			body: strings.Replace(validTokenInfo, `}`, `,"session_expiration_time":"2023-04-01 12:00:01+00:00"}`, 1),
			want: []string{`property "session_expiration_time": string doesn't match the format "date-time"`}},
		{name: "several problems at once", schema: "TokenInfo",
			body: `{"access_token":7,"token_type":"mac","expires_in":"3600","owner_id":1}`,
			want: []string{
				`property "access_token": value must be a string`,
				`property "expires_in": value must be an integer`,
				`property "owner_id": value must be a string`,
				`property "token_type": value is not one of the allowed values`,
				`property "scope" is missing`,
				`property "session_id" is missing`,
			}},
		{name: "array instead of object", schema: "TokenInfo", body: `[]`,
			want: []string{`body: value must be an object`}},
		{name: "not JSON", schema: "TokenInfo", body: `<html>Service Unavailable</html>`,
			want: []string{`body is not JSON: invalid character '<'`}},
		{name: "empty body", schema: "TokenInfo", body: ``,
			want: []string{`body is not JSON: empty body`}},
		{name: "trailing data", schema: "TokenInfo", body: validTokenInfo + `{}`,
			want: []string{`body is not JSON: unexpected data after the JSON value`}},
		{name: "valid UserInfoResource", schema: "UserInfoResource", body: `{"sub":"987654321","email_verified":true}`},
		{name: "UserInfoResource email_verified as string", schema: "UserInfoResource", body: `{"sub":"1","email_verified":"true"}`,
			want: []string{`property "email_verified": value must be a boolean`}},
		{name: "JWKeySet without keys", schema: "JWKeySet", body: `{"keys":[]}`,
			want: []string{`property "keys": minimum number of items is 1`}},
		{name: "JWKeySet key use outside enum", schema: "JWKeySet",
			body: `{"keys":[{"kty":"RSA","alg":"RS256","use":"verify","kid":"k","n":"AQAB","e":"AQAB"}]}`,
			want: []string{`property "keys.0.use": value is not one of the allowed values ["sig","enc"]`}},
	}
	for _, v := range versions {
		s := mustLoad(t, v)
		for _, tt := range tests {
			t.Run(string(v)+"/"+tt.name, func(t *testing.T) {
				err := s.ValidateSchema(tt.schema, []byte(tt.body))
				checkValidation(t, err, tt.schema, tt.want)
				var ve *ValidationError
				if errors.As(err, &ve) && string(ve.Body) != tt.body {
					t.Errorf("got Body %q; want %q", ve.Body, tt.body)
				}
			})
		}
	}
}

func TestValidateSchemaUnknownName(t *testing.T) {
	s := mustLoad(t, Latest)
	err := s.ValidateSchema("TokenInfos", []byte(validTokenInfo))
	var ve *ValidationError
	if err == nil || errors.As(err, &ve) {
		t.Fatalf("got %v; want a plain error about the unknown schema", err)
	}
	if want := `openapi: spec latest has no schema "TokenInfos"`; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %q; want prefix %q", err, want)
	}
}

func TestValidateResponse(t *testing.T) {
	const token = "/restapi/oauth/token"
	tests := []struct {
		name        string
		method      string
		path        string
		status      int
		contentType string
		body        string
		schema      string   // ValidationError.Schema when want is not nil
		want        []string // nil: valid
	}{
		{name: "200 TokenInfo", method: "POST", path: token, status: 200,
			contentType: "application/json", body: validTokenInfo},
		{name: "200 TokenInfo with charset, lower-case method, full URL", method: "post",
			path: "https://platform.ringcentral.com/restapi/oauth/token?x=1", status: 200,
			contentType: "application/json; charset=UTF-8", body: validTokenInfo},
		{name: "200 TokenInfo missing session_id", method: "POST", path: token, status: 200,
			contentType: "application/json", body: withField(t, "session_id", ""),
			schema: "TokenInfo", want: []string{`property "session_id" is missing`}},
		{name: "400 OAU-251 unauthorized_client", method: "POST", path: token, status: 400,
			contentType: "application/json", body: oau251},
		{name: "400 error outside the enum", method: "POST", path: token, status: 400,
			contentType: "application/json", body: strings.Replace(oau251, "unauthorized_client", "unauthorised_client", 1),
			schema: "OauthInvalidRequest", want: []string{`property "error": value is not one of the allowed values`}},
		{name: "400 empty errors", method: "POST", path: token, status: 400,
			contentType: "application/json", body: `{"error":"invalid_request","errors":[]}`,
			schema: "OauthInvalidRequest", want: []string{`property "errors": minimum number of items is 1`}},
		{name: "400 without errors", method: "POST", path: token, status: 400,
			contentType: "application/json", body: `{"error":"invalid_request","error_description":"x"}`,
			schema: "OauthInvalidRequest", want: []string{`property "errors" is missing`}},
		{name: "400 all problems of allOf members", method: "POST", path: token, status: 400,
			contentType: "application/json", body: `{"error":"nope","errors":[{"errorCode":251}]}`,
			schema: "OauthInvalidRequest", want: []string{
				`property "error": value is not one of the allowed values`,
				`property "errors.0.errorCode": value must be a string`,
				`property "errors.0.message" is missing`,
			}},
		{name: "400 not JSON", method: "POST", path: token, status: 400,
			contentType: "application/json", body: `Bad Request`,
			schema: "OauthInvalidRequest", want: []string{`body is not JSON`}},
		{name: "415 declared without schema", method: "POST", path: token, status: 415,
			contentType: "text/html", body: `<html>Unsupported Media Type</html>`},
		{name: "429 declared without schema", method: "POST", path: token, status: 429},
		{name: "401 not declared", method: "POST", path: token, status: 401,
			contentType: "application/json", body: `{"error":"invalid_client"}`,
			schema: "POST /restapi/oauth/token", want: []string{`status 401 is not declared (declared: 200, 400, 415, 429)`}},
		{name: "200 content type not declared", method: "POST", path: token, status: 200,
			contentType: "text/html", body: validTokenInfo,
			schema: "POST /restapi/oauth/token 200 response", want: []string{`content type "text/html" is not declared (declared: application/json)`}},
		{name: "200 without content type", method: "POST", path: token, status: 200,
			body:   validTokenInfo,
			schema: "POST /restapi/oauth/token 200 response", want: []string{`no content type (declared: application/json)`}},
		{name: "200 revoke without content", method: "POST", path: "/restapi/oauth/revoke", status: 200},
	}
	for _, v := range versions {
		s := mustLoad(t, v)
		for _, tt := range tests {
			t.Run(string(v)+"/"+tt.name, func(t *testing.T) {
				err := s.ValidateResponse(tt.method, tt.path, tt.status, tt.contentType, []byte(tt.body))
				checkValidation(t, err, tt.schema, tt.want)
			})
		}
	}
}

// TestVersionsDiffer shows why both descriptions are kept: the 2025-09 one does not yet require
// code_challenge_methods_supported (RFC 8414 §2, PKCE) in the OpenID discovery document.
func TestVersionsDiffer(t *testing.T) {
	const discovery = `{"issuer":"https://platform.ringcentral.com",` +
		`"authorization_endpoint":"https://platform.ringcentral.com/restapi/oauth/authorize",` +
		`"token_endpoint":"https://platform.ringcentral.com/restapi/oauth/token",` +
		`"revocation_endpoint":"https://platform.ringcentral.com/restapi/oauth/revoke",` +
		`"userinfo_endpoint":"https://platform.ringcentral.com/restapi/oauth/userinfo",` +
		`"jwks_uri":"https://platform.ringcentral.com/restapi/oauth/jwks",` +
		`"scopes_supported":["openid","email","profile"],` +
		`"token_endpoint_auth_methods_supported":["client_secret_basic","private_key_jwt"],` +
		`"response_types_supported":["code"],"subject_types_supported":["public"],` +
		`"userinfo_signing_alg_values_supported":["none"],"id_token_signing_alg_values_supported":["RS256"]}`
	tests := []struct {
		version Version
		want    []string
	}{
		{version: Latest, want: []string{`property "code_challenge_methods_supported" is missing`}},
		{version: V2025_09},
	}
	for _, tt := range tests {
		t.Run(string(tt.version), func(t *testing.T) {
			s := mustLoad(t, tt.version)
			err := s.ValidateResponse("GET", "/.well-known/openid-configuration", 200, "application/json", []byte(discovery))
			checkValidation(t, err, "OpenIdDiscovery", tt.want)
		})
	}
}

func TestValidateResponseUnknownOperation(t *testing.T) {
	s := mustLoad(t, Latest)
	tests := []struct {
		name, method, path, want string
	}{
		{name: "unknown path", method: "POST", path: "/restapi/oauth/tokens",
			want: `openapi: spec latest has no path "/restapi/oauth/tokens" (paths: /.well-known/openid-configuration, `},
		{name: "unknown method", method: "GET", path: "/restapi/oauth/token",
			want: `openapi: spec latest has no operation GET /restapi/oauth/token (methods: POST)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.ValidateResponse(tt.method, tt.path, 200, "application/json", []byte(validTokenInfo))
			var ve *ValidationError
			if err == nil || errors.As(err, &ve) {
				t.Fatalf("got %v; want a plain error", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %q; want prefix %q", err, tt.want)
			}
		})
	}
}

// TestConcurrentUse loads and validates from many goroutines; run with -race.
func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			v := versions[i%len(versions)]
			s, err := Load(v)
			if err != nil {
				t.Errorf("Load(%q): %v", v, err)
				return
			}
			if err := s.ValidateSchema("TokenInfo", []byte(validTokenInfo)); err != nil {
				t.Errorf("ValidateSchema: got %v; want nil", err)
			}
			if err := s.ValidateResponse("POST", "/restapi/oauth/token", 400, "application/json", []byte(`{"error":"x","errors":[]}`)); err == nil {
				t.Errorf("ValidateResponse: got nil; want an error")
			}
		})
	}
	wg.Wait()
}

func BenchmarkValidateSchemaTokenInfo(b *testing.B) {
	s := mustLoad(b, Latest)
	body := []byte(validTokenInfo)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.ValidateSchema("TokenInfo", body); err != nil {
			b.Fatal(err)
		}
	}
}
