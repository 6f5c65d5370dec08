package report

import (
	"bytes"
	htmltemplate "html/template"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"github.com/rcoauth/conformance/results"
)

// docsCSS is the documentation's style: the report's, and a few rules of its own.
var docsCSS = reportCSS + asset("docs.css")

// docsFuncs are the helpers both the HTML and the Markdown templates use.
var docsFuncs = map[string]any{
	"kinds":  func() []string { return results.TargetKinds },
	"recent": recent,
	"time":   formatTime,
	"counts": countSummary,
	"clause": ClauseName,
	"minus":  func(a, b int) int { return a - b },
}

var (
	docsHTML = htmltemplate.Must(htmltemplate.New("docs").Funcs(docsFuncs).Funcs(htmltemplate.FuncMap{
		"page": func(slug string) string { return slug + ".html" },
		"csp":  func() string { return csp(docsCSS, "") },
		"css":  func() htmltemplate.CSS { return htmltemplate.CSS(docsCSS) },
	}).Parse(asset("docs.html.tmpl")))
	// The Markdown pages are not HTML: text/template writes them, escaping what Markdown needs (cell, code).
	docsMarkdown = template.Must(template.New("docs").Funcs(docsFuncs).Funcs(template.FuncMap{
		"page":  func(slug string) string { return slug + ".md" },
		"badge": badge,
		"cell":  mdCell,
		"code":  mdCode,
	}).Parse(asset("docs.md.tmpl")))
)

// recent is the newest twenty history entries, newest first.
func recent(h []results.HistoryLine) []results.HistoryLine {
	out := slices.Clone(h[max(0, len(h)-20):])
	slices.Reverse(out)
	return out
}

// badge marks an outcome in Markdown.
func badge(status string) string {
	switch status {
	case "passed":
		return "✅"
	case "failed":
		return "❌"
	case "warned":
		return "⚠️"
	case "deviated":
		return "🔀"
	case "known":
		return "📌"
	case "skipped":
		return "⏭️"
	}
	return "—"
}

// mdCell makes text safe in a Markdown table cell or heading: no line breaks, no table pipes, no HTML.
var mdCellReplacer = strings.NewReplacer("\n", " ", "|", `\|`, "<", "&lt;", ">", "&gt;")

func mdCell(s string) string { return mdCellReplacer.Replace(s) }

// mdCode writes s as inline code inside a table cell.
func mdCode(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`)
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// page is one page of the documentation, written as HTML and as Markdown.
type page struct {
	name, template string
	data           any
}

// writePages renders every page of the catalogue into out.
func writePages(out string, c *catalogue) error {
	pages := []page{{"index", "index", c}, {"vocabulary", "vocabulary", c}, {"deviations", "deviations", c}}
	for _, f := range c.Features {
		pages = append(pages, page{f.Slug, "feature", f})
	}
	for _, p := range pages {
		var h, m bytes.Buffer
		if err := docsHTML.ExecuteTemplate(&h, p.template, p.data); err != nil {
			return err
		}
		if err := docsMarkdown.ExecuteTemplate(&m, p.template, p.data); err != nil {
			return err
		}
		md := p.name + ".md"
		if p.name == "index" {
			md = "README.md"
		}
		if err := os.WriteFile(filepath.Join(out, p.name+".html"), h.Bytes(), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, md), m.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
