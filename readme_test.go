package conformance

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rcoauth/conformance/env"
)

// TestReadmeDocumentsEverything keeps README.md accurate: every profile variable, every tag the features
// use, every make target with a description, and every run option of TestFeatures is named in it.
func TestReadmeDocumentsEverything(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	missing := func(kind string, names []string) {
		t.Helper()
		for _, n := range names {
			if !strings.Contains(readme, n) {
				t.Errorf("README.md does not mention the %s %s", kind, n)
			}
		}
	}

	var vars []string
	for _, v := range env.Catalogue() {
		vars = append(vars, v.Name)
	}
	missing("variable", vars)
	missing("run option", []string{"OAUTH_ENV", envTags, envConcurrency, envSeed, envFormat, envStrict})

	mk, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, m := range regexp.MustCompile(`(?m)^([a-z-]+):.*## `).FindAllStringSubmatch(string(mk), -1) {
		if m[1] != "help" && m[1] != "fmt-check" && m[1] != "vet" && m[1] != "unit" && m[1] != "suite" && m[1] != "godog-cli" {
			targets = append(targets, "make "+m[1])
		}
	}
	missing("target", targets)

	tags := map[string]bool{}
	rfc := regexp.MustCompile(`^@rfc\d+`)
	err = filepath.WalkDir("features", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".feature") {
			return err
		}
		f, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(f), "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "@") {
				continue
			}
			for _, tag := range strings.Fields(line) {
				if strings.HasPrefix(tag, "@") && !rfc.MatchString(tag) {
					tags[tag] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tag := range tags {
		names = append(names, "`"+tag+"`")
	}
	sort.Strings(names)
	missing("tag", names)
}
