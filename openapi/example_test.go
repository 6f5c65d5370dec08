package openapi_test

import (
	"fmt"

	"github.com/rcoauth/conformance/openapi"
)

func ExampleSpec_ValidateSchema() {
	spec, err := openapi.Load(openapi.Latest)
	if err != nil {
		fmt.Println(err)
		return
	}
	body := []byte(`{"access_token":"a","token_type":"Bearer","expires_in":"3600","scope":"ReadAccounts","owner_id":62264425016}`)
	fmt.Println(spec.ValidateSchema("TokenInfo", body))
	// Output:
	// openapi: response does not match TokenInfo:
	//  - property "expires_in": value must be an integer
	//  - property "owner_id": value must be a string
	//  - property "token_type": value is not one of the allowed values ["bearer"]
	//  - property "session_id" is missing (required)
}

func ExampleSpec_ValidateResponse() {
	spec, err := openapi.Load(openapi.V2025_09)
	if err != nil {
		fmt.Println(err)
		return
	}
	body := []byte(`{"error":"unauthorized_client","errors":[{"errorCode":"OAU-251","message":"Unauthorized for this grant type"}],"error_description":"Unauthorized for this grant type"}`)
	fmt.Println(spec.ValidateResponse("POST", "/restapi/oauth/token", 400, "application/json", body))
	fmt.Println(spec.ValidateResponse("POST", "/restapi/oauth/token", 401, "application/json", body))
	// Output:
	// <nil>
	// openapi: response does not match POST /restapi/oauth/token:
	//  - status 401 is not declared (declared: 200, 400, 415, 429)
}
