package driver

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tidwall/gjson"
)

// minSecretLen is the length below which a known secret is not replaced wherever it occurs: replacing
// two- or three-character strings would garble unrelated text. Such values are still redacted where
// they appear as a sensitive parameter, JSON field or header.
const minSecretLen = 4

// sensitiveNames are the form parameters, query parameters and JSON fields whose values are
// credentials or tokens: client credentials (RFC 6749 §2.3.1, RFC 7523 §2.2), resource-owner
// credentials (RFC 6749 §4.3.2, RingCentral's ivr_pin and otp grants), grants (authorization codes and
// PKCE verifiers, RFC 6749 §4.1.3 and RFC 7636 §4.5; JWT assertions, RFC 7523 §2.1; device codes,
// RFC 8628 §3.4) and tokens (RFC 6749 §5.1, RFC 7009 §2.1, OpenID Connect id_token, RingCentral's
// ws_access_token). grant_type, client_id, state, redirect_uri and scope are never redacted.
var sensitiveNames = map[string]bool{
	"client_secret":    true,
	"password":         true,
	"assertion":        true,
	"client_assertion": true,
	"code":             true,
	"code_verifier":    true,
	"refresh_token":    true,
	"access_token":     true,
	"token":            true,
	"device_code":      true,
	"ivr_pin":          true,
	"id_token":         true,
	"otp":              true,
	"ws_access_token":  true,
}

// redacted is the fingerprint of a value found by structure, or the value itself if it is one already:
// known secrets are replaced first, and their fingerprints must stay as they are.
func (r *Redactor) redacted(v string) string {
	if IsFingerprint(v) {
		return v
	}
	return r.fp.Fingerprint(v)
}

// Redactor removes credentials and tokens from everything that leaves the driver for a log or a
// report: recorded exchanges, [Response.String] and error messages.
//
// It redacts by value and then by structure. Every known secret is replaced first, wherever it occurs,
// longest first, also in its URL-encoded and JSON-escaped forms, so that a secret that straddles a
// structural boundary is not half replaced. Then the structure is redacted: the Authorization header
// keeping its scheme, sensitive form, query and JSON fields (also in a body that is not valid JSON, such
// as a token response cut short), the code parameter of a Location header. Values redacted by structure
// become known secrets too, so a token that the server echoes somewhere unexpected is still caught in
// later exchanges.
//
// A redacted value is shown as its fingerprint under the Redactor's [Fingerprinter].
//
// A Redactor is safe for concurrent use. The zero value is not usable; call [NewRedactor].
type Redactor struct {
	fp *Fingerprinter
	// parent, if set, is the Redactor this one was forked from: its secrets are replaced first, and it is
	// not changed by this one (Fork).
	parent *Redactor

	mu       sync.RWMutex
	known    map[string]knownSecret
	replacer *strings.Replacer // every form of every known secret → its fingerprint; nil if none
}

// knownSecret is a secret's fingerprint and the forms it may take on the wire.
type knownSecret struct {
	fp    string
	forms []string
}

// NewRedactor returns a Redactor that names redacted values with fp and knows the given secrets (for
// example the profile's client secrets, passwords and JWT credentials). Empty values are ignored.
//
// Every Redactor of a run must share the run's Fingerprinter, so that a value has one fingerprint in all
// of the run's outputs. A nil fp gives the Redactor a Fingerprinter of its own, whose fingerprints no
// other Redactor shares.
func NewRedactor(fp *Fingerprinter, knownSecrets ...string) *Redactor {
	if fp == nil {
		fp = NewFingerprinter()
	}
	r := &Redactor{fp: fp, known: make(map[string]knownSecret)}
	r.AddSecret(knownSecrets...)
	return r
}

// Fork returns a Redactor that knows r's secrets and learns its own: secrets added to the fork (or that it
// learns from exchanges) stay in the fork. A run builds one Redactor of the profile's secrets and forks it
// for each scenario, so the profile's secrets are prepared once per run rather than once per scenario.
func (r *Redactor) Fork() *Redactor {
	return &Redactor{fp: r.fp, parent: r, known: make(map[string]knownSecret)}
}

// knows reports whether r or a Redactor it was forked from knows s.
func (r *Redactor) knows(s string) bool {
	for x := r; x != nil; x = x.parent {
		x.mu.RLock()
		_, ok := x.known[s]
		x.mu.RUnlock()
		if ok {
			return true
		}
	}
	return false
}

// AddSecret adds values to be replaced wherever they occur. Values shorter than four bytes are only
// redacted by structure (see [Redactor]).
func (r *Redactor) AddSecret(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, s := range secrets {
		if _, ok := r.known[s]; len(s) >= minSecretLen && !ok && (r.parent == nil || !r.parent.knows(s)) {
			r.known[s] = knownSecret{fp: r.fp.Fingerprint(s), forms: encodings(s)}
			changed = true
		}
	}
	if !changed {
		return
	}
	// One strings.Replacer for all secrets scans a text once, whatever the number of secrets. It
	// compares old strings in argument order, so listing longer forms first makes the longest secret
	// win where secrets overlap.
	type pair struct{ old, new string }
	var pairs []pair
	seen := map[string]bool{}
	for _, k := range r.known {
		for _, form := range k.forms {
			if !seen[form] {
				seen[form] = true
				pairs = append(pairs, pair{form, k.fp})
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if len(pairs[i].old) != len(pairs[j].old) {
			return len(pairs[i].old) > len(pairs[j].old)
		}
		return pairs[i].old < pairs[j].old
	})
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p.old, p.new)
	}
	r.replacer = strings.NewReplacer(args...)
}

// Text replaces every known secret in s by its fingerprint, longest secret first. Each secret is also
// looked for in its URL-encoded and JSON-escaped forms.
func (r *Redactor) Text(s string) string {
	if r.parent != nil {
		s = r.parent.Text(s)
	}
	r.mu.RLock()
	rep := r.replacer
	r.mu.RUnlock()
	if s == "" || rep == nil {
		return s
	}
	return rep.Replace(s)
}

// encodings returns the forms in which secret may appear on the wire.
func encodings(secret string) []string {
	forms := []string{secret}
	add := func(f string) {
		for _, g := range forms {
			if g == f {
				return
			}
		}
		forms = append(forms, f)
	}
	add(url.QueryEscape(secret))
	add(url.PathEscape(secret))
	// JSON-escaped as Go writes it (<, > and & as \u003c…) and as most other writers do (left as they are).
	for _, escapeHTML := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		if enc.Encode(secret) == nil {
			q := strings.TrimSpace(b.String())
			add(q[1 : len(q)-1])
		}
	}
	return forms
}

// Header returns a redacted copy of h: the Authorization and Proxy-Authorization headers keep their
// scheme and lose their credentials ("Basic [redacted:1a2b3c4d5e6f]"), Location and Content-Location are
// redacted as URLs, and known secrets are replaced in every value.
func (r *Redactor) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		nvs := make([]string, len(vs))
		for i, v := range vs {
			v = r.Text(v)
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "Proxy-Authorization":
				v = r.redactCredentials(v)
			case "Location", "Content-Location":
				v = r.URL(v)
			case "Cookie":
				v = r.redactCookie(v, false)
			case "Set-Cookie":
				v = r.redactCookie(v, true)
			}
			nvs[i] = v
		}
		out[k] = nvs
	}
	return out
}

// redactCredentials keeps the authentication scheme of an Authorization header value (RFC 9110 §11.4)
// and replaces the credentials by their fingerprint.
func (r *Redactor) redactCredentials(v string) string {
	scheme, creds, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return r.redacted(v)
	}
	return scheme + " " + r.redacted(strings.TrimSpace(creds))
}

// redactCookie replaces cookie values by their fingerprints, keeping names. A Set-Cookie value has one
// cookie followed by attributes (RFC 6265 §4.1), a Cookie value a list of cookies (§4.2).
func (r *Redactor) redactCookie(v string, set bool) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		if set && i > 0 {
			break
		}
		if name, val, ok := strings.Cut(p, "="); ok {
			parts[i] = name + "=" + r.redacted(val)
		}
	}
	return strings.Join(parts, ";")
}

// URL redacts the sensitive parameters of a URL's query and fragment (a Location header carries the
// authorization code there, RFC 6749 §4.1.2) and known secrets anywhere in it. Everything else is kept
// byte for byte.
func (r *Redactor) URL(u string) string {
	rest, frag, hasFrag := strings.Cut(r.Text(u), "#")
	base, query, hasQuery := strings.Cut(rest, "?")
	out := base
	if hasQuery {
		out += "?" + r.redactFormText(query)
	}
	if hasFrag {
		out += "#" + r.redactFormText(frag)
	}
	return out
}

// Body redacts a request or response body: known secrets anywhere, then the sensitive fields of a JSON
// document or, in anything else, the sensitive parameters of a form and the sensitive fields of what
// looks like JSON.
func (r *Redactor) Body(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	s := r.Text(string(body))
	if gjson.Valid(s) {
		return r.redactJSON(s)
	}
	return r.redactLooseJSON(r.redactFormText(s))
}

// learn adds the values of sensitive fields found in a URL, header set or body to the known secrets,
// so that they are redacted wherever else they show up.
func (r *Redactor) learn(rawURL string, header http.Header, bodies ...[]byte) {
	var found []string
	collect := func(text string) {
		for _, seg := range strings.Split(text, "&") {
			k, v, ok := strings.Cut(seg, "=")
			if !ok {
				continue
			}
			if key, err := url.QueryUnescape(k); err == nil && sensitiveNames[key] {
				if val, err := url.QueryUnescape(v); err == nil {
					found = append(found, val)
				}
			}
		}
	}
	// collectURL collects the sensitive parameters of a URL's query and fragment.
	collectURL := func(u string) {
		if _, q, ok := strings.Cut(u, "?"); ok {
			q, frag, _ := strings.Cut(q, "#")
			collect(q)
			collect(frag)
		} else if _, frag, ok := strings.Cut(u, "#"); ok {
			collect(frag)
		}
	}
	collectURL(rawURL)
	for k, vs := range header {
		for _, v := range vs {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "Proxy-Authorization":
				if _, creds, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
					found = append(found, strings.TrimSpace(creds))
				}
			case "Location", "Content-Location":
				collectURL(v)
			}
		}
	}
	for _, b := range bodies {
		if len(b) == 0 {
			continue
		}
		if gjson.ValidBytes(b) {
			walkJSON(gjson.ParseBytes(b), func(_ string, v gjson.Result) {
				found = append(found, v.Str)
			})
		} else {
			collect(string(b))
			for _, m := range looseJSONField.FindAllStringSubmatch(string(b), -1) {
				found = append(found, jsonUnquote(m[2]))
			}
		}
	}
	r.AddSecret(found...)
}

// redactFormText replaces the values of sensitive parameters in an application/x-www-form-urlencoded
// string by their fingerprints. Other segments are kept byte for byte, so text that is not a form at
// all passes through unchanged unless it contains something like "password=...".
func (r *Redactor) redactFormText(s string) string {
	if !strings.Contains(s, "=") {
		return s
	}
	segs := strings.Split(s, "&")
	for i, seg := range segs {
		k, v, ok := strings.Cut(seg, "=")
		if !ok || v == "" {
			continue
		}
		key, err := url.QueryUnescape(k)
		if err != nil || !sensitiveNames[key] {
			continue
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			val = v
		}
		segs[i] = k + "=" + r.redacted(val)
	}
	return strings.Join(segs, "&")
}

// looseJSONField finds a sensitive field and its string value in text that is not valid JSON, such as a
// token response cut short: `"access_token" : "U1BC…` up to the closing quote or the end of the text.
var looseJSONField = func() *regexp.Regexp {
	names := make([]string, 0, len(sensitiveNames))
	for n := range sensitiveNames {
		names = append(names, regexp.QuoteMeta(n))
	}
	sort.Strings(names)
	return regexp.MustCompile(`("(?:` + strings.Join(names, "|") + `)"\s*:\s*")((?:[^"\\]|\\.)*)`)
}()

// redactLooseJSON replaces the values of sensitive fields in text that is not valid JSON by their
// fingerprints, so a body cut off in the middle of a token does not show the token's first characters.
func (r *Redactor) redactLooseJSON(s string) string {
	if !strings.Contains(s, `"`) {
		return s
	}
	return looseJSONField.ReplaceAllStringFunc(s, func(m string) string {
		sub := looseJSONField.FindStringSubmatch(m)
		if sub[2] == "" {
			return m
		}
		return sub[1] + r.redacted(jsonUnquote(sub[2]))
	})
}

// jsonUnquote returns the value of the inside of a JSON string, or s itself if it is not one.
func jsonUnquote(s string) string {
	var v string
	if err := json.Unmarshal([]byte(`"`+s+`"`), &v); err != nil {
		return s
	}
	return v
}

// walkJSON calls fn for every string value of a sensitive field, at any depth.
func walkJSON(v gjson.Result, fn func(key string, v gjson.Result)) {
	if !v.IsObject() && !v.IsArray() {
		return
	}
	obj := v.IsObject()
	v.ForEach(func(key, val gjson.Result) bool {
		if obj && sensitiveNames[key.Str] && val.Type == gjson.String && val.Str != "" {
			fn(key.Str, val)
			return true
		}
		walkJSON(val, fn)
		return true
	})
}

// redactJSON replaces the string values of sensitive fields of a JSON document by their fingerprints,
// keeping everything else (order, spacing, numbers) byte for byte.
func (r *Redactor) redactJSON(s string) string {
	type span struct {
		start, end int
		repl       string
	}
	var spans []span
	walkJSON(gjson.Parse(s), func(_ string, v gjson.Result) {
		if v.Index <= 0 || v.Index+len(v.Raw) > len(s) || s[v.Index:v.Index+len(v.Raw)] != v.Raw {
			return
		}
		if IsFingerprint(v.Str) {
			return
		}
		spans = append(spans, span{v.Index, v.Index + len(v.Raw), `"` + r.fp.Fingerprint(v.Str) + `"`})
	})
	if len(spans) == 0 {
		return s
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		if sp.start < last {
			continue
		}
		b.WriteString(s[last:sp.start])
		b.WriteString(sp.repl)
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// truncate shortens s to at most n bytes (on a rune boundary), marking the cut.
// redactedPrefix redacts body as r.Body does and cuts it to about n bytes, reading only what it shows: the
// first n bytes and a margin longer than any token or secret, so that a secret that straddles the cut is
// still recognized and replaced before it is cut, and an enormous body costs no more than a short one. The
// size shown is the body's own.
func (r *Redactor) redactedPrefix(body []byte, n int) string {
	const margin = 16 << 10
	if len(body) <= n+margin {
		return truncate(r.Body(body), n)
	}
	s := r.Body(body[:n+margin])
	cut := min(n, len(s))
	for cut > 0 && cut < len(s) && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(len(body)) + " bytes)"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
