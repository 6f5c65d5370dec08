// Package report renders what a conformance run leaves for people: one self-contained HTML report per run
// (report-<profile>.html beside results.json) and the living documentation built from the features and the
// runs present in reports/ (`make docs`).
//
// The run report follows cucumber's html-formatter: one file that opens offline from file://, with its CSS
// and script embedded and the run's data embedded once as JSON in a <script> element, rendered by the page
// (no pre-rendered copies of thousands of exchanges). A Content-Security-Policy forbids every load but the
// page's own inline style and script, so the page cannot make a network request.
//
// Everything shown comes from a results.Run, which holds no secret: exchanges were redacted by the driver.
// The report names the profile variable behind a redacted value where the run recorded it
// (results.Run.SecretVariables), so a copied curl command reads "$RC_CLIENT_SECRET", never a value.
//
// Besides the run, the report and the documentation show what the real-target path writes, each optional
// and in the type of the package that writes it (Inputs): the profile's baseline (baseline.Baseline, from
// baselines/<profile>.json), and in the reports root the drift between the mock and RingCentral
// (drift.Report, drift.json) and the run history (results.HistoryLine, history.jsonl). A missing file is
// shown as "none recorded", never as an error. The documentation takes each scenario's example rows from
// package catalog, so the rows of an outline are counted apart even when they share a name.
package report
