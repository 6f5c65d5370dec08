package env

import (
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
)

// Aliases maps the variable names the official SDKs' own test suites use (ringcentral-oauth.md §12:
// ringcentral-extensible and ringcentral-python .env.sample, ringcentral-go's tests) to the harness's
// names, so that a CI that already has those secrets can pass them as they are. Setting an alias and its
// harness name to different values is an error.
var Aliases = map[string]string{
	"RINGCENTRAL_SERVER_URL":    "RC_SERVER_URL",
	"RINGCENTRAL_CLIENT_ID":     "RC_CLIENT_ID",
	"RINGCENTRAL_CLIENT_SECRET": "RC_CLIENT_SECRET",
	"RINGCENTRAL_JWT_TOKEN":     "RC_JWT",
	"RINGCENTRAL_USERNAME":      "RC_USERNAME",
	"RINGCENTRAL_EXTENSION":     "RC_EXTENSION",
	"RINGCENTRAL_PASSWORD":      "RC_PASSWORD",
}

// resolveAliases folds the aliases of one layer (a profile file, or the process environment) into that
// layer's harness names. An alias and its harness name set to different values in the same layer is an
// error naming both, without showing a secret; across layers the later one wins, as for every variable.
func resolveAliases(vars map[string]string, layer string) error {
	var problems []string
	names := make([]string, 0, len(Aliases))
	for a := range Aliases {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, alias := range names {
		v, ok := vars[alias]
		if !ok {
			continue
		}
		delete(vars, alias)
		name := Aliases[alias]
		if cur, set := vars[name]; set && cur != v {
			problems = append(problems, fmt.Sprintf("%s and %s are both set in %s, to different values%s; set one of them", alias, name, layer, shown(alias, v, name, cur)))
			continue
		}
		vars[name] = v
	}
	if len(problems) > 0 {
		return fmt.Errorf("env: %s", strings.Join(problems, "; "))
	}
	return nil
}

// shown renders the two values of a conflict, unless they are secret.
func shown(alias, aliasValue, name, value string) string {
	if IsSecret(name) {
		return ""
	}
	return fmt.Sprintf(" (%s=%q, %s=%q)", alias, aliasValue, name, value)
}

// PerUser are the variables that belong to one test user. A second, third, … user is configured with the
// same names and the suffix _2, _3, … (RC_JWT_2, RC_USERNAME_2, RC_PASSWORD_2); [Profile.ForUser] returns
// the view of the profile a scenario assigned to that user sees.
var PerUser = []string{"RC_USERNAME", "RC_PASSWORD", "RC_EXTENSION", "RC_JWT", "RC_PERSONAL_JWT", "RC_IVR_PIN", "RC_OTP_CODE"}

// baseOfUserVariable returns the per-user variable a numbered name stands for (RC_JWT_2 → RC_JWT, 2).
func baseOfUserVariable(name string) (string, int, bool) {
	i := strings.LastIndexByte(name, '_')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(name[i+1:])
	if err != nil || n < 2 {
		return "", 0, false
	}
	for _, b := range PerUser {
		if name[:i] == b {
			return b, n, true
		}
	}
	return "", 0, false
}

// Users returns how many test users the profile configures: user 1 with the plain names, and each n ≥ 2
// for which RC_JWT_n or RC_USERNAME_n is set, counting up from 2 without gaps.
func (p *Profile) Users() int {
	n := 1
	for p.vars[fmt.Sprintf("RC_JWT_%d", n+1)] != "" || p.vars[fmt.Sprintf("RC_USERNAME_%d", n+1)] != "" {
		n++
	}
	return n
}

// ForUser returns the profile as test user n sees it: each per-user variable takes its _n value where
// one is set and otherwise stays user 1's (a credential only user 1 has is used by every user's
// scenarios). [Profile.Owner] tells whose value a variable holds. ForUser(1) is p itself.
func (p *Profile) ForUser(n int) *Profile {
	if n <= 1 {
		return p
	}
	q := &Profile{name: p.name, dir: p.dir, layers: p.layers, vars: maps.Clone(p.vars), source: maps.Clone(p.source), owner: map[string]int{}}
	for _, b := range PerUser {
		key := fmt.Sprintf("%s_%d", b, n)
		if v, ok := p.vars[key]; ok && v != "" {
			q.vars[b], q.source[b], q.owner[b] = v, p.source[key], n
		}
	}
	return q
}

// Owner returns the test user whose value the variable holds in this view: n for a per-user variable
// that [Profile.ForUser] took from its _n form, 1 otherwise.
func (p *Profile) Owner(key string) int {
	if n, ok := p.owner[key]; ok {
		return n
	}
	return 1
}

// Derive returns a profile named name holding exactly vars, for a profile the harness builds rather than
// reads (the dry run of a plan). Its values' source is "derived".
func Derive(name string, vars map[string]string) *Profile {
	p := &Profile{name: name, vars: maps.Clone(vars), source: map[string]string{}, layers: []string{"derived"}}
	for k := range vars {
		p.source[k] = "derived"
	}
	return p
}

// Keys returns the names of the variables the profile sets, sorted.
func (p *Profile) Keys() []string {
	keys := make([]string, 0, len(p.vars))
	for k := range p.vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
