package conformance

import (
	"bufio"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rcoauth/conformance/internal/testkeys"
	"github.com/rcoauth/conformance/signin"
)

// oidcProviderDir holds node-oidc-provider, pinned by its package-lock.json, and its configuration
// (server.js); `npm ci --prefix oidc/provider` installs it.
const oidcProviderDir = "oidc/provider"

// Fixtures of oidc/provider/server.js: the client secrets it registers (valid nowhere else), passed to the
// run through the environment as CI secrets would be.
var oidcProviderSecrets = map[string]string{
	"OAUTH_CLIENT_SECRET":            "basic-client-secret-0123456789abcdef",
	"OAUTH_POST_CLIENT_SECRET":       "post-client-secret-0123456789abcdef0",
	"OAUTH_SECRET_JWT_CLIENT_SECRET": "secret-jwt-client-HMAC-key-0123456789abcdef",
	"OAUTH_PASSWORD":                 "any-password-the-dev-login-accepts",
}

// needTool returns the path of a tool a test needs. Where it is missing the test is skipped with hint,
// unless the run is CI's (CI set): CI must run every test, so there a missing tool fails it.
func needTool(t *testing.T, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed, and CI must run this test: %s", name, hint)
		}
		t.Skipf("%s is not installed: %s", name, hint)
	}
	return p
}

// needChromium is needTool for the browser of the sign-in.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := signin.FindChromium(""); err != nil {
		needTool(t, "chromium", "apt-get install -y chromium")
	}
}

// TestFeaturesOIDCProvider runs the suite's RFC dialect against node-oidc-provider, an OpenID Certified
// server this project did not write: the oidc-provider profile (env/oidc-provider.env, extending rfc),
// endpoints from its metadata, the authorization code grant through its development login and consent
// pages in headless Chromium (recipe oidc-provider-dev). Every scenario must pass, be skipped with its
// reason, or be an entry of baselines/oidc-provider.json.
func TestFeaturesOIDCProvider(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node-oidc-provider and Chromium")
	}
	node := needTool(t, "node", "install Node.js (apt-get install -y nodejs npm), then npm ci --prefix "+oidcProviderDir)
	needChromium(t)
	if _, err := os.Stat(filepath.Join(oidcProviderDir, "node_modules", "oidc-provider")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node-oidc-provider is not installed: make test runs npm ci --prefix %s first", oidcProviderDir)
		}
		t.Skipf("node-oidc-provider is not installed: npm ci --prefix %s", oidcProviderDir)
	}
	key := testkeys.Get().RSA
	const kid = "rcoauth-test-1" // OAUTH_PRIVATE_KEY_JWT_KID of env/oidc-provider.env
	issuer := startOIDCProvider(t, node, publicJWKS(key, kid))
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	environ := append(runEnviron(), "OAUTH_ENV=oidc-provider", "OAUTH_ISSUER="+issuer,
		"OAUTH_PRIVATE_KEY_JWT_KEY="+string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	for k, v := range oidcProviderSecrets {
		environ = append(environ, k+"="+v)
	}
	runSuiteAgainst(t, environ, "oidc-provider", 4, true)
}

// TestFeaturesMockSignIn runs the authorization-code features against the embedded mock with its login page
// on (RC_MOCK_LOGIN_PAGE=true), signing in through headless Chromium with the recipe rcmock-login, so the
// browser path is proven in CI on the mock as well as on node-oidc-provider.
func TestFeaturesMockSignIn(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	needChromium(t)
	environ := append(runEnviron(), "OAUTH_ENV=mock", "RC_MOCK_LOGIN_PAGE=true", "OAUTH_SIGNIN=rcmock-login",
		"CONFORMANCE_TAGS=@authorization-code,@pkce,@authorize && ~@mock-only")
	runSuiteAgainst(t, environ, "mock-sign-in", 4, false)
}

// publicJWKS is the JWK Set (RFC 7517 §5) of key's public half, as the private_key_jwt client registers it.
func publicJWKS(key *rsa.PrivateKey, kid string) string {
	b64 := base64.RawURLEncoding.EncodeToString
	jwks := map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
	}}}
	b, _ := json.Marshal(jwks)
	return string(b)
}

// startOIDCProvider starts oidc/provider/server.js with node on a free loopback port, waits (bounded) for
// its "listening on <issuer>" line, and stops it with SIGTERM when the test ends.
func startOIDCProvider(t *testing.T, node, jwks string) string {
	t.Helper()
	cmd := exec.Command(node, "server.js")
	cmd.Dir = oidcProviderDir
	cmd.Env = append(os.Environ(), "RCOAUTH_PRIVATE_KEY_JWT_JWKS="+jwks)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if issuer, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				lines <- issuer
				break
			}
		}
		close(lines)
		for sc.Scan() {
		}
		done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("node-oidc-provider did not stop within 10s of SIGINT")
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case issuer, ok := <-lines:
		if !ok {
			t.Fatalf("node-oidc-provider ended without listening:\n%s", stderr.String())
		}
		return issuer
	case <-ctx.Done():
		t.Fatalf("node-oidc-provider did not report listening within 30s:\n%s", stderr.String())
	}
	return ""
}
