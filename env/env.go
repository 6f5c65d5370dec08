// Package env loads the harness's environment profiles: which target to test (the embedded mock, a
// standalone rcmock, the RingCentral sandbox or production) and with which apps and credentials.
//
// Configuration is data passed down. The harness calls [Load] once and hands the [*Profile] to whatever
// needs it; nothing else reads the process environment, and nothing is ever written into it (the
// .env files are read with godotenv.Parse, never godotenv.Load).
//
// A profile is layered, later layers winning:
//
//  1. <dir>/<name>.env, committed, without secrets. It must exist. Its first line may be the directive
//     "# extends: <parent>", which loads <dir>/<parent>.env first (parents may extend further).
//  2. <dir>/<name>.local.env, optional and git-ignored, for secrets on a developer's machine.
//  3. The process environment as passed to Load, for CI secrets: only the variables of the
//     [Catalogue] and other RC_* names are taken from it, and empty values are ignored (a CI system
//     expands a missing secret to the empty string).
//
// The profile remembers where each value came from, so [Profile.Describe] can show the configuration
// without ever showing a secret.
package env

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
)

// DefaultProfile is the profile used when neither the name argument of [Load] nor OAUTH_ENV names one.
const DefaultProfile = "mock"

// ProfileVariable is the environment variable that names the profile. It is read only from the
// environ argument of [Load] and is not itself part of a profile.
const ProfileVariable = "OAUTH_ENV"

// SourceEnvironment is the source of values taken from the process environment.
const SourceEnvironment = "environment"

var (
	nameRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	extendsRE = regexp.MustCompile(`^#[ \t]*extends:[ \t]*(\S*)[ \t]*$`)
	varRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)
)

// Profile is a loaded environment profile. It is immutable and safe for concurrent use.
type Profile struct {
	name   string
	dir    string
	layers []string          // the sources that were read, in order
	vars   map[string]string // name → value
	source map[string]string // name → source: a file name such as "devtest.env", or "environment"
	owner  map[string]int    // per-user variable → the test user whose value it holds (ForUser)
}

// Load loads the profile name from dir. If name is empty, the value of OAUTH_ENV in environ is used,
// and if that is empty too, "mock". environ has the form of os.Environ(); pass nil to ignore the
// process environment.
//
// Profile names match ^[a-z0-9][a-z0-9_-]*$. Load fails if <dir>/<name>.env does not exist (the error
// lists the profiles that do), if an extends directive names a missing profile or forms a cycle, or if
// a file is malformed (the error names the file and, where it can be found, the line).
func Load(dir, name string, environ []string) (*Profile, error) {
	envVars := parseEnviron(environ)
	if name == "" {
		name = envVars[ProfileVariable]
	}
	if name == "" {
		name = DefaultProfile
	}
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("env: invalid profile name %q: use lower-case letters, digits, '-' and '_', e.g. devtest", name)
	}
	p := &Profile{name: name, dir: dir, vars: map[string]string{}, source: map[string]string{}}

	if err := p.loadChain(name, nil); err != nil {
		return nil, err
	}
	local := filepath.Join(dir, name+".local.env")
	if data, err := os.ReadFile(local); err == nil {
		if err := p.merge(local, data); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("env: profile %q: %w", name, err)
	}

	taken := false
	fromEnv := map[string]string{}
	for k, v := range envVars {
		if k == ProfileVariable || v == "" {
			continue
		}
		if _, known := Lookup(k); !known && !strings.HasPrefix(k, "RC_") && Aliases[k] == "" {
			continue
		}
		fromEnv[k] = v
	}
	if err := resolveAliases(fromEnv, "the environment"); err != nil {
		return nil, fmt.Errorf("%w (profile %q)", err, name)
	}
	for k, v := range fromEnv {
		p.vars[k] = v
		p.source[k] = SourceEnvironment
		taken = true
	}
	if taken {
		p.layers = append(p.layers, SourceEnvironment)
	}
	return p, nil
}

// loadChain reads <dir>/<name>.env after the profile it extends. chain holds the profiles that
// extend name, to detect cycles.
func (p *Profile) loadChain(name string, chain []string) error {
	path := filepath.Join(p.dir, name+".env")
	data, err := os.ReadFile(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("env: profile %q: %w", name, err)
		}
		if len(chain) > 0 {
			return fmt.Errorf("env: profile %q extends %q, but %s was not found", chain[len(chain)-1], name, path)
		}
		return fmt.Errorf("env: unknown profile %q: %s not found (%s)", name, path, listProfiles(p.dir))
	}
	parent, line1, err := extendsDirective(data)
	if err != nil {
		return fmt.Errorf("env: %s:1: %v", path, err)
	}
	if line1 && parent != "" {
		for i, c := range append(chain, name) {
			if c == parent {
				cycle := append(append([]string(nil), chain[i:]...), name, parent)
				return fmt.Errorf("env: profiles extend each other in a cycle: %s", strings.Join(cycle, " -> "))
			}
		}
		if err := p.loadChain(parent, append(chain, name)); err != nil {
			return err
		}
	}
	return p.merge(path, data)
}

// extendsDirective reads the optional "# extends: <parent>" first line.
func extendsDirective(data []byte) (parent string, found bool, err error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	first, _, _ := strings.Cut(string(data), "\n")
	m := extendsRE.FindStringSubmatch(strings.TrimRight(first, "\r"))
	if m == nil {
		return "", false, nil
	}
	if !nameRE.MatchString(m[1]) {
		return "", true, fmt.Errorf("extends directive names an invalid profile %q", m[1])
	}
	return m[1], true, nil
}

// merge parses a file and lays its variables over the profile's.
func (p *Profile) merge(path string, data []byte) error {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	vars, err := godotenv.Parse(bytes.NewReader(data))
	if err != nil {
		if line := errorLine(data, err); line > 0 {
			return fmt.Errorf("env: %s:%d: %v", path, line, err)
		}
		return fmt.Errorf("env: %s: %v", path, err)
	}
	// godotenv accepts names such as "B C" or ""; a typo like that would silently set nothing useful.
	for k := range vars {
		if !varRE.MatchString(k) {
			return fmt.Errorf("env: %s:%d: invalid variable name %q", path, keyLine(data, k), k)
		}
	}
	if err := resolveAliases(vars, path); err != nil {
		return err
	}
	src := filepath.Base(path)
	for k, v := range vars {
		p.vars[k] = v
		p.source[k] = src
	}
	p.layers = append(p.layers, src)
	return nil
}

// errorLine finds the line of a godotenv error, which does not say: the first line at which parsing
// the file up to that line fails with the same error. It returns 0 if there is none.
func errorLine(data []byte, want error) int {
	lines := strings.SplitAfter(string(data), "\n")
	for k := 1; k <= len(lines); k++ {
		_, err := godotenv.Parse(strings.NewReader(strings.Join(lines[:k], "")))
		if err != nil && err.Error() == want.Error() {
			return k
		}
	}
	return 0
}

// keyLine returns the line on which key is assigned, or 0.
func keyLine(data []byte, key string) int {
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimSpace(strings.TrimPrefix(line, "export "))
		if rest, ok := strings.CutPrefix(line, key); ok {
			if rest = strings.TrimSpace(rest); strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, ":") {
				return i + 1
			}
		}
	}
	return 0
}

// parseEnviron turns KEY=VALUE entries into a map. As with os.Getenv, the first of duplicate entries
// wins.
func parseEnviron(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		if _, dup := m[k]; !dup {
			m[k] = v
		}
	}
	return m
}

// Profiles returns the names of the profiles in dir: every <name>.env file except <name>.local.env,
// sorted.
func Profiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("env: %w", err)
	}
	var names []string
	for _, e := range entries {
		n, ok := strings.CutSuffix(e.Name(), ".env")
		if !ok || e.IsDir() || !nameRE.MatchString(n) {
			continue // also skips <name>.local.env: '.' is not allowed in a name
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

func listProfiles(dir string) string {
	names, err := Profiles(dir)
	if err != nil || len(names) == 0 {
		return "no profiles in " + dir
	}
	return "profiles: " + strings.Join(names, ", ")
}

// Name returns the profile's name, e.g. "devtest".
func (p *Profile) Name() string { return p.name }

// Get returns a variable's value and whether the profile sets it (possibly to the empty string).
func (p *Profile) Get(key string) (string, bool) {
	v, ok := p.vars[key]
	return v, ok
}

// Value returns a variable's value, or "" if it is not set.
func (p *Profile) Value(key string) string { return p.vars[key] }

// Source returns where a variable's value came from: a file name such as "devtest.local.env", or
// "environment". It returns "" for a variable that is not set.
func (p *Profile) Source(key string) string { return p.source[key] }

// Bool reports whether a variable is set to true, 1, yes or on (in any case).
func (p *Profile) Bool(key string) bool {
	switch strings.ToLower(strings.TrimSpace(p.vars[key])) {
	case "true", "1", "yes", "on":
		return true
	}
	return false
}

// Duration returns a variable as a duration: a Go duration ("15s", "1m30s") or a number of seconds
// ("15", "0.5"). It returns def if the variable is not set or empty, and an error if it is not a
// duration.
func (p *Profile) Duration(key string, def time.Duration) (time.Duration, error) {
	s := strings.TrimSpace(p.vars[key])
	if s == "" {
		return def, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(secs * float64(time.Second)), nil
	}
	return 0, fmt.Errorf("env: profile %q: %s=%q is not a duration (use e.g. 15s or 15)", p.name, key, s)
}

// Require returns a *MissingVariablesError naming the keys that are not set or empty, or nil.
func (p *Profile) Require(keys ...string) error {
	var missing []string
	for _, k := range keys {
		if p.vars[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &MissingVariablesError{
		Profile:   p.name,
		Vars:      missing,
		LocalFile: filepath.Join(filepath.Base(absDir(p.dir)), p.name+".local.env"),
	}
}

func absDir(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}

// MissingVariablesError says which variables a feature needs that the profile does not set.
type MissingVariablesError struct {
	Profile string
	Vars    []string
	// LocalFile is where a developer would put them, e.g. "env/devtest.local.env".
	LocalFile string
}

// Error is, e.g., `env: profile "devtest" does not set RC_JWT (put it in env/devtest.local.env or the
// environment)`.
func (e *MissingVariablesError) Error() string {
	it := "it"
	if len(e.Vars) > 1 {
		it = "them"
	}
	return fmt.Sprintf("env: profile %q does not set %s (put %s in %s or the environment)",
		e.Profile, strings.Join(e.Vars, ", "), it, e.LocalFile)
}

// Secrets returns the non-empty values of the profile's secret variables (see [IsSecret]), sorted, for
// the driver's redactor.
func (p *Profile) Secrets() []string {
	seen := map[string]bool{}
	var out []string
	for k, v := range p.vars {
		if v != "" && IsSecret(k) && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// Describe returns a description safe to print or attach to a report: a header line, then one line
// per variable that the profile sets, with its source. Secret values are shown as "(set, secret)",
// never as themselves.
func (p *Profile) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "profile %q (%s)\n", p.name, strings.Join(p.layers, " < "))
	keys := make([]string, 0, len(p.vars))
	for k := range p.vars {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return order(keys[i]) < order(keys[j]) || order(keys[i]) == order(keys[j]) && keys[i] < keys[j]
	})
	for _, k := range keys {
		v := p.vars[k]
		shown := strconv.Quote(v)
		if len(v) > maxDescribed {
			shown = strconv.Quote(v[:maxDescribed]) + fmt.Sprintf("…(%d bytes)", len(v))
		}
		switch {
		case v == "":
			shown = "(empty)"
		case IsSecret(k):
			shown = "(set, secret)"
		}
		fmt.Fprintf(&b, "  %s=%s  [%s]\n", k, shown, p.source[k])
	}
	return b.String()
}

// maxDescribed is how much of a long value (a PEM certificate) Describe shows.
const maxDescribed = 64

// order sorts catalogue variables in catalogue order, and the others after them.
func order(name string) int {
	for i, v := range catalogue {
		if v.Name == name {
			return i
		}
	}
	return len(catalogue)
}
