package env

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeProfiles writes files (name → content) into a fresh temporary directory and returns it.
func writeProfiles(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// load calls Load and fails the test on error.
func load(tb testing.TB, dir, name string, environ []string) *Profile {
	tb.Helper()
	p, err := Load(dir, name, environ)
	if err != nil {
		tb.Fatalf("Load(%q): %v", name, err)
	}
	return p
}

func TestLoadLayerPrecedence(t *testing.T) {
	dir := writeProfiles(t, map[string]string{
		"devtest.env": "RC_SERVER_URL=https://platform.devtest.ringcentral.com\nRC_CLIENT_ID=from-file\n" +
			"RC_CLIENT_SECRET=from-file\nRC_JWT=from-file\nCUSTOM=from-file\n",
		"devtest.local.env": "RC_CLIENT_SECRET=from-local\nRC_JWT=from-local\n",
	})
	environ := []string{
		"RC_JWT=from-environ",
		"RC_JWT=second-entry-ignored",
		"RC_CUSTOM_FLAG=from-environ", // any RC_* name is taken
		"HOME=/root",                  // not RC_*: ignored
		"CUSTOM=from-environ",         // not RC_*: ignored
		"RC_CLIENT_ID=",               // empty: ignored
		"OAUTH_ENV=devtest",
		"malformed-entry",
	}
	p := load(t, dir, "", environ)
	tests := []struct {
		key, want, wantSource string
		wantSet               bool
	}{
		{"RC_SERVER_URL", "https://platform.devtest.ringcentral.com", "devtest.env", true},
		{"RC_CLIENT_ID", "from-file", "devtest.env", true},
		{"RC_CLIENT_SECRET", "from-local", "devtest.local.env", true},
		{"RC_JWT", "from-environ", "environment", true},
		{"CUSTOM", "from-file", "devtest.env", true},
		{"RC_CUSTOM_FLAG", "from-environ", "environment", true},
		{"HOME", "", "", false},
		{"OAUTH_ENV", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, ok := p.Get(tt.key)
			if got != tt.want || ok != tt.wantSet {
				t.Errorf("Get(%s) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.wantSet)
			}
			if src := p.Source(tt.key); src != tt.wantSource {
				t.Errorf("Source(%s) = %q; want %q", tt.key, src, tt.wantSource)
			}
			if v := p.Value(tt.key); v != tt.want {
				t.Errorf("Value(%s) = %q; want %q", tt.key, v, tt.want)
			}
		})
	}
	if p.Name() != "devtest" {
		t.Errorf("Name() = %q; want devtest", p.Name())
	}
}

func TestLoadProfileName(t *testing.T) {
	dir := writeProfiles(t, map[string]string{
		"mock.env":    "WHO=mock\n",
		"devtest.env": "WHO=devtest\n",
		"a_b-1.env":   "WHO=a_b-1\n",
	})
	tests := []struct {
		name    string
		arg     string
		environ []string
		want    string // profile loaded
		wantErr string
	}{
		{"default", "", nil, "mock", ""},
		{"OAUTH_ENV", "", []string{"OAUTH_ENV=devtest"}, "devtest", ""},
		{"empty OAUTH_ENV", "", []string{"OAUTH_ENV="}, "mock", ""},
		{"argument wins over OAUTH_ENV", "mock", []string{"OAUTH_ENV=devtest"}, "mock", ""},
		{"digits, dash and underscore", "a_b-1", nil, "a_b-1", ""},
		{"path traversal", "../x", nil, "", `env: invalid profile name "../x"`},
		{"path traversal in OAUTH_ENV", "", []string{"OAUTH_ENV=../../etc/passwd"}, "", `invalid profile name "../../etc/passwd"`},
		{"upper case", "Devtest", nil, "", "invalid profile name"},
		{"local file as a profile", "devtest.local", nil, "", "invalid profile name"},
		{"leading dash", "-x", nil, "", "invalid profile name"},
		{"slash", "a/b", nil, "", "invalid profile name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Load(dir, tt.arg, tt.environ)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load error = %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Name() != tt.want || p.Value("WHO") != tt.want {
				t.Errorf("loaded %q (WHO=%q); want %q", p.Name(), p.Value("WHO"), tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		profile string
		// wantErr is the expected message; "$DIR" stands for the directory.
		wantErr string
	}{
		{"unknown profile lists the others",
			map[string]string{"mock.env": "", "devtest.env": "", "production.env": "", "local.env": "", "devtest.local.env": "", "notes.txt": ""},
			"foo", `env: unknown profile "foo": $DIR/foo.env not found (profiles: devtest, local, mock, production)`},
		{"unknown profile in an empty directory", nil, "mock", `env: unknown profile "mock": $DIR/mock.env not found (no profiles in $DIR)`},
		{"malformed file", map[string]string{"bad.env": "# comment\nRC_CLIENT_ID=ok\nRC_JWT=\"unterminated\n"},
			"bad", `env: $DIR/bad.env:3: unterminated quoted value "unterminated`},
		{"malformed key", map[string]string{"bad.env": "A=1\nB-C=2\n"},
			"bad", `env: $DIR/bad.env:2: unexpected character "-" in variable name`},
		{"key with a space", map[string]string{"bad.env": "A=1\n\nB C=2\n"},
			"bad", `env: $DIR/bad.env:3: invalid variable name "B C"`},
		{"empty key", map[string]string{"bad.env": "A=1\n=2\n"},
			"bad", `env: $DIR/bad.env:2: invalid variable name ""`},
		{"malformed local file", map[string]string{"p.env": "A=1\n", "p.local.env": "A=1\n'oops\n"},
			"p", `env: $DIR/p.local.env:2:`},
		{"extends an unknown profile", map[string]string{"local.env": "# extends: mock\nA=1\n"},
			"local", `env: profile "local" extends "mock", but $DIR/mock.env was not found`},
		{"extends cycle", map[string]string{"a.env": "# extends: b\n", "b.env": "# extends: c\n", "c.env": "# extends: a\n"},
			"a", `env: profiles extend each other in a cycle: a -> b -> c -> a`},
		{"extends itself", map[string]string{"a.env": "# extends: a\n"},
			"a", `env: profiles extend each other in a cycle: a -> a`},
		{"extends an invalid name", map[string]string{"a.env": "# extends: ../secret\n"},
			"a", `env: $DIR/a.env:1: extends directive names an invalid profile "../secret"`},
		{"extends nothing", map[string]string{"a.env": "# extends:\n"},
			"a", `env: $DIR/a.env:1: extends directive names an invalid profile ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeProfiles(t, tt.files)
			_, err := Load(dir, tt.profile, nil)
			want := strings.ReplaceAll(tt.wantErr, "$DIR", dir)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("Load error = %v;\nwant %s", err, want)
			}
		})
	}
}

func TestExtends(t *testing.T) {
	dir := writeProfiles(t, map[string]string{
		"mock.env":        "RC_SERVER_URL=\nRC_MOCK_EMBEDDED=true\nRC_CLIENT_ID=mock-client\nRC_CLIENT_SECRET=mock-secret\n",
		"mock.local.env":  "RC_CLIENT_ID=parent-local-not-loaded\n",
		"local.env":       "# extends: mock\nRC_SERVER_URL=http://127.0.0.1:8910\nRC_MOCK_EMBEDDED=false\nRC_MOCK_CONTROL=true\n",
		"local.local.env": "RC_CLIENT_SECRET=local-secret\n",
		"staging.env":     "\ufeff# extends: local\r\nRC_SERVER_URL=http://staging\r\n",
		"late.env":        "RC_SERVER_URL=http://late\n# extends: mock\n",
	})
	tests := []struct {
		profile string
		want    map[string][2]string // key → value, source
	}{
		{"local", map[string][2]string{
			"RC_SERVER_URL":    {"http://127.0.0.1:8910", "local.env"},
			"RC_MOCK_EMBEDDED": {"false", "local.env"},
			"RC_MOCK_CONTROL":  {"true", "local.env"},
			"RC_CLIENT_ID":     {"mock-client", "mock.env"},
			"RC_CLIENT_SECRET": {"local-secret", "local.local.env"},
		}},
		{"staging", map[string][2]string{ // a chain, with a BOM and CRLF line ends
			"RC_SERVER_URL":    {"http://staging", "staging.env"},
			"RC_MOCK_CONTROL":  {"true", "local.env"},
			"RC_CLIENT_ID":     {"mock-client", "mock.env"},
			"RC_CLIENT_SECRET": {"mock-secret", "mock.env"}, // local.local.env belongs to "local" only
		}},
		{"late", map[string][2]string{ // not on the first line: only a comment
			"RC_SERVER_URL": {"http://late", "late.env"},
			"RC_CLIENT_ID":  {"", ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			p := load(t, dir, tt.profile, nil)
			for k, w := range tt.want {
				if got, src := p.Value(k), p.Source(k); got != w[0] || src != w[1] {
					t.Errorf("%s = %q from %q; want %q from %q", k, got, src, w[0], w[1])
				}
			}
		})
	}
}

func TestRequire(t *testing.T) {
	dir := writeProfiles(t, map[string]string{"devtest.env": "RC_SERVER_URL=https://x\nRC_CLIENT_ID=\n"})
	p := load(t, dir, "devtest", nil)
	local := filepath.Join(filepath.Base(dir), "devtest.local.env")
	tests := []struct {
		name    string
		keys    []string
		wantErr string
	}{
		{"all set", []string{"RC_SERVER_URL"}, ""},
		{"none asked", nil, ""},
		{"one missing", []string{"RC_SERVER_URL", "RC_JWT"},
			`env: profile "devtest" does not set RC_JWT (put it in ` + local + ` or the environment)`},
		{"empty counts as missing", []string{"RC_CLIENT_ID", "RC_PASSWORD"},
			`env: profile "devtest" does not set RC_CLIENT_ID, RC_PASSWORD (put them in ` + local + ` or the environment)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Require(tt.keys...)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Require = %v; want nil", err)
				}
				return
			}
			var me *MissingVariablesError
			if !errors.As(err, &me) || err.Error() != tt.wantErr {
				t.Fatalf("Require = %v;\nwant %s", err, tt.wantErr)
			}
			if me.Profile != "devtest" || len(me.Vars) == 0 {
				t.Errorf("MissingVariablesError = %+v", me)
			}
		})
	}

	// The real layout gives the message of the brief: env/devtest.local.env.
	envDir := filepath.Join(t.TempDir(), "env")
	if err := os.Mkdir(envDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(envDir, "devtest.env"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := load(t, envDir, "devtest", nil).Require("RC_JWT")
	if want := `env: profile "devtest" does not set RC_JWT (put it in env/devtest.local.env or the environment)`; err == nil || err.Error() != want {
		t.Errorf("Require = %v; want %s", err, want)
	}
}

const secretsFile = `RC_CLIENT_ID=visible-client-id
RC_CLIENT_SECRET=topsecret-1
RC_PASSWORD="pass word 2"
RC_JWT=
RC_SERVER_URL=https://platform.ringcentral.com
RC_PRIVATE_KEY_JWT_KEY="-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"
RC_EXTRA_TOKEN=extra-token-3
`

func TestSecrets(t *testing.T) {
	dir := writeProfiles(t, map[string]string{"p.env": secretsFile})
	p := load(t, dir, "p", []string{"RC_IVR_PIN=4711", "RC_BRAND_ID=1210"})
	got := p.Secrets()
	want := []string{"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----", "4711", "extra-token-3", "pass word 2", "topsecret-1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Secrets() = %q; want %q", got, want)
	}
}

func TestDescribe(t *testing.T) {
	dir := writeProfiles(t, map[string]string{"p.env": secretsFile, "p.local.env": "RC_OTP_CODE=123456\n"})
	p := load(t, dir, "p", []string{"RC_IVR_PIN=4711", "RC_BRAND_ID=1210"})
	d := p.Describe()
	for _, secret := range append(p.Secrets(), "MIIB") {
		if strings.Contains(d, secret) {
			t.Errorf("Describe() leaks %q:\n%s", secret, d)
		}
	}
	for _, want := range []string{
		`profile "p" (p.env < p.local.env < environment)`,
		`  RC_SERVER_URL="https://platform.ringcentral.com"  [p.env]`,
		`  RC_CLIENT_ID="visible-client-id"  [p.env]`,
		`  RC_CLIENT_SECRET=(set, secret)  [p.env]`,
		`  RC_JWT=(empty)  [p.env]`,
		`  RC_OTP_CODE=(set, secret)  [p.local.env]`,
		`  RC_IVR_PIN=(set, secret)  [environment]`,
		`  RC_BRAND_ID="1210"  [environment]`,
		`  RC_EXTRA_TOKEN=(set, secret)  [p.env]`,
	} {
		if !strings.Contains(d, want+"\n") {
			t.Errorf("Describe() lacks line %q:\n%s", want, d)
		}
	}
	if n := strings.Count(d, "\n"); n != 1+len(p.vars) {
		t.Errorf("Describe() has %d lines; want a header and one per variable:\n%s", n, d)
	}
}

func TestBool(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{"true", true}, {"TRUE", true}, {"1", true}, {"yes", true}, {"Yes", true}, {"on", true}, {" on ", true},
		{"false", false}, {"0", false}, {"no", false}, {"off", false}, {"", false}, {"maybe", false},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			dir := writeProfiles(t, map[string]string{"p.env": "RC_MOCK_CONTROL=\"" + tt.value + "\"\n"})
			if got := load(t, dir, "p", nil).Bool("RC_MOCK_CONTROL"); got != tt.want {
				t.Errorf("Bool(%q) = %v; want %v", tt.value, got, tt.want)
			}
		})
	}
	dir := writeProfiles(t, map[string]string{"p.env": ""})
	if load(t, dir, "p", nil).Bool("RC_MOCK_CONTROL") {
		t.Error("Bool of an unset variable = true; want false")
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		value   string
		want    time.Duration
		wantErr bool
	}{
		{"", 15 * time.Second, false},
		{"500ms", 500 * time.Millisecond, false},
		{"1m30s", 90 * time.Second, false},
		{"20", 20 * time.Second, false},
		{"0.25", 250 * time.Millisecond, false},
		{"fast", 0, true},
		{"15 s", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			dir := writeProfiles(t, map[string]string{"p.env": "RC_HTTP_TIMEOUT=\"" + tt.value + "\"\n"})
			got, err := load(t, dir, "p", nil).Duration("RC_HTTP_TIMEOUT", 15*time.Second)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), `env: profile "p": RC_HTTP_TIMEOUT=`) {
					t.Errorf("Duration(%q) error = %v; want one naming the variable", tt.value, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Duration(%q) = %v, %v; want %v", tt.value, got, err, tt.want)
			}
		})
	}
}

func TestCatalogue(t *testing.T) {
	secret := map[string]bool{
		"RC_CLIENT_SECRET": true, "RC_PASSWORD": true, "RC_JWT": true, "RC_JWT_EXPIRED": true, "RC_JWT_OTHER_ENV": true,
		"RC_PERSONAL_JWT": true, "RC_PARTNER_JWT": true, "RC_RESTRICTED_CLIENT_SECRET": true, "RC_SECRET_JWT_CLIENT_SECRET": true,
		"RC_PRIVATE_KEY_JWT_KEY": true, "RC_IVR_PIN": true, "RC_OTP_CODE": true, "RC_DEVICE_PRIVATE_KEY": true,
		"OAUTH_CLIENT_SECRET": true, "OAUTH_POST_CLIENT_SECRET": true, "OAUTH_SECRET_JWT_CLIENT_SECRET": true,
		"OAUTH_PRIVATE_KEY_JWT_KEY": true, "OAUTH_PASSWORD": true,
	}
	seen := map[string]bool{}
	for _, v := range Catalogue() {
		if seen[v.Name] {
			t.Errorf("%s is listed twice", v.Name)
		}
		seen[v.Name] = true
		if !strings.HasPrefix(v.Name, "RC_") && !strings.HasPrefix(v.Name, "OAUTH_") || v.Description == "" || v.Group == "" {
			t.Errorf("entry %+v: want an RC_ or OAUTH_ name, a description and a group", v)
		}
		if v.Secret != secret[v.Name] {
			t.Errorf("%s: Secret = %v; want %v", v.Name, v.Secret, secret[v.Name])
		}
		if IsSecret(v.Name) != v.Secret {
			t.Errorf("IsSecret(%s) = %v; want %v", v.Name, IsSecret(v.Name), v.Secret)
		}
	}
	if len(seen) != 58 {
		t.Errorf("catalogue has %d entries; want 58", len(seen))
	}
	for rc, generic := range Generic {
		if _, ok := Lookup(rc); !ok {
			t.Errorf("Generic names %s, which is not in the catalogue", rc)
		}
		if v, ok := Lookup(generic); !ok || v.Secret != secret[generic] {
			t.Errorf("Generic maps %s to %s, which is not in the catalogue or not secret like it", rc, generic)
		}
	}
	for name, want := range map[string]bool{"RC_FOO_TOKEN": true, "RC_ADMIN_PASSWORD": true, "RC_FOO_URL": false, "OTHER": false} {
		if got := IsSecret(name); got != want {
			t.Errorf("IsSecret(%s) = %v; want %v", name, got, want)
		}
	}
	c := Catalogue()
	c[0].Name = "changed"
	if Catalogue()[0].Name == "changed" {
		t.Error("Catalogue() returns the package's own slice")
	}
}

func TestProfiles(t *testing.T) {
	dir := writeProfiles(t, map[string]string{"b.env": "", "a.env": "", "a.local.env": "", "README.md": "", "Bad.env": ""})
	got, err := Profiles(dir)
	if err != nil || !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Profiles = %q, %v; want [a b]", got, err)
	}
}

// TestKey checks that a profile of any OAuth 2.0 server (OAUTH_ISSUER set) configures a role under its
// generic name, and a RingCentral profile under the RC_ name.
func TestKey(t *testing.T) {
	rc := Derive("devtest", map[string]string{"RC_CLIENT_ID": "a"})
	generic := Derive("rfc", map[string]string{"OAUTH_ISSUER": "https://as.example", "OAUTH_CLIENT_ID": "a"})
	for _, tc := range []struct {
		p          *Profile
		name, want string
	}{
		{rc, "RC_CLIENT_ID", "RC_CLIENT_ID"},
		{generic, "RC_CLIENT_ID", "OAUTH_CLIENT_ID"},
		{generic, "RC_REDIRECT_URI", "OAUTH_REDIRECT_URI"},
		{generic, "RC_JWT", "RC_JWT"},
	} {
		if got := tc.p.Key(tc.name); got != tc.want {
			t.Errorf("%s: Key(%s) = %s; want %s", tc.p.Name(), tc.name, got, tc.want)
		}
	}
}
