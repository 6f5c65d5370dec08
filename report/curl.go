package report

import (
	"net/http"
	"sort"
	"strings"

	"github.com/rcoauth/conformance/driver"
)

// Namer names the shell variable that stands for a fingerprint in a curl command.
type Namer func(fingerprint string) string

// NewNamer returns the Namer of one scenario: a fingerprint of a profile secret is named by its variable
// (vars, from results.Run.SecretVariables: "RC_CLIENT_SECRET", or "RC_CLIENT_ID:RC_CLIENT_SECRET" for a
// Basic credential); a token the scenario's lineage issued is ACCESS_TOKEN_<fp> or REFRESH_TOKEN_<fp>;
// anything else REDACTED_<fp>.
func NewNamer(vars map[string]string, lineage []TokenEvent) Namer {
	role := map[string]string{}
	for _, ev := range lineage {
		if ev.Access != "" {
			role[ev.Access] = "ACCESS_TOKEN_"
		}
		if ev.Refresh != "" {
			role[ev.Refresh] = "REFRESH_TOKEN_"
		}
	}
	return func(fp string) string {
		if v, ok := vars[fp]; ok {
			return v
		}
		prefix, ok := role[fp]
		if !ok {
			prefix = "REDACTED_"
		}
		return prefix + shellName(strings.TrimSuffix(strings.TrimPrefix(fp, "[redacted:"), "]"))
	}
}

// shellName keeps the characters a shell variable name may have.
func shellName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// skippedHeaders are the request headers a curl command leaves to curl.
var skippedHeaders = map[string]bool{"Content-Length": true, "User-Agent": true, "Accept-Encoding": true, "Authorization": true}

// Curl renders a recorded exchange's request as a curl command to paste into a shell. The target's base
// URL becomes "${RC_SERVER_URL}" and every fingerprint a variable named by name, so the command holds no
// secret and runs once the variables are exported. A Basic credential named by a variable pair becomes
// -u "${RC_CLIENT_ID}:${RC_CLIENT_SECRET}" (curl does not form-encode the pair, as RingCentral's SDKs do
// not); a form parameter holding a fingerprint is sent with --data-urlencode.
func Curl(x driver.Exchange, target string, name Namer) string {
	var args []string
	hasBody := x.RequestBody != ""
	if x.Method != "" && !(x.Method == "GET" && !hasBody) && !(x.Method == "POST" && hasBody) {
		args = append(args, "-X "+x.Method)
	}
	if rest, ok := strings.CutPrefix(x.URL, target); ok && target != "" {
		args = append(args, `"${RC_SERVER_URL}"`+shellWord(rest, name))
	} else {
		args = append(args, shellWord(x.URL, name))
	}
	if auth := x.RequestHeader.Get("Authorization"); auth != "" {
		scheme, cred, _ := strings.Cut(auth, " ")
		if pair := name(cred); strings.EqualFold(scheme, "Basic") && driver.IsFingerprint(cred) && strings.Contains(pair, ":") {
			a, b, _ := strings.Cut(pair, ":")
			args = append(args, `-u "${`+a+`}:${`+b+`}"`)
		} else {
			args = append(args, "-H "+shellWord("Authorization: "+auth, name))
		}
	}
	keys := make([]string, 0, len(x.RequestHeader))
	for k := range x.RequestHeader {
		if !skippedHeaders[http.CanonicalHeaderKey(k)] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range x.RequestHeader[k] {
			args = append(args, "-H "+shellWord(k+": "+v, name))
		}
	}
	if hasBody {
		args = append(args, bodyArgs(x.RequestBody, x.RequestHeader.Get("Content-Type"), name)...)
	}
	return "curl " + strings.Join(args, " \\\n  ")
}

// bodyArgs sends a form body parameter by parameter, so that a parameter holding a fingerprint can be
// URL-encoded by curl from its variable; any other body is sent as it was.
func bodyArgs(body, contentType string, name Namer) []string {
	if !strings.HasPrefix(contentType, "application/x-www-form-urlencoded") || !driver.FingerprintPattern.MatchString(body) {
		return []string{"--data-raw " + shellWord(body, name)}
	}
	var out []string
	for _, seg := range strings.Split(body, "&") {
		k, v, _ := strings.Cut(seg, "=")
		if driver.IsFingerprint(v) {
			out = append(out, "--data-urlencode "+shellWord(k+"=", name)+`"${`+name(v)+`}"`)
		} else {
			out = append(out, "--data-raw "+shellWord(seg, name))
		}
	}
	return out
}

// shellWord quotes s as one shell word: literal text in single quotes, each fingerprint as a "${NAME}"
// expansion of the variable that holds its value.
func shellWord(s string, name Namer) string {
	var b strings.Builder
	last := 0
	for _, loc := range driver.FingerprintPattern.FindAllStringIndex(s, -1) {
		b.WriteString(singleQuote(s[last:loc[0]]))
		b.WriteString(`"${` + name(s[loc[0]:loc[1]]) + `}"`)
		last = loc[1]
	}
	b.WriteString(singleQuote(s[last:]))
	if b.Len() == 0 {
		return "''"
	}
	return b.String()
}

// singleQuote quotes s for a POSIX shell; the empty string stays empty so that quoted parts join.
func singleQuote(s string) string {
	if s == "" {
		return ""
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
