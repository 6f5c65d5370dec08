package jsoncheck

import (
	"errors"
	"strings"
	"testing"
)

// body mixes a RingCentral token response with an OAU error body, plus values for edge cases.
const body = `{
  "access_token": "U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn",
  "token_type": "bearer",
  "expires_in": 3599,
  "expires_exp": 3.6e3,
  "ratio": 0.5,
  "big": 12345678901234567890,
  "scope": "ReadAccounts SMS",
  "owner_id": "62264425016",
  "refresh_token": null,
  "verified": true,
  "error": "unauthorized_client",
  "errors": [
    {"errorCode": "OAU-251", "message": "Unauthorized for this grant type"},
    {"errorCode": "OAU-213", "message": "Token is expired"}
  ],
  "empty": [],
  "obj": {"a": 1, "b": [1, 2]},
  "name": "Zoë"
}`

// runOne runs a single check on body and returns its problem, or nil if it passed.
func runOne(tb testing.TB, c Check) *Problem {
	tb.Helper()
	err := Run([]byte(body), c)
	if err == nil {
		return nil
	}
	var f *Failure
	if !errors.As(err, &f) {
		tb.Fatalf("got error %v (%T); want *Failure", err, err)
	}
	if len(f.Problems) != 1 {
		tb.Fatalf("got %d problems; want 1: %v", len(f.Problems), err)
	}
	return &f.Problems[0]
}

func TestOps(t *testing.T) {
	tests := []struct {
		name       string
		check      Check
		pass       bool
		wantGot    string // when failing
		wantReason string // when failing
	}{
		// present / absent
		{name: "present string", check: Check{"access_token", Present, ""}, pass: true},
		{name: "present null", check: Check{"refresh_token", Present, ""}, pass: true},
		{name: "present missing", check: Check{"session_id", Present, ""}, wantGot: "nothing"},
		{name: "present query match", check: Check{`errors.#(errorCode=="OAU-251")`, Present, ""}, pass: true},
		{name: "present query no match", check: Check{`errors.#(errorCode=="OAU-999")`, Present, ""}, wantGot: "nothing"},
		{name: "present index", check: Check{"errors.1.message", Present, ""}, pass: true},
		{name: "present index out of range", check: Check{"errors.2.message", Present, ""}, wantGot: "nothing"},
		{name: "absent missing", check: Check{"id_token", Absent, ""}, pass: true},
		{name: "absent null", check: Check{"refresh_token", Absent, ""}, wantGot: "null"},

		// type
		{name: "type integer", check: Check{"expires_in", HasType, "integer"}, pass: true},
		{name: "type integer with exponent", check: Check{"expires_exp", HasType, "integer"}, pass: true},
		{name: "type integer beyond int64", check: Check{"big", HasType, "integer"}, pass: true},
		{name: "type integer is a number", check: Check{"expires_in", HasType, "number"}, pass: true},
		{name: "type integer fraction", check: Check{"ratio", HasType, "integer"}, wantGot: "0.5", wantReason: "a number, not an integer"},
		{name: "type string", check: Check{"owner_id", HasType, "string"}, pass: true},
		{name: "type string got string for number", check: Check{"owner_id", HasType, "number"}, wantGot: `"62264425016"`, wantReason: "a string"},
		{name: "type null", check: Check{"refresh_token", HasType, "null"}, pass: true},
		{name: "type boolean", check: Check{"verified", HasType, "boolean"}, pass: true},
		{name: "type array", check: Check{"errors", HasType, "array"}, pass: true},
		{name: "type array of query", check: Check{"errors.#.errorCode", HasType, "array"}, pass: true},
		{name: "type object", check: Check{"obj", HasType, "object"}, pass: true},
		{name: "type object got array", check: Check{"empty", HasType, "object"}, wantGot: "[]", wantReason: "an array"},
		{name: "type missing", check: Check{"session_id", HasType, "string"}, wantGot: "nothing"},

		// equals
		{name: "equals bare string", check: Check{"token_type", Equals, "bearer"}, pass: true},
		{name: "equals quoted string", check: Check{"token_type", Equals, `"bearer"`}, pass: true},
		{name: "equals case differs", check: Check{"token_type", Equals, "Bearer"}, wantGot: `"bearer"`},
		{name: "equals number", check: Check{"expires_in", Equals, "3599"}, pass: true},
		{name: "equals number by value", check: Check{"expires_exp", Equals, "3600.0"}, pass: true},
		{name: "equals big number exactly", check: Check{"big", Equals, "12345678901234567890"}, pass: true},
		{name: "equals big number off by one", check: Check{"big", Equals, "12345678901234567891"}, wantGot: "12345678901234567890"},
		{name: "equals quoted number is a string", check: Check{"expires_in", Equals, `"3599"`}, wantGot: "3599"},
		{name: "equals number against string", check: Check{"owner_id", Equals, "62264425016"}, wantGot: `"62264425016"`},
		{name: "equals quoted digits", check: Check{"owner_id", Equals, `"62264425016"`}, pass: true},
		{name: "equals true", check: Check{"verified", Equals, "true"}, pass: true},
		{name: "equals null", check: Check{"refresh_token", Equals, "null"}, pass: true},
		{name: "equals error code path", check: Check{"errors.0.errorCode", Equals, "OAU-251"}, pass: true},
		{name: "equals array of query", check: Check{"errors.#.errorCode", Equals, `["OAU-251","OAU-213"]`}, pass: true},
		{name: "equals object any order", check: Check{"obj", Equals, `{"b":[1,2.0],"a":1}`}, pass: true},
		{name: "equals missing", check: Check{"session_id", Equals, "s"}, wantGot: "nothing"},

		// equals-ignore-case
		{name: "equals-ignore-case", check: Check{"token_type", EqualsIgnoreCase, "Bearer"}, pass: true},
		{name: "equals-ignore-case quoted", check: Check{"token_type", EqualsIgnoreCase, `"BEARER"`}, pass: true},
		{name: "equals-ignore-case differs", check: Check{"token_type", EqualsIgnoreCase, "mac"}, wantGot: `"bearer"`},
		{name: "equals-ignore-case number", check: Check{"expires_in", EqualsIgnoreCase, "3599"}, wantGot: "3599", wantReason: "a number, not a string"},

		// matches
		{name: "matches prefix", check: Check{"access_token", Matches, "^U1BC"}, pass: true},
		{name: "matches unanchored", check: Check{"scope", Matches, "SMS"}, pass: true},
		{name: "matches anchored fails", check: Check{"scope", Matches, "^SMS"}, wantGot: `"ReadAccounts SMS"`},
		{name: "matches number text", check: Check{"expires_in", Matches, `^\d{4}$`}, pass: true},
		{name: "matches error code", check: Check{"errors.0.errorCode", Matches, `^OAU-\d{3}$`}, pass: true},
		{name: "matches object", check: Check{"obj", Matches, "a"}, wantGot: `{"a": 1, "b": [1, 2]}`, wantReason: "an object, not a string, number or boolean"},
		{name: "matches bad regexp", check: Check{"scope", Matches, "(["}, wantGot: `"ReadAccounts SMS"`, wantReason: "invalid check: bad regular expression"},

		// between
		{name: "between dots", check: Check{"expires_in", Between, "3000..3600"}, pass: true},
		{name: "between and inclusive", check: Check{"expires_in", Between, "3599 and 3599"}, pass: true},
		{name: "between below", check: Check{"expires_in", Between, "1..3598"}, wantGot: "3599"},
		{name: "between fractions", check: Check{"ratio", Between, "-1.5..0.5"}, pass: true},
		{name: "between exponent bounds", check: Check{"big", Between, "0..1e20"}, pass: true},
		{name: "between string", check: Check{"owner_id", Between, "0..1e12"}, wantGot: `"62264425016"`, wantReason: "a string, not a number"},
		{name: "between bad range", check: Check{"expires_in", Between, "3600"}, wantGot: "3599", wantReason: "invalid check: bad range"},

		// not-equals
		{name: "not-equals", check: Check{"token_type", NotEquals, "mac"}, pass: true},
		{name: "not-equals same", check: Check{"token_type", NotEquals, "bearer"}, wantGot: `"bearer"`},
		{name: "not-equals number vs string", check: Check{"owner_id", NotEquals, "62264425016"}, pass: true},
		{name: "not-equals missing", check: Check{"session_id", NotEquals, "s"}, wantGot: "nothing"},

		// contains
		{name: "contains substring", check: Check{"scope", Contains, "SMS"}, pass: true},
		{name: "contains substring missing", check: Check{"scope", Contains, "Fax"}, wantGot: `"ReadAccounts SMS"`},
		{name: "contains array element", check: Check{"errors.#.errorCode", Contains, "OAU-213"}, pass: true},
		{name: "contains array element missing", check: Check{"errors.#.errorCode", Contains, "OAU-999"}, wantGot: `["OAU-251","OAU-213"]`},
		{name: "contains on number", check: Check{"expires_in", Contains, "35"}, wantGot: "3599", wantReason: "a number, not a string or an array"},

		// one-of
		{name: "one-of", check: Check{"token_type", OneOf, "bearer|Bearer"}, pass: true},
		{name: "one-of spaced", check: Check{"error", OneOf, "invalid_grant | unauthorized_client"}, pass: true},
		{name: "one-of none", check: Check{"error", OneOf, "invalid_grant|invalid_client"}, wantGot: `"unauthorized_client"`},
		{name: "one-of numbers", check: Check{"expires_in", OneOf, "3599|7199"}, pass: true},

		// length
		{name: "length array", check: Check{"errors", Length, "2"}, pass: true},
		{name: "length array differs", check: Check{"errors", Length, "1"}, wantGot: "[\n    {\"errorCode\": \"OAU-251\", \"message\": \"Unauthorized for this grant type\"},\n    {\"errorCode\": \"OAU-213\", \"message\": \"Token is expired\"}\n  ]", wantReason: "length 2"},
		{name: "length empty array", check: Check{"empty", Length, "0"}, pass: true},
		{name: "length string in characters", check: Check{"name", Length, "3"}, pass: true},
		{name: "length number", check: Check{"expires_in", Length, "4"}, wantGot: "3599", wantReason: "a number, not a string or an array"},
		{name: "length bad", check: Check{"errors", Length, "two"}, wantReason: "invalid check: bad length"},

		// invalid checks built in code are reported, not panicked on
		{name: "unknown op", check: Check{"scope", Op("resembles"), "x"}, wantGot: `"ReadAccounts SMS"`, wantReason: `invalid check: unknown check "resembles"`},
		{name: "unknown type", check: Check{"scope", HasType, "text"}, wantReason: `invalid check: unknown type "text"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := runOne(t, tt.check)
			if tt.pass {
				if p != nil {
					t.Fatalf("got failure %q; want pass", p)
				}
				return
			}
			if p == nil {
				t.Fatalf("got pass; want failure")
			}
			if p.Check != tt.check {
				t.Errorf("got Check %+v; want %+v", p.Check, tt.check)
			}
			if tt.wantGot != "" && p.Got != tt.wantGot {
				t.Errorf("got Got %q; want %q", p.Got, tt.wantGot)
			}
			if !strings.HasPrefix(p.Reason, tt.wantReason) || (tt.wantReason == "" && p.Reason != "") {
				t.Errorf("got Reason %q; want %q", p.Reason, tt.wantReason)
			}
		})
	}
}

func TestRunReportsEveryFailure(t *testing.T) {
	checks := []Check{
		{"token_type", Equals, "bearer"},
		{"session_id", Present, ""},
		{"expires_in", HasType, "string"},
		{`errors.#(errorCode=="OAU-251")`, Present, ""},
		{"errors.0.message", Equals, "Token is expired"},
	}
	err := Run([]byte(`{"token_type":"bearer","expires_in":3599,"errors":[{"errorCode":"OAU-251","message":"Unauthorized for this grant type"}]}`), checks...)
	want := `jsoncheck: 3 of 5 checks failed:
- session_id present: got nothing
- expires_in type string: got 3599 (an integer)
- errors.0.message equals Token is expired: got "Unauthorized for this grant type"
body (121 bytes):
{"token_type":"bearer","expires_in":3599,"errors":[{"errorCode":"OAU-251","message":"Unauthorized for this grant type"}]}`
	if err == nil {
		t.Fatalf("got nil; want failure")
	}
	if got := err.Error(); got != want {
		t.Errorf("got message\n%s\nwant\n%s", got, want)
	}
	var f *Failure
	if !errors.As(err, &f) {
		t.Fatalf("got %T; want *Failure", err)
	}
	if got, want := len(f.Problems), 3; got != want {
		t.Errorf("got %d problems; want %d", got, want)
	}
}

func TestRunPasses(t *testing.T) {
	if err := Run([]byte(body)); err != nil {
		t.Errorf("got %v for no checks; want nil", err)
	}
	checks, err := ParseTable([][]string{
		{"access_token", "is present", ""},
		{"token_type", "equals-ignore-case", "Bearer"},
		{"expires_in", "is between", "1 and 3600"},
		{"errors.#.errorCode", "contains", "OAU-251"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := Run([]byte(body), checks...); err != nil {
		t.Errorf("got %v; want nil", err)
	}
}

func TestRunInvalidBody(t *testing.T) {
	checks := []Check{{"token_type", Equals, "bearer"}, {"session_id", Present, ""}}
	tests := []struct {
		name string
		body string
		want string
	}{
		{name: "html", body: "<html>Service Unavailable</html>",
			want: "jsoncheck: body is not valid JSON (2 checks not evaluated)\nbody (32 bytes):\n<html>Service Unavailable</html>"},
		{name: "truncated JSON", body: `{"token_type":"bearer"`,
			want: "jsoncheck: body is not valid JSON (2 checks not evaluated)\nbody (22 bytes):\n{\"token_type\":\"bearer\""},
		{name: "empty", body: "",
			want: "jsoncheck: body is empty, not JSON (2 checks not evaluated)\nbody (0 bytes):\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Run([]byte(tt.body), checks...)
			if err == nil {
				t.Fatalf("got nil; want failure")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			var f *Failure
			if !errors.As(err, &f) || len(f.Problems) != 1 || string(f.Body) != tt.body {
				t.Errorf("got %#v; want one problem and the body", err)
			}
		})
	}
}

func TestFailureTruncatesBody(t *testing.T) {
	long := `{"pad":"` + strings.Repeat("é", 1000) + `"}` // 2010 bytes, multi-byte runes
	err := Run([]byte(long), Check{"session_id", Present, ""})
	if err == nil {
		t.Fatal("got nil; want failure")
	}
	msg := err.Error()
	if !strings.Contains(msg, "\nbody (2010 bytes, truncated to 1024):\n") {
		t.Errorf("got %q; want the body size and truncation noted", msg)
	}
	shown := msg[strings.Index(msg, "1024):\n")+len("1024):\n"):]
	if !strings.HasSuffix(shown, "…") || len(shown) > 1024+len("…") {
		t.Errorf("got %d bytes of body %q; want at most 1024 and a trailing …", len(shown), shown)
	}
	if strings.ContainsRune(shown, '\uFFFD') {
		t.Errorf("got a split UTF-8 sequence in %q", shown)
	}
}

func TestParseOp(t *testing.T) {
	tests := []struct {
		in   string
		want Op
	}{
		{"present", Present},
		{"is present", Present},
		{"Is  Present", Present},
		{"is absent", Absent},
		{"absent", Absent},
		{"type", HasType},
		{"is a", HasType},
		{"is an", HasType},
		{"equals", Equals},
		{"equals-ignore-case", EqualsIgnoreCase},
		{"equals ignoring case", EqualsIgnoreCase},
		{"matches", Matches},
		{"between", Between},
		{"is between", Between},
		{"not-equals", NotEquals},
		{"does not equal", NotEquals},
		{"contains", Contains},
		{"one-of", OneOf},
		{"is one of", OneOf},
		{"length", Length},
		{"has length", Length},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseOp(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("got ParseOp(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
			}
		})
	}
	if _, err := ParseOp("resembles"); err == nil || !strings.HasPrefix(err.Error(), `jsoncheck: unknown check "resembles"; want one of present, absent,`) {
		t.Errorf(`got ParseOp("resembles") error %v; want "jsoncheck: unknown check ..."`, err)
	}
}

func TestParseTable(t *testing.T) {
	tests := []struct {
		name    string
		rows    [][]string
		want    []Check
		wantErr string
	}{
		{name: "header skipped",
			rows: [][]string{{"path", "check", "value"}, {"token_type", "equals", "bearer"}, {" session_id ", " is present ", ""}},
			want: []Check{{"token_type", Equals, "bearer"}, {"session_id", Present, ""}}},
		{name: "header with other words and case",
			rows: [][]string{{"Path", "Op", "Arg"}, {"expires_in", "is a", "integer"}},
			want: []Check{{"expires_in", HasType, "integer"}}},
		{name: "two-cell rows",
			rows: [][]string{{"path", "check"}, {"id_token", "is absent"}},
			want: []Check{{"id_token", Absent, ""}}},
		{name: "no header",
			rows: [][]string{{`errors.#(errorCode=="OAU-251")`, "present", ""}, {"errors.0.message", "matches", "^Unauthorized"}},
			want: []Check{{`errors.#(errorCode=="OAU-251")`, Present, ""}, {"errors.0.message", Matches, "^Unauthorized"}}},
		{name: "a path named path is not a header",
			rows: [][]string{{"path", "equals", "/restapi"}},
			want: []Check{{"path", Equals, "/restapi"}}},
		{name: "bad op",
			rows:    [][]string{{"path", "check", "value"}, {"token_type", "eqals", "bearer"}},
			wantErr: `jsoncheck: row 2: unknown check "eqals"`},
		{name: "bad regexp",
			rows:    [][]string{{"scope", "matches", "(["}},
			wantErr: "jsoncheck: row 1: scope matches ([: bad regular expression: error parsing regexp",
		},
		{name: "bad between separator",
			rows:    [][]string{{"expires_in", "is between", "1-3600"}},
			wantErr: `jsoncheck: row 1: expires_in between 1-3600: bad range "1-3600"; want A..B or A and B`},
		{name: "bad between number",
			rows:    [][]string{{"expires_in", "between", "one..3600"}},
			wantErr: `jsoncheck: row 1: expires_in between one..3600: bad range "one..3600"; want numbers`},
		{name: "reversed between",
			rows:    [][]string{{"expires_in", "between", "3600..1"}},
			wantErr: `jsoncheck: row 1: expires_in between 3600..1: bad range "3600..1": 3600 is greater than 1`},
		{name: "bad type",
			rows:    [][]string{{"expires_in", "is an", "int"}},
			wantErr: `jsoncheck: row 1: expires_in type int: unknown type "int"; want one of string, number, integer,`},
		{name: "bad length",
			rows:    [][]string{{"errors", "length", "-1"}},
			wantErr: `jsoncheck: row 1: errors length -1: bad length "-1"`},
		{name: "value for present",
			rows:    [][]string{{"session_id", "is present", "yes"}},
			wantErr: `jsoncheck: row 1: session_id present yes: present takes no value, got "yes"`},
		{name: "empty path",
			rows:    [][]string{{"", "is present", ""}},
			wantErr: `jsoncheck: row 1:  present: empty path`},
		{name: "too many cells",
			rows:    [][]string{{"a", "equals", "b", "c"}},
			wantErr: "jsoncheck: row 1: got 4 cells; want path | check | value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTable(tt.rows)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v; want prefix %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v; want nil", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v; want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got check %d %+v; want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
