package report

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"

	"github.com/rcoauth/conformance/results"
)

//go:embed assets
var assets embed.FS

// asset returns an embedded file; the files are part of the package, so a missing one is a build error
// caught by every test.
func asset(name string) string {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic("report: " + err.Error())
	}
	return string(b)
}

var (
	reportCSS  = asset("report.css")
	reportJS   = asset("report.js")
	reportPage = template.Must(template.New("report").Parse(asset("report.html.tmpl")))
)

// csp is a page's Content-Security-Policy: nothing may load (no image, font, frame or connection), and
// only the page's own style and script, named by their hashes, apply.
func csp(css, js string) string {
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	p := "default-src 'none'; style-src " + hash(css) + "; img-src data:; base-uri 'none'; form-action 'none'"
	if js != "" {
		p += "; script-src " + hash(js)
	}
	return p
}

// FileName is the name of a run's report for a profile, so that runs against different profiles do not
// overwrite each other's report in one reports directory.
func FileName(profile string) string {
	if profile == "" {
		profile = "run"
	}
	return "report-" + profile + ".html"
}

// Render writes the run report of run to w.
func Render(w io.Writer, run *results.Run, in Inputs) error {
	err := reportPage.Execute(w, struct {
		Title, CSP string
		CSS        template.CSS
		JS         template.JS
		Data       *data
	}{
		Title: "RingCentral OAuth conformance: " + run.Profile + " against " + run.Target,
		CSP:   csp(reportCSS, reportJS), CSS: template.CSS(reportCSS), JS: template.JS(reportJS),
		Data: build(run, in),
	})
	if err != nil {
		return fmt.Errorf("report: rendering: %w", err)
	}
	return nil
}

// WriteRun writes the report of run with in into dir as FileName(run.Profile) and returns its path.
func WriteRun(dir string, run *results.Run, in Inputs) (string, error) {
	var b bytes.Buffer
	if err := Render(&b, run, in); err != nil {
		return "", err
	}
	path := filepath.Join(dir, FileName(run.Profile))
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	return path, nil
}
