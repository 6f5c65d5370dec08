// Package jsoncheck asserts on JSON response bodies through gjson paths and reports every mismatch
// at once, so that a failed step shows all that is wrong with a response, not just the first thing.
//
// It backs the response steps of the harness: "Then the response has:" followed by a table of
// (path, check, value) rows, parsed with ParseTable, and single-assertion steps, which build one
// Check with ParseCheck. Run evaluates the checks against a body.
//
// Paths use gjson's syntax (https://github.com/tidwall/gjson/blob/master/SYNTAX.md): "access_token",
// "errors.0.message", "errors.#.errorCode" (every errorCode, as an array),
// `errors.#(errorCode=="OAU-251")` (the first error with that code) and modifiers such as "@this".
// A path is "present" when gjson's Result.Exists reports true: a JSON null is present, with type
// "null", and a "#" query that matches nothing yields an empty array, which is present too.
//
// Values are JSON values as defined by RFC 8259. Checks that compare values (equals, not-equals,
// one-of, contains on arrays) are JSON-aware: an argument that parses as a JSON value (3600, true,
// null, "quoted", [..], {..}) is compared as JSON, with numbers compared by value (3600 equals
// 3600.0 and 3.6e3); any other argument is compared with a JSON string. So `owner_id equals
// 62264425016` fails when owner_id is the string "62264425016": write `"62264425016"` to compare
// with a string that looks like a number.
package jsoncheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// Op is the kind of assertion a Check makes on the value found at its path.
type Op string

// The checks. Arg is the Check's argument.
const (
	// Present passes when the path exists (gjson Result.Exists), including a JSON null.
	Present Op = "present"
	// Absent passes when the path does not exist.
	Absent Op = "absent"
	// HasType passes when the value has the JSON type Arg: string, number, integer (a number
	// with an integral value, as in JSON Schema), boolean, object, array or null.
	HasType Op = "type"
	// Equals passes when the value equals Arg, compared as JSON (see the package documentation).
	Equals Op = "equals"
	// EqualsIgnoreCase passes when the value is a string equal to Arg under Unicode case folding
	// (RFC 6749 §5.1 makes token_type case-insensitive, for example).
	EqualsIgnoreCase Op = "equals-ignore-case"
	// Matches passes when the value matches the Go regular expression (RE2 syntax) Arg. The match
	// is anchored only if the pattern anchors itself (^...$). Strings are matched by their
	// value; numbers and booleans by their JSON text.
	Matches Op = "matches"
	// Between passes when the value is a number within the inclusive range Arg, written "A..B"
	// or "A and B".
	Between Op = "between"
	// NotEquals passes when the value is present and does not equal Arg (compared as for
	// Equals). Use Absent to assert that a member is missing.
	NotEquals Op = "not-equals"
	// Contains passes when the value is a string containing Arg, or an array with an element
	// equal to Arg (compared as for Equals).
	Contains Op = "contains"
	// OneOf passes when the value equals one of the alternatives in Arg, written "a|b|c" (in a
	// Gherkin table cell the pipe is escaped: a\|b\|c). Each alternative is compared as for Equals.
	OneOf Op = "one-of"
	// Length passes when the value is an array with Arg elements or a string of Arg characters
	// (Unicode code points).
	Length Op = "length"
)

// ops lists the checks in the order they are documented.
var ops = []Op{Present, Absent, HasType, Equals, EqualsIgnoreCase, Matches, Between, NotEquals, Contains, OneOf, Length}

// aliases are the readable spellings accepted by ParseOp, after lower-casing and collapsing spaces.
var aliases = map[string]Op{
	"is present":           Present,
	"exists":               Present,
	"is absent":            Absent,
	"does not exist":       Absent,
	"is a":                 HasType,
	"is an":                HasType,
	"has type":             HasType,
	"is equal to":          Equals,
	"equals ignoring case": EqualsIgnoreCase,
	"equals ignore case":   EqualsIgnoreCase,
	"is between":           Between,
	"does not equal":       NotEquals,
	"is not equal to":      NotEquals,
	"is one of":            OneOf,
	"has length":           Length,
}

// types are the names HasType accepts.
var types = []string{"string", "number", "integer", "boolean", "object", "array", "null"}

// ParseOp returns the Op named s: one of the Op values ("present", "equals-ignore-case", ...) or
// a readable alias such as "is present", "is absent", "is a", "is between" or "is one of". Case and
// repeated spaces are ignored.
func ParseOp(s string) (Op, error) {
	name := strings.ToLower(strings.Join(strings.Fields(s), " "))
	for _, op := range ops {
		if name == string(op) {
			return op, nil
		}
	}
	if op, ok := aliases[name]; ok {
		return op, nil
	}
	return "", fmt.Errorf("jsoncheck: unknown check %q; want one of %s (or is present, is absent, is a, is between, is one of, ...)", s, joinOps())
}

func joinOps() string {
	names := make([]string, len(ops))
	for i, op := range ops {
		names[i] = string(op)
	}
	return strings.Join(names, ", ")
}

// Check is one assertion: the value at gjson path Path satisfies Op with argument Arg.
type Check struct {
	Path string
	Op   Op
	Arg  string
}

// String renders the check as "<path> <op> <arg>".
func (c Check) String() string {
	if c.Arg == "" {
		return c.Path + " " + string(c.Op)
	}
	return c.Path + " " + string(c.Op) + " " + c.Arg
}

// ParseCheck builds a Check from the words of a step, accepting the same operation names as ParseOp,
// and rejects checks that can never pass: an unknown type, a bad regular expression, range or
// length, or an argument given to present or absent.
func ParseCheck(path, op, arg string) (Check, error) {
	o, err := ParseOp(op)
	if err != nil {
		return Check{}, err
	}
	c := Check{Path: strings.TrimSpace(path), Op: o, Arg: strings.TrimSpace(arg)}
	if err := c.validate(); err != nil {
		return Check{}, fmt.Errorf("jsoncheck: %s: %w", c, err)
	}
	return c, nil
}

// ParseTable turns the rows of a Gherkin data table, each (path, check, value) or (path, check),
// into checks. A first row reading "path | check | value" (or "path | op | arg") is a header and
// is skipped. Row numbers in errors count from 1, the header included.
func ParseTable(rows [][]string) ([]Check, error) {
	checks := make([]Check, 0, len(rows))
	for i, row := range rows {
		if i == 0 && isHeader(row) {
			continue
		}
		if len(row) < 2 || len(row) > 3 {
			return nil, fmt.Errorf("jsoncheck: row %d: got %d cells; want path | check | value", i+1, len(row))
		}
		arg := ""
		if len(row) == 3 {
			arg = row[2]
		}
		c, err := ParseCheck(row[0], row[1], arg)
		if err != nil {
			return nil, fmt.Errorf("jsoncheck: row %d: %s", i+1, strings.TrimPrefix(err.Error(), "jsoncheck: "))
		}
		checks = append(checks, c)
	}
	return checks, nil
}

// isHeader reports whether row is the optional "path | check | value" header.
func isHeader(row []string) bool {
	cell := func(i int) string { return strings.ToLower(strings.TrimSpace(row[i])) }
	switch {
	case len(row) < 2 || len(row) > 3 || cell(0) != "path":
		return false
	case cell(1) != "check" && cell(1) != "op":
		return false
	case len(row) == 3 && cell(2) != "value" && cell(2) != "arg":
		return false
	}
	return true
}

// validate reports whether c is well-formed, independently of any body.
func (c Check) validate() error {
	if c.Path == "" {
		return errors.New("empty path")
	}
	switch c.Op {
	case Present, Absent:
		if c.Arg != "" {
			return fmt.Errorf("%s takes no value, got %q", c.Op, c.Arg)
		}
	case HasType:
		for _, t := range types {
			if c.Arg == t {
				return nil
			}
		}
		return fmt.Errorf("unknown type %q; want one of %s", c.Arg, strings.Join(types, ", "))
	case Matches:
		if _, err := regexp.Compile(c.Arg); err != nil {
			return fmt.Errorf("bad regular expression: %w", err)
		}
	case Between:
		if _, _, err := parseRange(c.Arg); err != nil {
			return err
		}
	case Length:
		if _, err := parseLength(c.Arg); err != nil {
			return err
		}
	case Equals, EqualsIgnoreCase, NotEquals, Contains, OneOf:
	default:
		return fmt.Errorf("unknown check %q", c.Op)
	}
	return nil
}

// jsonNumber is the number grammar of RFC 8259 §6.
var jsonNumber = regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$`)

// parseNumber parses a JSON number exactly.
func parseNumber(s string) (*big.Rat, bool) {
	if !jsonNumber.MatchString(s) {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// parseRange parses "A..B" or "A and B" with A <= B.
func parseRange(s string) (lo, hi *big.Rat, err error) {
	a, b, ok := strings.Cut(s, "..")
	if !ok {
		a, b, ok = strings.Cut(s, " and ")
	}
	if !ok {
		return nil, nil, fmt.Errorf("bad range %q; want A..B or A and B", s)
	}
	lo, okLo := parseNumber(strings.TrimSpace(a))
	hi, okHi := parseNumber(strings.TrimSpace(b))
	if !okLo || !okHi {
		return nil, nil, fmt.Errorf("bad range %q; want numbers A..B or A and B", s)
	}
	if lo.Cmp(hi) > 0 {
		return nil, nil, fmt.Errorf("bad range %q: %s is greater than %s", s, strings.TrimSpace(a), strings.TrimSpace(b))
	}
	return lo, hi, nil
}

// parseLength parses a non-negative length.
func parseLength(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad length %q; want a non-negative integer", s)
	}
	return n, nil
}

// Run evaluates every check against body and returns nil if all pass, or a *Failure listing each
// failed check. A body that is not valid JSON (RFC 8259) fails once, without evaluating the checks.
func Run(body []byte, checks ...Check) error {
	if reason := invalidBody(body); reason != "" {
		return &Failure{Problems: []Problem{{Reason: reason}}, Body: bytes.Clone(body), checks: len(checks)}
	}
	var problems []Problem
	for _, c := range checks {
		if p, ok := evaluate(body, c); !ok {
			problems = append(problems, p)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return &Failure{Problems: problems, Body: bytes.Clone(body), checks: len(checks)}
}

// invalidBody says why body is not a JSON value, or returns "".
func invalidBody(body []byte) string {
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return "body is empty, not JSON"
	case !gjson.ValidBytes(body):
		return "body is not valid JSON"
	}
	return ""
}

// evaluate runs one check; ok is false when it fails, with p saying why.
func evaluate(body []byte, c Check) (p Problem, ok bool) {
	r := gjson.GetBytes(body, c.Path)
	p = Problem{Check: c, Got: "nothing"}
	if r.Exists() {
		p.Got = r.Raw
	}
	if err := c.validate(); err != nil {
		p.Reason = "invalid check: " + err.Error()
		return p, false
	}
	switch c.Op {
	case Present:
		ok = r.Exists()
	case Absent:
		ok = !r.Exists()
	case HasType:
		kind := typeOf(r)
		ok = kind == c.Arg || (c.Arg == "number" && kind == "integer")
		if !ok && r.Exists() {
			p.Reason = article(kind)
			if kind == "number" && c.Arg == "integer" {
				p.Reason = "a number, not an integer"
			}
		}
	case Equals:
		ok = equal(r, c.Arg)
	case NotEquals:
		ok = r.Exists() && !equal(r, c.Arg)
	case EqualsIgnoreCase:
		if r.Type != gjson.String {
			p.Reason = notA(r, "a string")
			break
		}
		ok = strings.EqualFold(r.Str, unquote(c.Arg))
	case Matches:
		var text string
		switch r.Type {
		case gjson.String:
			text = r.Str
		case gjson.Number, gjson.True, gjson.False:
			text = r.Raw
		default:
			p.Reason = notA(r, "a string, number or boolean")
			return p, false
		}
		ok = regexp.MustCompile(c.Arg).MatchString(text) // validated above
	case Between:
		x, isNum := parseNumber(r.Raw)
		if r.Type != gjson.Number || !isNum {
			p.Reason = notA(r, "a number")
			break
		}
		lo, hi, _ := parseRange(c.Arg) // validated above
		ok = x.Cmp(lo) >= 0 && x.Cmp(hi) <= 0
	case Contains:
		switch {
		case r.Type == gjson.String:
			ok = strings.Contains(r.Str, unquote(c.Arg))
		case r.IsArray():
			for _, e := range r.Array() {
				if equal(e, c.Arg) {
					ok = true
					break
				}
			}
		default:
			p.Reason = notA(r, "a string or an array")
		}
	case OneOf:
		for alt := range strings.SplitSeq(c.Arg, "|") {
			if equal(r, strings.TrimSpace(alt)) {
				ok = true
				break
			}
		}
	case Length:
		want, _ := parseLength(c.Arg) // validated above
		var n int
		switch {
		case r.Type == gjson.String:
			n = utf8.RuneCountInString(r.Str)
		case r.IsArray():
			n = len(r.Array())
		default:
			p.Reason = notA(r, "a string or an array")
			return p, false
		}
		ok = n == want
		if !ok {
			p.Reason = fmt.Sprintf("length %d", n)
		}
	}
	return p, ok
}

// typeOf names the JSON type of r, "integer" for integral numbers, or "nothing".
func typeOf(r gjson.Result) string {
	switch {
	case !r.Exists():
		return "nothing"
	case r.Type == gjson.Null:
		return "null"
	case r.Type == gjson.True || r.Type == gjson.False:
		return "boolean"
	case r.Type == gjson.String:
		return "string"
	case r.Type == gjson.Number:
		if x, ok := parseNumber(r.Raw); ok && x.IsInt() {
			return "integer"
		}
		return "number"
	case r.IsArray():
		return "array"
	default:
		return "object"
	}
}

// article returns a type name with its indefinite article, for messages.
func article(kind string) string {
	switch kind {
	case "nothing", "null":
		return kind
	case "integer", "array", "object":
		return "an " + kind
	}
	return "a " + kind
}

// notA explains that r is not what an operation needs; nothing needs no explanation.
func notA(r gjson.Result, want string) string {
	if !r.Exists() {
		return ""
	}
	kind := typeOf(r)
	if kind == "integer" {
		kind = "number"
	}
	return fmt.Sprintf("%s, not %s", article(kind), want)
}

// unquote returns the string a JSON string literal denotes, or arg itself.
func unquote(arg string) string {
	var s string
	if strings.HasPrefix(arg, `"`) && json.Unmarshal([]byte(arg), &s) == nil {
		return s
	}
	return arg
}

// equal compares r with arg: as JSON values if arg is JSON, otherwise with r as a JSON string.
func equal(r gjson.Result, arg string) bool {
	if !r.Exists() {
		return false
	}
	if want, ok := decode(arg); ok {
		got, ok := decode(r.Raw)
		return ok && jsonEqual(got, want)
	}
	return r.Type == gjson.String && r.Str == arg
}

// decode parses s as one JSON value, keeping numbers exact.
func decode(s string) (any, bool) {
	if strings.TrimSpace(s) == "" || !gjson.Valid(s) {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// jsonEqual compares decoded JSON values, numbers by value.
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, okA := parseNumber(string(a))
		y, okB := parseNumber(string(b))
		return okA && okB && x.Cmp(y) == 0
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, va := range a {
			vb, ok := b[k]
			if !ok || !jsonEqual(va, vb) {
				return false
			}
		}
		return true
	default: // string, bool, nil
		return a == b
	}
}

// Problem is one failed check.
type Problem struct {
	// Check is the failed check; it is the zero Check when the body itself is not JSON.
	Check Check
	// Got is the raw JSON gjson found at the path, or "nothing".
	Got string
	// Reason adds what Got alone does not say (such as "a string, not a number"); it may be empty.
	Reason string
}

// String renders the problem as "- <path> <op> <arg>: got <raw JSON or nothing> (<reason>)".
func (p Problem) String() string {
	if p.Check == (Check{}) {
		return "- " + p.Reason
	}
	s := "- " + p.Check.String() + ": got " + truncate(p.Got, maxGot)
	if p.Reason != "" {
		s += " (" + p.Reason + ")"
	}
	return s
}

// Failure reports the checks that failed on a body, keeping the body so that a failed step shows
// what the server actually sent.
type Failure struct {
	// Problems lists every failed check, in the order the checks were given.
	Problems []Problem
	// Body is the body the checks ran against.
	Body []byte

	checks int // number of checks run, for the summary line
}

const (
	maxGot  = 256  // bytes of a found value shown per problem
	maxBody = 1024 // bytes of the body shown after the problems
)

// Error lists each failed check on its own line, followed by (the first KiB of) the body.
func (f *Failure) Error() string {
	var b strings.Builder
	switch {
	case len(f.Problems) == 1 && f.Problems[0].Check == (Check{}):
		fmt.Fprintf(&b, "jsoncheck: %s", f.Problems[0].Reason)
		if f.checks > 0 {
			fmt.Fprintf(&b, " (%d %s not evaluated)", f.checks, plural(f.checks, "check", "checks"))
		}
	case f.checks > 0:
		fmt.Fprintf(&b, "jsoncheck: %d of %d %s failed:", len(f.Problems), f.checks, plural(f.checks, "check", "checks"))
	default:
		fmt.Fprintf(&b, "jsoncheck: %d %s failed:", len(f.Problems), plural(len(f.Problems), "check", "checks"))
	}
	if len(f.Problems) != 1 || f.Problems[0].Check != (Check{}) {
		for _, p := range f.Problems {
			b.WriteString("\n")
			b.WriteString(p.String())
		}
	}
	if len(f.Body) > maxBody {
		fmt.Fprintf(&b, "\nbody (%d bytes, truncated to %d):\n", len(f.Body), maxBody)
	} else {
		fmt.Fprintf(&b, "\nbody (%d bytes):\n", len(f.Body))
	}
	b.WriteString(truncate(string(f.Body), maxBody))
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence, marking the cut with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
