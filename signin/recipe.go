// Package signin signs a user in at an authorization server's login page in headless Chromium, so that
// authorization-code scenarios can run against a server whose authorization endpoint sends the user to a
// login page (RFC 6749 §4.1.1: "the authorization server authenticates the resource owner" by means it
// chooses). It follows a recipe: a small declarative file of steps (wait for a URL or an element, fill a
// field from a profile variable, press a button), like the browser tasks of the OpenID Foundation's
// conformance suite. The harness sends the authorization request, the browser signs in and approves, and
// the redirect to the client's redirect URI, with its code, is captured before the browser loads it; the
// harness then goes on over HTTP.
//
// Everything is bounded: each sign-in runs under a context deadline, every step waits on a condition
// (an element in the DOM, a URL), never on a guessed interval.
package signin

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// recipes holds the recipes shipped with the harness (signin/recipes/<name>.json).
//
//go:embed recipes/*.json
var recipes embed.FS

// Recipe is a sign-in recipe.
type Recipe struct {
	// Name is the recipe's name, the file's base name (OAUTH_SIGNIN).
	Name string `json:"-"`
	// Comment says which login page the recipe is for and how it was verified.
	Comment string `json:"comment"`
	// Unverified marks a draft that has not been run against its login page.
	Unverified bool `json:"unverified,omitempty"`
	// Steps are done in order; the sign-in ends as soon as the browser is sent to the redirect URI, so a
	// step for a page the server skips (a consent already given) is never reached.
	Steps []Step `json:"steps"`
}

// Step is one step of a recipe: exactly one of WaitURL, Wait, Fill (with From) or Press.
type Step struct {
	// WaitURL waits until the page's URL contains this text.
	WaitURL string `json:"wait_url,omitempty"`
	// Wait waits until an element matching this CSS selector is in the page.
	Wait string `json:"wait,omitempty"`
	// Fill sets the value of the input matching this CSS selector to the profile variable From.
	Fill string `json:"fill,omitempty"`
	From string `json:"from,omitempty"`
	// Press clicks the element matching this CSS selector.
	Press string `json:"press,omitempty"`
}

// String describes the step for error messages.
func (s Step) String() string {
	switch {
	case s.WaitURL != "":
		return fmt.Sprintf("wait for a URL containing %q", s.WaitURL)
	case s.Wait != "":
		return fmt.Sprintf("wait for %s", s.Wait)
	case s.Fill != "":
		return fmt.Sprintf("fill %s from %s", s.Fill, s.From)
	case s.Press != "":
		return fmt.Sprintf("press %s", s.Press)
	}
	return "empty step"
}

var (
	nameRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	variableRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// Names lists the shipped recipes.
func Names() []string {
	entries, _ := fs.ReadDir(recipes, "recipes")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(out)
	return out
}

// Load returns the shipped recipe name, checked (Parse).
func Load(name string) (*Recipe, error) {
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("signin: invalid recipe name %q", name)
	}
	data, err := recipes.ReadFile(path.Join("recipes", name+".json"))
	if err != nil {
		return nil, fmt.Errorf("signin: no recipe %q (recipes: %s)", name, strings.Join(Names(), ", "))
	}
	return Parse(name, data)
}

// Parse reads a recipe and checks that every step does exactly one thing and names its variable.
func Parse(name string, data []byte) (*Recipe, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Recipe
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("signin: recipe %s: %w", name, err)
	}
	r.Name = name
	if len(r.Steps) == 0 {
		return nil, fmt.Errorf("signin: recipe %s has no steps", name)
	}
	var problems []string
	for i, s := range r.Steps {
		n := 0
		for _, v := range []string{s.WaitURL, s.Wait, s.Fill, s.Press} {
			if v != "" {
				n++
			}
		}
		switch {
		case n != 1:
			problems = append(problems, fmt.Sprintf("step %d does %d things; want exactly one of wait_url, wait, fill, press", i+1, n))
		case s.Fill != "" && !variableRE.MatchString(s.From):
			problems = append(problems, fmt.Sprintf("step %d fills %s from %q; want a profile variable", i+1, s.Fill, s.From))
		case s.Fill == "" && s.From != "":
			problems = append(problems, fmt.Sprintf("step %d has from without fill", i+1))
		}
	}
	if len(problems) > 0 {
		return nil, errors.New("signin: recipe " + name + ": " + strings.Join(problems, "; "))
	}
	return &r, nil
}

// Variables are the profile variables the recipe fills in, in order, each once.
func (r *Recipe) Variables() []string {
	var out []string
	for _, s := range r.Steps {
		if s.From != "" && !contains(out, s.From) {
			out = append(out, s.From)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
