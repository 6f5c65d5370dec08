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
	"slices"
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
	// Failure, optional, lists CSS selectors of what the login page shows when it refuses the sign-in (a
	// wrong password, a locked account). While a wait step waits, a page showing one ends the sign-in at
	// once with the element's text, instead of at the sign-in's deadline.
	Failure []string `json:"failure,omitempty"`
	// Device, if set, is how the user decides a device authorization (RFC 8628 §3.3) at the verification
	// URI; without it the recipe cannot approve or deny a device.
	Device *DeviceSteps `json:"device,omitempty"`
}

// DeviceSteps are the steps by which the user approves or denies a device (RFC 8628 §3.3). The browser
// opens verification_uri_complete, or verification_uri where the server sends none (a step then fills the
// user code from UserCode); every step is done, the last one waiting for the page that says the decision
// was taken.
type DeviceSteps struct {
	Approve []Step `json:"approve"`
	Deny    []Step `json:"deny"`
}

// UserCode is the variable a device step fills the user code from (RFC 8628 §3.2 user_code): the harness
// supplies it, not the profile.
const UserCode = "USER_CODE"

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
	problems := checkSteps("", r.Steps)
	for i, f := range r.Failure {
		if strings.TrimSpace(f) == "" {
			problems = append(problems, fmt.Sprintf("failure selector %d is empty", i+1))
		}
	}
	if d := r.Device; d != nil {
		if len(d.Approve) == 0 || len(d.Deny) == 0 {
			problems = append(problems, "device needs both approve and deny steps")
		}
		problems = append(problems, checkSteps("device approve ", d.Approve)...)
		problems = append(problems, checkSteps("device deny ", d.Deny)...)
	}
	if len(problems) > 0 {
		return nil, errors.New("signin: recipe " + name + ": " + strings.Join(problems, "; "))
	}
	return &r, nil
}

// checkSteps checks that every step does exactly one thing and names its variable; prefix names the list.
func checkSteps(prefix string, steps []Step) []string {
	var problems []string
	for i, s := range steps {
		n := 0
		for _, v := range []string{s.WaitURL, s.Wait, s.Fill, s.Press} {
			if v != "" {
				n++
			}
		}
		switch {
		case n != 1:
			problems = append(problems, fmt.Sprintf("%sstep %d does %d things; want exactly one of wait_url, wait, fill, press", prefix, i+1, n))
		case s.Fill != "" && !variableRE.MatchString(s.From):
			problems = append(problems, fmt.Sprintf("%sstep %d fills %s from %q; want a profile variable", prefix, i+1, s.Fill, s.From))
		case s.Fill == "" && s.From != "":
			problems = append(problems, fmt.Sprintf("%sstep %d has from without fill", prefix, i+1))
		}
	}
	return problems
}

// Variables are the profile variables the recipe's sign-in fills in, in order, each once.
func (r *Recipe) Variables() []string { return variables(r.Steps) }

// DeviceVariables are the profile variables the recipe's device decisions fill in, in order, each once;
// UserCode, which the harness supplies, is not one of them.
func (r *Recipe) DeviceVariables() []string {
	if r.Device == nil {
		return nil
	}
	return variables(append(slices.Clone(r.Device.Approve), r.Device.Deny...))
}

func variables(steps []Step) []string {
	var out []string
	for _, s := range steps {
		if s.From != "" && s.From != UserCode && !slices.Contains(out, s.From) {
			out = append(out, s.From)
		}
	}
	return out
}
