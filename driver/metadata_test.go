package driver

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMetadataURLs(t *testing.T) {
	for _, tc := range []struct {
		name, issuer string
		want         []string
	}{
		{"host only", "https://as.example", []string{"https://as.example/.well-known/oauth-authorization-server", "https://as.example/.well-known/openid-configuration"}},
		{"with a path (RFC 8414 §3.1)", "https://as.example/tenant/", []string{"https://as.example/.well-known/oauth-authorization-server/tenant", "https://as.example/tenant/.well-known/openid-configuration"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MetadataURLs(tc.issuer)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("got %v; want %v", got, tc.want)
			}
		})
	}
	if _, err := MetadataURLs("as.example"); err == nil {
		t.Error("an issuer without a scheme was accepted")
	}
}

// TestDiscover serves metadata at the OpenID Connect location only, with a wrong issuer at the RFC 8414 one,
// and checks that Discover falls through to the valid document and reports its endpoints.
func TestDiscover(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case OAuthMetadataPath:
			_, _ = w.Write([]byte(`{"issuer":"https://elsewhere.example","token_endpoint":"https://elsewhere.example/token"}`))
		case DiscoveryPath:
			_, _ = w.Write([]byte(`{"issuer":"` + srv.URL + `","token_endpoint":"` + srv.URL + `/token","revocation_endpoint":"` + srv.URL + `/revoke","grant_types_supported":["authorization_code","refresh_token"],"code_challenge_methods_supported":["S256"]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Discover(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ep := m.Endpoints()
	if ep.Token != srv.URL+"/token" || ep.Revocation != srv.URL+"/revoke" || ep.Authorize != "" || m.Source != srv.URL+DiscoveryPath {
		t.Errorf("endpoints %+v", ep)
	}
	for _, tc := range []struct {
		list, value string
		want        bool
	}{
		{"grant", "refresh_token", true}, {"grant", "password", false}, {"pkce", "S256", true}, {"pkce", "plain", false},
		{"auth", "client_secret_basic", true}, {"auth", "private_key_jwt", false},
	} {
		if got := m.Supports(tc.list, tc.value); got != tc.want {
			t.Errorf("Supports(%s, %s) = %v; want %v", tc.list, tc.value, got, tc.want)
		}
	}
	c2, err := New(Config{BaseURL: srv.URL, Endpoints: &Endpoints{Token: ep.Token}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Revoke(context.Background(), RevokeRequest{Form: NewForm("token", "x")}); err == nil || !strings.Contains(err.Error(), "no revocation endpoint") {
		t.Errorf("revocation without an endpoint: %v; want an error naming it", err)
	}
	var merr *MetadataError
	if _, err := c.Discover(context.Background(), srv.URL+"/other"); !errors.As(err, &merr) || len(merr.Tried) != 2 {
		t.Errorf("Discover of an issuer without metadata: %v; want a MetadataError listing two tries", err)
	}
}
