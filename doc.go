// Package conformance is a declarative conformance test harness for RingCentral's OAuth 2.0 / OpenID
// Connect API.
//
// The specification lives in features/ as Gherkin; the step vocabulary in steps/ drives the HTTP
// driver in driver/ against a target chosen by an environment profile (env/): the embedded mock
// (rcmock, the default), a standalone mock (cmd/rcmock), the RingCentral sandbox or production.
//
// The suite itself is run from this package's tests: TestFeatures for `go test`, and the exported
// InitializeTestSuite and InitializeScenario for the godog CLI (`godog run` from the repository root).
package conformance
