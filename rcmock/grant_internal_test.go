package rcmock

import (
	"net/http"
	"testing"
	"time"
)

// Tests of the grants that only SPEC-2025-09's InternalGetTokenRequest documents: client_credentials,
// guest, otp and ivr_pin.

// tokenCase is one token request and what it must answer: a TokenInfo of shape want, or an error.
type tokenCase struct {
	name   string
	client client
	params []string // form key, value pairs
	want   *tokenShape
	status int
	oauth  string
	code   string
	param  string // errors[0].parameterName, when set
	reason string // X-Mock-Error-Reason contains it, when set
}

// runTokenCases runs each case against a fresh mock built with mutate.
func runTokenCases(t *testing.T, cases []tokenCase, mutate ...func(*Options)) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := newTestServer(t, mutate...)
			r := m.token(t, c.client, formValues(c.params...))
			if c.want != nil {
				wantToken(t, r, *c.want)
				return
			}
			e := wantError(t, r, c.status, c.oauth, c.code)
			if c.param != "" && e["parameterName"] != c.param {
				t.Errorf("parameterName: got %v; want %q", e["parameterName"], c.param)
			}
			wantReason(t, r, c.reason)
		})
	}
}

func TestClientCredentialsGrant(t *testing.T) {
	t.Parallel()
	env := mockEnv(t)
	main := mainClient
	cc := func(kv ...string) []string {
		return append([]string{"grant_type", GrantClientCredentials}, kv...)
	}
	userless := &tokenShape{scope: tAppScopes} // no user: no owner_id; no refresh token
	account, brand, partner := env["RC_ACCOUNT_ID"], env["RC_BRAND_ID"], env["RC_PARTNER_ACCOUNT_ID"]
	runTokenCases(t, []tokenCase{
		{name: "by account", client: main, params: cc("account_id", account), want: userless},
		{name: "by brand", client: main, params: cc("brand_id", brand), want: userless},
		{name: "by partner account", client: main, params: cc("brand_id", brand, "partner_account_id", partner), want: userless},
		{name: "access_token_ttl=7200 is clamped (DOCS-LEGACY example)", client: main, params: cc("brand_id", brand, "access_token_ttl", "7200"), want: userless},
		{name: "refresh_token_ttl does not bring a refresh token", client: main, params: cc("account_id", account, "refresh_token_ttl", "3600"), want: userless},
		{name: "requested scope subset", client: main, params: cc("account_id", account, "scope", "ReadAccounts"), want: &tokenShape{scope: "ReadAccounts"}},

		{name: "no target", client: main, params: cc(), status: 400, oauth: "invalid_request", code: "CMN-101", param: "account_id"},
		{name: "account_id with brand_id", client: main, params: cc("account_id", account, "brand_id", brand), status: 400, oauth: "invalid_request", code: "CMN-101", param: "account_id", reason: "cannot be combined"},
		{name: "account_id with partner_account_id", client: main, params: cc("account_id", account, "partner_account_id", partner), status: 400, oauth: "invalid_request", code: "CMN-101", param: "account_id", reason: "cannot be combined"},
		{name: "partner_account_id without brand_id", client: main, params: cc("partner_account_id", partner), status: 400, oauth: "invalid_request", code: "CMN-101", param: "brand_id"},
		{name: "unknown account", client: main, params: cc("account_id", "99999999"), status: 400, oauth: "invalid_grant", code: "CMN-102", param: "account_id"},
		{name: "unknown brand", client: main, params: cc("brand_id", "9999"), status: 400, oauth: "invalid_grant", code: "CMN-102", param: "brand_id"},
		{name: "unknown brand with a partner account", client: main, params: cc("brand_id", "9999", "partner_account_id", partner), status: 400, oauth: "invalid_grant", code: "CMN-102", param: "brand_id"},
		{name: "unknown partner account", client: main, params: cc("brand_id", brand, "partner_account_id", "nobody"), status: 400, oauth: "invalid_grant", code: "CMN-102", param: "partner_account_id"},
		{name: "partner account of another brand", client: main, params: cc("brand_id", "3420", "partner_account_id", partner), status: 400, oauth: "invalid_grant", code: "CMN-102", param: "partner_account_id"},
		{name: "scope not granted", client: main, params: cc("account_id", account, "scope", "EditAccounts"), status: 400, oauth: "invalid_scope", code: "CMN-101"},

		{name: "wrong client secret", client: client{main.id, tWrongSecret}, params: cc("account_id", account), status: 400, oauth: "invalid_client", code: "OAU-146"},
		{name: "app not approved", client: restrictedClient, params: cc("account_id", account), status: 400, oauth: "unauthorized_client", code: "OAU-251"},
	}, func(o *Options) {
		o.Fixture.Brands = append(o.Fixture.Brands, Brand{ID: "3420", Name: "AT&T Office@Hand"})
	})
}

// TestClientCredentialsAccount checks which account each shape of the request acts for.
func TestClientCredentialsAccount(t *testing.T) {
	t.Parallel()
	m := newTestServer(t)
	cases := []struct {
		name   string
		params []string
		status int
	}{
		{"by account", []string{"account_id", m.env["RC_ACCOUNT_ID"]}, http.StatusOK},
		{"by partner account", []string{"brand_id", m.env["RC_BRAND_ID"], "partner_account_id", m.env["RC_PARTNER_ACCOUNT_ID"]}, http.StatusOK},
		{"by brand acts for no account", []string{"brand_id", m.env["RC_BRAND_ID"]}, http.StatusNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			params := formValues(append([]string{"grant_type", GrantClientCredentials}, c.params...)...)
			tok := wantToken(t, m.token(t, mainClient, params), tokenShape{})
			r := m.get(t, PathAccount, tok["access_token"].(string))
			if r.status != c.status {
				t.Fatalf("GET %s: got %d; want %d\n%s", PathAccount, r.status, c.status, r.body)
			}
			if c.status == http.StatusOK && r.json(t)["id"] != 37439510.0 {
				t.Errorf("account id: got %v; want %s", r.json(t)["id"], m.env["RC_ACCOUNT_ID"])
			}
			// A session without a user has no extension.
			if r := m.get(t, PathExtension, tok["access_token"].(string)); r.status != http.StatusNotFound {
				t.Errorf("GET %s: got %d; want 404", PathExtension, r.status)
			}
		})
	}
}

func TestGuestGrant(t *testing.T) {
	t.Parallel()
	env := mockEnv(t)
	main := mainClient
	typ, res := env["RC_GUEST_RESOURCE_TYPE"], env["RC_GUEST_RESOURCE"]
	guest := func(kv ...string) []string { return append([]string{"grant_type", GrantGuest}, kv...) }
	anonymous := &tokenShape{scope: "Meetings"} // the resource's scope; no owner_id, no refresh token
	runTokenCases(t, []tokenCase{
		{name: "resource", client: main, params: guest("resource_type", typ, "resource", res), want: anonymous},
		{name: "resource within its brand", client: main, params: guest("resource_type", typ, "resource", res, "brand_id", env["RC_BRAND_ID"]), want: anonymous},
		{name: "requested scope of the resource", client: main, params: guest("resource_type", typ, "resource", res, "scope", "Meetings"), want: anonymous},
		{name: "refresh_token_ttl does not bring a refresh token", client: main, params: guest("resource_type", typ, "resource", res, "refresh_token_ttl", "3600"), want: anonymous},

		{name: "no resource_type", client: main, params: guest("resource", res), status: 400, oauth: "invalid_request", code: "CMN-101", param: "resource_type"},
		{name: "no resource", client: main, params: guest("resource_type", typ), status: 400, oauth: "invalid_request", code: "CMN-101", param: "resource"},
		{name: "unknown resource", client: main, params: guest("resource_type", typ, "resource", res+"0"), status: 400, oauth: "invalid_grant", code: "CMN-102", param: "resource"},
		{name: "unknown resource type", client: main, params: guest("resource_type", "webinar", "resource", res), status: 400, oauth: "invalid_grant", code: "CMN-102", param: "resource"},
		{name: "another brand", client: main, params: guest("resource_type", typ, "resource", res, "brand_id", "3420"), status: 400, oauth: "invalid_grant", code: "CMN-102", param: "brand_id", reason: "belongs to brand"},
		{name: "unknown brand", client: main, params: guest("resource_type", typ, "resource", res, "brand_id", "9999"), status: 400, oauth: "invalid_grant", code: "CMN-102", param: "brand_id", reason: "no brand"},
		{name: "scope beyond the resource's", client: main, params: guest("resource_type", typ, "resource", res, "scope", "ReadAccounts"), status: 400, oauth: "invalid_scope", code: "CMN-101"},

		{name: "wrong client secret", client: client{main.id, tWrongSecret}, params: guest("resource_type", typ, "resource", res), status: 400, oauth: "invalid_client", code: "OAU-146"},
		{name: "app not approved", client: restrictedClient, params: guest("resource_type", typ, "resource", res), status: 400, oauth: "unauthorized_client", code: "OAU-251"},
	}, func(o *Options) {
		o.Fixture.Brands = append(o.Fixture.Brands, Brand{ID: "3420", Name: "AT&T Office@Hand"})
	})
}

func TestOTPGrant(t *testing.T) {
	t.Parallel()
	env := mockEnv(t)
	main := mainClient
	otp := func(kv ...string) []string { return append([]string{"grant_type", GrantOTP}, kv...) }
	runTokenCases(t, []tokenCase{
		{name: "code", client: main, params: otp("code", env["RC_OTP_CODE"]), want: &tokenShape{owner: tJane, refresh: true, scope: tAppScopes}},
		{name: "another code of the user", client: main, params: otp("code", "271828"), want: &tokenShape{owner: tJane, refresh: true}},
		{name: "no code", client: main, params: otp(), status: 400, oauth: "invalid_request", code: "CMN-101", param: "code"},
		{name: "unknown code", client: main, params: otp("code", "000000"), status: 400, oauth: "invalid_grant", code: "OAU-140"},
		{name: "scope not granted", client: main, params: otp("code", env["RC_OTP_CODE"], "scope", "EditAccounts"), status: 400, oauth: "invalid_scope", code: "CMN-101"},
		{name: "wrong client secret", client: client{main.id, tWrongSecret}, params: otp("code", env["RC_OTP_CODE"]), status: 400, oauth: "invalid_client", code: "OAU-146"},
		{name: "app not approved", client: restrictedClient, params: otp("code", env["RC_OTP_CODE"]), status: 400, oauth: "unauthorized_client", code: "OAU-251"},
	})
}

// TestOTPSingleUse: a one-time password works once per realm, and a refused attempt does not spend it.
func TestOTPSingleUse(t *testing.T) {
	t.Parallel()
	m := newTestServer(t)
	main := mainClient
	code := m.env["RC_OTP_CODE"]
	post := func(scenario string, extra ...string) response {
		return m.token(t, main, formValues(append([]string{"grant_type", GrantOTP, "code", code}, extra...)...), scenario)
	}
	wantError(t, post("", "scope", "EditAccounts"), 400, "invalid_scope", "CMN-101")
	wantToken(t, post(""), tokenShape{owner: tJane, refresh: true})
	r := post("")
	wantError(t, r, 400, "invalid_grant", "OAU-140")
	wantReason(t, r, "OTP code already used")
	m.clock.Advance(48 * time.Hour) // garbage collection must not make a spent code valid again
	wantError(t, post(""), 400, "invalid_grant", "OAU-140")
	wantToken(t, post("another-scenario"), tokenShape{owner: tJane, refresh: true})
}

func TestIVRPinGrant(t *testing.T) {
	t.Parallel()
	env := mockEnv(t)
	main := mainClient
	pin := env["RC_IVR_PIN"]
	ivr := func(kv ...string) []string { return append([]string{"grant_type", GrantIVRPin}, kv...) }
	runTokenCases(t, []tokenCase{
		{name: "pin", client: main, params: ivr("ivr_pin", pin), want: &tokenShape{owner: tJane, refresh: true, scope: tAppScopes}},
		{name: "another user's pin", client: main, params: ivr("ivr_pin", tJohnPin), want: &tokenShape{owner: tJohn, refresh: true}},
		{name: "pin with username", client: main, params: ivr("ivr_pin", pin, "username", env["RC_USERNAME"]+"*"+env["RC_EXTENSION"]), want: &tokenShape{owner: tJane, refresh: true}},
		{name: "pin with email", client: main, params: ivr("ivr_pin", tJohnPin, "username", tJohnEmail), want: &tokenShape{owner: tJohn, refresh: true}},

		{name: "no pin", client: main, params: ivr(), status: 400, oauth: "invalid_request", code: "CMN-101", param: "ivr_pin"},
		{name: "wrong pin", client: main, params: ivr("ivr_pin", "000000"), status: 400, oauth: "invalid_grant", code: "OAU-140"},
		{name: "another user's pin for username", client: main, params: ivr("ivr_pin", pin, "username", tJohnEmail), status: 400, oauth: "invalid_grant", code: "OAU-140", reason: "wrong IVR pin"},
		{name: "unknown username", client: main, params: ivr("ivr_pin", pin, "username", "nobody@example.com"), status: 400, oauth: "invalid_grant", code: "OAU-140", reason: "no user"},
		{name: "scope not granted", client: main, params: ivr("ivr_pin", pin, "scope", "EditAccounts"), status: 400, oauth: "invalid_scope", code: "CMN-101"},
		{name: "wrong client secret", client: client{main.id, tWrongSecret}, params: ivr("ivr_pin", pin), status: 400, oauth: "invalid_client", code: "OAU-146"},
		{name: "app not approved", client: restrictedClient, params: ivr("ivr_pin", pin), status: 400, oauth: "unauthorized_client", code: "OAU-251"},
	})
}

// TestIVRPinShared: when two users have the same pin, the pin alone is refused and username decides.
func TestIVRPinShared(t *testing.T) {
	t.Parallel()
	env := mockEnv(t)
	main := mainClient
	pin := env["RC_IVR_PIN"]
	ivr := func(kv ...string) []string {
		return append([]string{"grant_type", GrantIVRPin, "ivr_pin", pin}, kv...)
	}
	runTokenCases(t, []tokenCase{
		{name: "pin alone is ambiguous", client: main, params: ivr(), status: 400, oauth: "invalid_grant", code: "OAU-140", reason: "belongs to 2 users"},
		{name: "username of the first", client: main, params: ivr("username", "jane.doe@example.com"), want: &tokenShape{owner: tJane, refresh: true}},
		{name: "username of the second", client: main, params: ivr("username", tJohnEmail), want: &tokenShape{owner: tJohn, refresh: true}},
	}, func(o *Options) { o.Fixture.Users[1].IVRPin = pin })
}
