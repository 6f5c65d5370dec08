package env

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAliases(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.env"), []byte("RC_SERVER_URL=https://platform.ringcentral.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		environ []string
		want    map[string]string
		wantErr string
	}{
		{"an alias alone", []string{"RINGCENTRAL_CLIENT_ID=abc", "RINGCENTRAL_JWT_TOKEN=eyJ"}, map[string]string{"RC_CLIENT_ID": "abc", "RC_JWT": "eyJ"}, ""},
		{"an alias and its name agreeing", []string{"RINGCENTRAL_CLIENT_ID=abc", "RC_CLIENT_ID=abc"}, map[string]string{"RC_CLIENT_ID": "abc"}, ""},
		{"an alias and its name disagreeing", []string{"RINGCENTRAL_CLIENT_ID=abc", "RC_CLIENT_ID=xyz"}, nil, `RINGCENTRAL_CLIENT_ID and RC_CLIENT_ID are both set in the environment, to different values (RINGCENTRAL_CLIENT_ID="abc", RC_CLIENT_ID="xyz")`},
		{"a secret alias disagreeing is not shown", []string{"RINGCENTRAL_CLIENT_SECRET=s3cret-one", "RC_CLIENT_SECRET=s3cret-two"}, nil, "RINGCENTRAL_CLIENT_SECRET and RC_CLIENT_SECRET are both set"},
		{"the server URL alias overrides the file", []string{"RINGCENTRAL_SERVER_URL=https://example.test"}, map[string]string{"RC_SERVER_URL": "https://example.test"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Load(dir, "p", tt.environ)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v; want an error containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("the error shows a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got := p.Value(k); got != v {
					t.Errorf("%s = %q; want %q", k, got, v)
				}
			}
			if _, ok := p.Get("RINGCENTRAL_CLIENT_ID"); ok {
				t.Error("the alias itself is kept in the profile")
			}
		})
	}
}

func TestUsers(t *testing.T) {
	dir := t.TempDir()
	content := "RC_JWT=one\nRC_USERNAME=u1\nRC_PASSWORD=p1\nRC_IVR_PIN=123456\nRC_JWT_2=two\nRC_USERNAME_2=u2\nRC_JWT_3=three\nRC_JWT_5=gap\n"
	if err := os.WriteFile(filepath.Join(dir, "p.env"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(dir, "p", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Users(); n != 3 {
		t.Fatalf("Users() = %d; want 3 (user 5 follows a gap)", n)
	}
	u2 := p.ForUser(2)
	for _, c := range []struct {
		key, want string
		owner     int
	}{
		{"RC_JWT", "two", 2}, {"RC_USERNAME", "u2", 2}, {"RC_PASSWORD", "p1", 1}, {"RC_IVR_PIN", "123456", 1},
	} {
		if got := u2.Value(c.key); got != c.want || u2.Owner(c.key) != c.owner {
			t.Errorf("user 2: %s = %q (owner %d); want %q (owner %d)", c.key, got, u2.Owner(c.key), c.want, c.owner)
		}
	}
	if p.Value("RC_JWT") != "one" || p.Owner("RC_JWT") != 1 {
		t.Error("ForUser changed user 1's view")
	}
	if !IsSecret("RC_JWT_2") || !IsSecret("RC_PASSWORD_3") || IsSecret("RC_USERNAME_2") {
		t.Error("numbered user variables are not classified like their base")
	}
}
