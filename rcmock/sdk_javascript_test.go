package rcmock_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/rcoauth/conformance/rcmock"
)

// TestJavaScriptSDK runs RingCentral's official JavaScript SDK, unchanged, against the mock
// (sdk/js/dropin.test.mjs): the mock is a drop-in sandbox for it. It needs Node.js and the SDK installed
// by `npm ci` in sdk/js, which `make sdk-test` does; without them the test is skipped, unless
// RCMOCK_SDK_TESTS=required (set by make sdk-test) makes their absence a failure.
func TestJavaScriptSDK(t *testing.T) {
	required := os.Getenv("RCMOCK_SDK_TESTS") == "required"
	missing := func(what string) {
		if required {
			t.Fatalf("%s; make sdk-test installs it", what)
		}
		t.Skipf("%s: run `make sdk-test`", what)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	dir := filepath.Join("..", "sdk", "js")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@ringcentral", "sdk")); err != nil {
		missing("the JavaScript SDK is not installed in sdk/js")
	}

	srv, err := rcmock.New(rcmock.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	in, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = in.Close(ctx)
	})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "dropin.test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RC_SERVER_URL="+in.URL)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test:\n%s", out)
	if err != nil {
		t.Fatalf("the JavaScript SDK failed against the mock: %v", err)
	}
}
