package jsoncheck_test

import (
	"fmt"

	"github.com/rcoauth/conformance/jsoncheck"
)

// A "Then the response has:" step passes its data table to ParseTable and the body to Run.
func ExampleRun() {
	checks, err := jsoncheck.ParseTable([][]string{
		{"path", "check", "value"},
		{"error", "equals", "unauthorized_client"},
		{`errors.#(errorCode=="OAU-251")`, "is present", ""},
		{"errors.0.message", "matches", "^Unauthorized"},
		{"error_description", "is a", "integer"},
		{"session_id", "is present", ""},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	body := []byte(`{"error":"unauthorized_client","errors":[{"errorCode":"OAU-251","message":"Unauthorized for this grant type"}],"error_description":"Unauthorized for this grant type"}`)
	fmt.Println(jsoncheck.Run(body, checks...))
	// Output:
	// jsoncheck: 2 of 5 checks failed:
	// - error_description type integer: got "Unauthorized for this grant type" (a string)
	// - session_id present: got nothing
	// body (166 bytes):
	// {"error":"unauthorized_client","errors":[{"errorCode":"OAU-251","message":"Unauthorized for this grant type"}],"error_description":"Unauthorized for this grant type"}
}
