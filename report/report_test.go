package report

import (
	"bytes"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rcoauth/conformance/drift"
	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/results"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name        string
		tags        []string
		steps       []StepText
		grant, area string
	}{
		{"a grant feature's success", []string{"@grant", "@password", "@sandbox-safe"},
			[]StepText{{"Action", "the app requests a token with the password grant"}, {"Outcome", "a token is issued"}}, "password", "success"},
		{"a grant feature's refusal", []string{"@grant", "@otp"},
			[]StepText{{"Action", "the app requests a token with the OTP grant and code 000000"}, {"Outcome", "the request is rejected with invalid_grant"}}, "otp", "errors"},
		{"an area feature takes the grant of its first request", []string{"@ttl"},
			[]StepText{{"Action", "the app requests a token with the JWT bearer grant and access_token_ttl 600"}}, "jwt-bearer", "ttl"},
		{"the code flow names no grant", []string{"@pkce"},
			[]StepText{{"Context", "the user authorizes the app with PKCE S256"}, {"Action", "the app exchanges the code"}}, "authorization-code", "pkce"},
		{"malformed requests are errors", []string{"@negative"},
			[]StepText{{"Action", "the app sends the IVR PIN grant request as JSON"}}, "ivr-pin", "errors"},
		{"no token request", []string{"@oidc"},
			[]StepText{{"Action", "the app reads the discovery document"}}, NoGrant, "oidc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			grant, area := Classify(tc.tags, tc.steps)
			if grant != tc.grant || area != tc.area {
				t.Errorf("Classify = %s, %s; want %s, %s", grant, area, tc.grant, tc.area)
			}
		})
	}
}

func TestClauses(t *testing.T) {
	// The clauses are the run's record of them, not its tags read again.
	sc := results.Scenario{Tags: []string{"@negative", "@sandbox-safe"}, Clauses: []string{"rfc6749-3.1"}}
	got := ClausesOf(sc, "password", "errors")
	want := []string{"rfc6749-3.1", "rc-2.1", "rc-5.2", "rc-5.1", "rc-5.3", "rc-2.3"}
	if !slices.Equal(got, want) {
		t.Errorf("ClausesOf = %v; want %v", got, want)
	}
	u := ClauseUniverse([]string{"rfc6749-5.2", "rfc9999-1.2"})
	last := u[len(u)-1]
	if last.ID != "rfc9999-1.2" || last.Title != "RFC 9999 §1.2" || last.Link != "https://www.rfc-editor.org/rfc/rfc9999#section-1.2" {
		t.Errorf("an unknown clause is %+v; want it added with its number as title and its link", last)
	}
	if n := len(u) - len(clauses); n != 1 {
		t.Errorf("ClauseUniverse added %d clauses; want 1 (a known one is not repeated)", n)
	}
	for _, c := range u {
		if c.Group == "" || c.Title == "" {
			t.Errorf("clause %+v lacks a group or a title", c)
		}
	}
}

func TestLineage(t *testing.T) {
	run := sampleRun()
	sc := run.Scenarios[1] // grant, refresh, refused refresh with the first refresh token
	var steps [][]driver.Exchange
	for _, st := range sc.Steps {
		steps = append(steps, st.Exchanges)
	}
	got := Lineage(steps, []driver.Exchange{revokeExchange("[redacted:acce0002]")})
	want := []TokenEvent{
		{Kind: "grant", Label: "password", Step: 0, Status: 200, OK: true, Access: "[redacted:acce0001]", Refresh: "[redacted:4ef00001]", From: -1, Lane: 0},
		{Kind: "refresh", Label: "refresh", Step: 1, Status: 200, OK: true, Access: "[redacted:acce0002]", Refresh: "[redacted:4ef00002]", Used: "[redacted:4ef00001]", From: 0, Lane: 0},
		{Kind: "refresh", Label: "refresh", Step: 2, Status: 400, Used: "[redacted:4ef00001]", From: 0, Lane: 0},
		{Kind: "revoke", Label: "revoke", Step: -1, Status: 200, OK: true, Used: "[redacted:acce0002]", From: 1, Lane: 0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Lineage =\n%+v\nwant\n%+v", got, want)
	}
	if got := Lineage([][]driver.Exchange{{{Method: "GET", URL: target + "/restapi/v1.0/account/~"}}}, nil); got != nil {
		t.Errorf("an API call alone has the lineage %+v; want none", got)
	}
	second := Lineage([][]driver.Exchange{{tokenExchange("grant_type=password", 200, issued)}, {tokenExchange("grant_type=password", 200, refreshed)}}, nil)
	if len(second) != 2 || second[1].Lane != 1 {
		t.Errorf("a second sign-in is %+v; want it in its own lane", second)
	}
}

// TestCurl checks the curl commands as a shell reads them: each is run with curl replaced by a function
// that prints its arguments, with the profile's variables exported, so quoting and expansion are checked,
// not only the text.
func TestCurl(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	run := sampleRun()
	name := NewNamer(run.SecretVariables, []TokenEvent{{Access: "[redacted:acce0001]", Refresh: "[redacted:4ef00001]"}})
	for _, tc := range []struct {
		name string
		x    driver.Exchange
		want []string
	}{
		{"a password grant", tokenExchange("grant_type=password&username=%2B16505550100&password=[redacted:9a550001]", 200, issued), []string{
			"http://mock.test/restapi/oauth/token", "-u", "app-id:app secret's", "-H", "Content-Type: application/x-www-form-urlencoded",
			"--data-raw", "grant_type=password", "--data-raw", "username=%2B16505550100", "--data-urlencode", "password=pa$$ word",
		}},
		{"a refresh", tokenExchange("grant_type=refresh_token&refresh_token=[redacted:4ef00001]", 200, refreshed), []string{
			"http://mock.test/restapi/oauth/token", "-u", "app-id:app secret's", "-H", "Content-Type: application/x-www-form-urlencoded",
			"--data-raw", "grant_type=refresh_token", "--data-urlencode", "refresh_token=the-refresh-token",
		}},
		{"an API call with a token in the query", driver.Exchange{Method: "GET", URL: target + "/restapi/v1.0/account/~?access_token=[redacted:acce0001]",
			RequestHeader: map[string][]string{"Authorization": {"Bearer [redacted:acce0001]"}, "Accept": {"application/json"}}}, []string{
			"http://mock.test/restapi/v1.0/account/~?access_token=the-access-token", "-H", "Authorization: Bearer the-access-token", "-H", "Accept: application/json",
		}},
		{"a JSON body with an unknown fingerprint", driver.Exchange{Method: "PUT", URL: "https://elsewhere.test/x", RequestBody: `{"a":"it's [redacted:0000beef]"}`,
			RequestHeader: map[string][]string{"Content-Type": {"application/json"}}}, []string{
			"-X", "PUT", "https://elsewhere.test/x", "-H", "Content-Type: application/json", "--data-raw", `{"a":"it's unknown"}`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := Curl(tc.x, target, name)
			for _, secret := range []string{"app secret", "pa$$ word", "the-access-token"} {
				if strings.Contains(cmd, secret) {
					t.Errorf("the command holds %q:\n%s", secret, cmd)
				}
			}
			script := `curl() { for a in "$@"; do printf '%s\n' "$a"; done; }` + "\n" + cmd
			sh := exec.Command(bash, "-c", script)
			sh.Env = []string{"RC_SERVER_URL=http://mock.test", "RC_CLIENT_ID=app-id", "RC_CLIENT_SECRET=app secret's", "RC_PASSWORD=pa$$ word",
				"ACCESS_TOKEN_acce0001=the-access-token", "REFRESH_TOKEN_4ef00001=the-refresh-token", "REDACTED_0000beef=unknown"}
			out, err := sh.Output()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, cmd)
			}
			got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if !slices.Equal(got, tc.want) {
				t.Errorf("curl's arguments are\n%q\nwant\n%q\ncommand:\n%s", got, tc.want, cmd)
			}
		})
	}
}

func TestInputsAreOptional(t *testing.T) {
	dir := t.TempDir()
	in, err := LoadInputs(dir)
	if err != nil || in.Baseline != nil || in.Drift != nil || in.History != nil {
		t.Errorf("missing files gave %+v, %v; want nothing and no error", in, err)
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(results.HistoryFile, `{"started":"2026-11-30T22:00:00Z","profile":"mock","target":"x","counts":{"passed":1}}`+"\n")
	if in, err := LoadInputs(dir); err != nil || len(in.History) != 1 {
		t.Errorf("a history gave %+v, %v", in, err)
	}
	write(drift.FileName, `{"differences":`)
	if in, err := LoadInputs(dir); err == nil || len(in.History) != 1 {
		t.Errorf("a malformed drift.json gave %v, and the history %+v; want an error and the rest read", err, in.History)
	}
}

func TestBaselineStates(t *testing.T) {
	v := build(sampleRun(), sampleInputs()).Baseline
	var got []string
	for _, e := range v.Entries {
		got = append(got, e.State)
	}
	if want := []string{"expected", "stale", "not run", "expected"}; !slices.Equal(got, want) {
		t.Errorf("baseline states %v; want %v", got, want)
	}
}

// TestReportGolden keeps the rendering of sampleRun in testdata/report.golden.html.
func TestReportGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, sampleRun(), sampleInputs()); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.golden.html", b.Bytes())
}

// TestReportEmbedsTheRunOnce checks the report's shape: one JSON island holding the run, everything the
// page loads inline and named in its Content-Security-Policy, nothing that could be fetched.
func TestReportEmbedsTheRunOnce(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, sampleRun(), Inputs{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := strings.Count(page, `type="application/json"`); n != 1 {
		t.Errorf("%d JSON islands; want 1", n)
	}
	island := regexp.MustCompile(`(?s)<script type="application/json" id="report-data">(.*?)</script>`).FindStringSubmatch(page)
	var d data
	if island == nil || json.Unmarshal([]byte(island[1]), &d) != nil {
		t.Fatal("the run's data is not an embedded JSON document")
	}
	if len(d.Scenarios) != 7 || d.Scenarios[0].Status != results.Failed || !d.Scenarios[0].Steps[2].Exchanges[0].hasCurl() {
		t.Errorf("the embedded scenarios are not the run's, failed first, with curl commands: %+v", d.Scenarios[0])
	}
	if n := strings.Count(page, "A replaced refresh token is refused"); n != 1 {
		t.Errorf("the failed scenario's name occurs %d times; want once, in the data", n)
	}
	if strings.Contains(island[1], `"clauses":null`) || strings.Contains(island[1], `"tags":null`) || strings.Contains(island[1], `"steps":null`) {
		t.Error("a scenario's list is null in the data; the page reads them as arrays")
	}
	for _, bad := range []*regexp.Regexp{regexp.MustCompile(`<(link|img|iframe|object|embed)\b`), regexp.MustCompile(`\bsrc=`), regexp.MustCompile(`@import|url\(\s*['"]?[^#'"\s]`)} {
		if bad.MatchString(page) {
			t.Errorf("the report has %s, which could load something", bad)
		}
	}
	csp := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]+)"`).FindStringSubmatch(page)
	if csp == nil || !strings.Contains(html.UnescapeString(csp[1]), "default-src 'none'") || !strings.Contains(html.UnescapeString(csp[1]), "script-src 'sha256-") {
		t.Errorf("Content-Security-Policy %v; want default-src 'none' and the script's hash", csp)
	}
}

func (x exchangeView) hasCurl() bool { return strings.HasPrefix(x.Curl, "curl ") }

// TestDocsGolden renders the documentation of testdata/features with sampleRun (against the embedded
// mock) and the same run against a standalone mock, a history, a baseline and a drift report, and keeps
// every page in testdata/docs.
func TestDocsGolden(t *testing.T) {
	dir := t.TempDir()
	reports, out := filepath.Join(dir, "reports"), filepath.Join(dir, "reports", "docs")
	run := sampleRun()
	if err := os.MkdirAll(filepath.Join(reports, "standalone"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.Write(filepath.Join(reports, results.FileName), run); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteRun(reports, run, Inputs{}); err != nil {
		t.Fatal(err)
	}
	standalone := sampleRun()
	standalone.Profile, standalone.Embedded, standalone.Kind, standalone.Started = "local", false, results.TargetStandalone, t0.Add(time.Minute)
	standalone.Scenarios = standalone.Scenarios[:1]
	if err := results.Write(filepath.Join(reports, "standalone", results.FileName), standalone); err != nil {
		t.Fatal(err)
	}
	baselines := filepath.Join(dir, "baselines")
	writeInputs(t, sampleInputs(), "production", reports, baselines)
	err := WriteDocs(out, DocsConfig{
		Features: filepath.Join("testdata", "features"), Reports: reports, Baselines: baselines,
		Vocabulary: []Sentence{
			{Subject: "token requests", Expression: `^the app requests a token with the (password|JWT bearer) grant$`, Doc: "Sends the grant's passing request.", Handler: "token.go: requestGrant"},
			{Subject: "token requests", Expression: `^the app refreshes (?:the token|with the (first|latest) refresh token)$`},
			{Subject: "responses", Expression: `^a token is issued$`, Check: true, Doc: "Checks a successful token response in full."},
			{Subject: "responses", Expression: `^the response field "([^"]+)" is (present|absent)$`, Check: true},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		b, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("docs", e.Name()+".golden"), b)
	}
	want := []string{"README.md", "deviations.html", "deviations.md", "index.html", "sample.html", "sample.md", "vocabulary.html", "vocabulary.md"}
	if !slices.Equal(names, want) {
		t.Errorf("the documentation has the pages %v; want %v", names, want)
	}
}

// TestOutlineRowsStayApart checks that the two rows of an outline whose name has no placeholder are two
// scenarios of the report, each with its row, its own notes and its own outcome, known and deviated among
// the statuses the page draws.
func TestOutlineRowsStayApart(t *testing.T) {
	d := build(sampleRun(), sampleInputs())
	rows := map[string]scenarioView{}
	for _, v := range d.Scenarios {
		if v.Name == "A grant issues a token" {
			rows[v.Example] = v
		}
	}
	for example, want := range map[string]string{"password": results.NoteDeviation, "JWT bearer": results.NoteKnown} {
		v, ok := rows[example]
		if !ok || len(v.Notes) != 1 || v.Notes[0].Kind != want {
			t.Errorf("row %q: %+v; want its own scenario with one %s note", example, v, want)
		}
	}
	if rows["JWT bearer"].Expected == nil || rows["password"].Expected != nil {
		t.Error("the baseline entry for one row is shown on the other")
	}
	for _, st := range []string{results.Known, results.Deviated} {
		if !slices.Contains(d.Statuses, st) {
			t.Errorf("the page does not draw the status %s (statuses %v)", st, d.Statuses)
		}
	}
	if got := countSummary(map[string]int{results.Known: 1, results.Deviated: 2}); got != "2 deviated, 1 known" {
		t.Errorf("countSummary = %q; want the known and deviated outcomes counted", got)
	}
}
