package rcmock

import (
	"math"
	"strings"
	"testing"
)

// TestTTLParam is the mock's reading of access_token_ttl and refresh_token_ttl (token.go ttlParam): an
// optionally signed decimal integer, surrounding white space ignored, saturating beyond 64 bits so that a
// value above the maximum clamps to it whatever its size; anything else is not a number of seconds.
func TestTTLParam(t *testing.T) {
	tests := []struct {
		in     string
		want   int64
		wantOK bool
	}{
		{"", 0, false},
		{"1", 1, true},
		{"600", 600, true},
		{"+600", 600, true},
		{" 600", 600, true},
		{"600 ", 600, true},
		{"\t600\n", 600, true},
		{"0", 0, true},
		{"-1", -1, true},
		{"2147483648", 1 << 31, true},
		{"10000000000", 1e10, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", math.MaxInt64, true}, // 2^63 saturates
		{"99999999999999999999999999", math.MaxInt64, true},
		{"-9223372036854775809", math.MinInt64, true},
		{"1e3", 0, false},
		{"900.7", 0, false},
		{"NaN", 0, false},
		{"Infinity", 0, false},
		{"0x258", 0, false},
		{"1_000", 0, false},
		{"6 00", 0, false},
		{"++600", 0, false},
		{" ", 0, false},
		{"٦٠٠", 0, false}, // Arabic-Indic digits are not decimal digits here
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.in, " ", "␠"), func(t *testing.T) {
			got, ok := ttlParam(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ttlParam(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestTTLBoundaries requests each boundary value for each TTL parameter and checks the lifetime granted
// (auth-token-params.inc: access tokens 600..3600 s, clamped; refresh tokens up to the app's default,
// 604800 s). expires_in values are remaining seconds, TTL-1 at issue time (ringcentral-oauth.md §4).
func TestTTLBoundaries(t *testing.T) {
	tests := []struct {
		value          string
		access, refrsh int64 // the lifetime granted for that value in access_token_ttl, in refresh_token_ttl
	}{
		{"1", 600, 1},
		{"599", 600, 599},
		{"601", 601, 601},
		{"3599", 3599, 3599},
		{"3601", 3600, 3601},
		{"2147483648", 3600, 604800},          // 2^31, beyond int32
		{"9223372036854775808", 3600, 604800}, // 2^63, beyond int64
		{"10000000000", 3600, 604800},         // 1e10 seconds overflows a time.Duration
		{"1e3", 3600, 604800},                 // not a decimal integer: ignored like an absent value
		{"+600", 600, 600},
		{" 600", 600, 600},
	}
	for _, tt := range tests {
		for _, param := range []string{"access_token_ttl", "refresh_token_ttl"} {
			t.Run(param+"="+strings.ReplaceAll(tt.value, " ", "␠"), func(t *testing.T) {
				ts := newTestServer(t)
				m := ts.login(t, param, tt.value)
				wantAccess, wantRefresh := int64(3600), int64(604800)
				if param == "access_token_ttl" {
					wantAccess = tt.access
				} else {
					wantRefresh = tt.refrsh
				}
				if got := num(m, "expires_in"); got != float64(wantAccess-1) {
					t.Errorf("expires_in: got %v; want %d (a lifetime of %d s)", got, wantAccess-1, wantAccess)
				}
				if _, ok := m["refresh_token"]; !ok {
					t.Fatalf("refresh_token: got none; want one with %d s", wantRefresh)
				}
				if got := num(m, "refresh_token_expires_in"); got != float64(wantRefresh-1) {
					t.Errorf("refresh_token_expires_in: got %v; want %d (a lifetime of %d s)", got, wantRefresh-1, wantRefresh)
				}
			})
		}
	}
}

// TestRejectMalformedTTL: with Options.RejectMalformedTTL a TTL that is not a decimal integer is refused
// with CMN-101 naming the parameter, while integers of any size are still clamped.
func TestRejectMalformedTTL(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.RejectMalformedTTL = true })
	for _, tt := range []struct{ param, value string }{
		{"access_token_ttl", "1e3"},
		{"refresh_token_ttl", "NaN"},
		{"access_token_ttl", "900.7"},
	} {
		t.Run(tt.param+"="+tt.value, func(t *testing.T) {
			first := wantTokenError(t, ts.password(t, tt.param, tt.value), 400, "invalid_request", "CMN-101")
			if first["parameterName"] != tt.param || first["parameterValue"] != tt.value {
				t.Errorf("errors[0] names %v=%v; want %s=%s", first["parameterName"], first["parameterValue"], tt.param, tt.value)
			}
		})
	}
	if m := ts.login(t, "access_token_ttl", "10000000000", "refresh_token_ttl", " 600"); num(m, "expires_in") != 3599 || num(m, "refresh_token_expires_in") != 599 {
		t.Errorf("integers: got expires_in %v, refresh_token_expires_in %v; want 3599, 599", m["expires_in"], m["refresh_token_expires_in"])
	}
}
