// Package apiclient is a Go client of finapp's HTTP API, generated with oapi-codegen (default
// options, types and client) from the OpenAPI document the server serves at /v1/openapi.json.
// It is committed so that integrators can use it as it is, and so that a change of the API that
// breaks generated clients shows up in review. Do not edit client.gen.go: after a change of the
// API, regenerate it with
//
//	FINAPP_UPDATE_CLIENT=1 go test ./api -run TestOpenAPI_GeneratedGoClient
//
// (the test fails while the committed client differs from what the document generates).
package apiclient
