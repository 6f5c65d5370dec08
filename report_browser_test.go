package conformance

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/report"
	"github.com/rcoauth/conformance/report/vocab"
)

// plantedFailure is a run with one scenario of each outcome the report shows, among them a failure: the
// token request succeeds where the scenario says it is refused.
const plantedFailure = `Feature: A run with a planted failure
  @refresh @rfc6749-6
  Scenario: A refresh that works
    Given the app requests a token with the password grant
    When the app refreshes the token
    Then a token is issued

  @revocation @rfc7009-2.1
  Scenario: A revocation that works
    Given the app requests a token with the password grant
    When the app revokes the access token
    Then the revocation succeeds

  @grant @password @rfc6749-5.2
  Scenario: A planted failure
    When the app requests a token with the password grant
    Then the request is rejected with invalid_grant OAU-140

  @should @rfc6749-5.1
  Scenario: A SHOULD that is not met
    When the app requests a token with the password grant
    Then the request is rejected with invalid_request
`

// TestReportInBrowser opens the report of a run with a planted failure, and the documentation built from
// it, in headless Chromium from file://, as a QA lead would after a run: the pages render with no console
// error and no network request, the matrix is there, the failed scenario is open and shows its exchanges
// and a curl command whose secrets are the profile's variables, and the filters narrow the list. The
// screenshots it takes are left in reports/ for people to look at.
func TestReportInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("runs headless Chromium")
	}
	b := openBrowser(t, 90*time.Second)
	f := runFeature(t, plantedFailure, "progress", false)
	if f.status == 0 {
		t.Fatalf("the run with a planted failure passed:\n%s", f.console)
	}
	page := filepath.Join(f.dir, report.FileName("mock"))
	if !strings.Contains(f.console, "The report: "+page) {
		t.Errorf("the console does not end by naming the report %s:\n%s", page, tail(f.console, 5))
	}

	b.openReport(t, page)
	b.do(t, "the conformance matrix", chromedp.WaitVisible(chromedp.CSS(`#matrix-table td.c[data-grant="password"][data-area="errors"]`)))
	if got := b.text(t, `#matrix-table td.c[data-grant="password"][data-area="errors"]`); got != "1 failed / 2" {
		t.Errorf("the matrix cell password × errors reads %q; want 1 failed / 2 (the failure and the SHOULD warning)", got)
	}
	b.do(t, "the clause matrix", chromedp.WaitVisible(chromedp.CSS("table.clauses td.failed-cell")))
	if n := nodeCount(t, b, "#unchecked li"); n < 10 {
		t.Errorf("%d clauses listed as unchecked by this four-scenario run; want the many it does not check", n)
	}

	// The failed scenario comes first and open; its exchange opens on a click.
	if first := b.text(t, "details.scenario .name"); first != "A planted failure" {
		t.Errorf("the first scenario is %q; want the failed one", first)
	}
	b.do(t, "the failed scenario open", chromedp.WaitVisible(chromedp.CSS("details.scenario.failed[open] pre.error")))
	b.do(t, "opening the failed scenario's exchange",
		chromedp.Click(chromedp.CSS("details.scenario.failed details.exchange > summary")),
		chromedp.WaitVisible(chromedp.CSS("details.scenario.failed details.exchange[open] .curl pre")))
	exchange := b.text(t, "details.scenario.failed details.exchange[open] .xgrid")
	for _, want := range []string{"POST http://127.0.0.1:", "/restapi/oauth/token", "grant_type=password", "HTTP 200", `"access_token": "[redacted:`} {
		if !strings.Contains(exchange, want) {
			t.Errorf("the failed scenario's exchange does not show %q:\n%s", want, exchange)
		}
	}
	curl := b.text(t, "details.scenario.failed details.exchange[open] .curl pre")
	for _, want := range []string{`curl "${RC_SERVER_URL}"'/restapi/oauth/token'`, `-u "${RC_CLIENT_ID}:${RC_CLIENT_SECRET}"`, `--data-urlencode 'password='"${RC_PASSWORD}"`} {
		if !strings.Contains(curl, want) {
			t.Errorf("the curl command lacks %s:\n%s", want, curl)
		}
	}
	b.do(t, "scrolling to the failure", chromedp.ScrollIntoView(chromedp.CSS("details.scenario.failed")))
	b.screenshot(t, "screenshot-report-failure.png", false)

	// Token lineage: the refresh scenario draws its grant, its refresh and the arrow between them.
	b.do(t, "opening the refresh scenario", chromedp.Click(chromedp.CSS(`details.scenario.passed > summary`)))
	if n := nodeCount(t, b, "details.scenario[open] svg.lineage rect"); n < 1 {
		t.Error("an opened scenario with token requests draws no lineage")
	}

	// Filters: status (a summary card), text, a matrix cell, a tag.
	count := func() string { return b.text(t, "#f-count") }
	if got := count(); got != "4 of 4 scenarios" {
		t.Errorf("before filtering: %q", got)
	}
	b.do(t, "listing the passed scenarios", chromedp.Click(chromedp.CSS(`.card[data-status="passed"]`)))
	if got := count(); got != "2 of 4 scenarios" || eval[bool](t, b, `document.querySelector("details.scenario.failed").offsetParent !== null`) {
		t.Errorf("filtered by status passed: %q, and the failed scenario is still shown or not", got)
	}
	b.do(t, "searching", chromedp.Click(chromedp.ID("f-clear")), chromedp.SendKeys(chromedp.ID("f-text"), "revokes"))
	if got := count(); got != "1 of 4 scenarios" {
		t.Errorf("searching for a step's word: %q; want 1 of 4", got)
	}
	b.do(t, "clicking a matrix cell", chromedp.Click(chromedp.ID("f-clear")),
		chromedp.Click(chromedp.CSS(`#matrix-table td.c[data-area="revocation"]`)))
	if got, area := count(), eval[string](t, b, `document.getElementById("f-area").value`); got != "1 of 4 scenarios" || area != "revocation" {
		t.Errorf("after clicking the revocation cell: %q, area filter %q", got, area)
	}
	b.do(t, "filtering by tag", chromedp.Click(chromedp.ID("f-clear")),
		chromedp.SetValue(chromedp.ID("f-tag"), "@should"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-tag").dispatchEvent(new Event("change"))`))
	if got := count(); got != "1 of 4 scenarios" {
		t.Errorf("filtered by @should: %q; want 1 of 4", got)
	}
	b.do(t, "clearing the filters", chromedp.Click(chromedp.ID("f-clear")), chromedp.ScrollIntoView(chromedp.CSS("header")))
	b.screenshot(t, "screenshot-report.png", true)
	b.checkClean(t, "the report")

	// The documentation built from the same run.
	sentences, err := vocab.Sentences("env", "steps")
	if err != nil {
		t.Fatal(err)
	}
	docs := filepath.Join(f.dir, "docs")
	if err := report.WriteDocs(docs, report.DocsConfig{Features: "features", Reports: f.dir, Baselines: baseline.Dir, Vocabulary: sentences}); err != nil {
		t.Fatal(err)
	}
	b.do(t, "opening the documentation", chromedp.Navigate(fileURL(t, filepath.Join(docs, "index.html"))),
		chromedp.WaitVisible(chromedp.CSS(`#features a[href="grants-password.html"]`)))
	b.screenshot(t, "screenshot-docs.png", false)
	b.do(t, "following a feature", chromedp.Click(chromedp.CSS(`#features a[href="grants-password.html"]`)),
		chromedp.WaitVisible(chromedp.CSS("section.scenario pre.gherkin")))
	if h1 := b.text(t, "h1"); h1 != "Password grant" {
		t.Errorf("the feature page's title is %q", h1)
	}
	if never := b.text(t, "table.results"); !regexp.MustCompile(`never run against devtest`).MatchString(never) {
		t.Errorf("a scenario this run did not have does not say it was never run against devtest: %q", never)
	}
	b.do(t, "opening the vocabulary", chromedp.Navigate(fileURL(t, filepath.Join(docs, "vocabulary.html"))),
		chromedp.WaitVisible(chromedp.CSS("table.vocabulary code")))
	b.screenshot(t, "screenshot-docs-vocabulary.png", false)
	b.checkClean(t, "the documentation")
}
