package api_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"finapp/apiclient"
)

// An integrator generates a Go client from /v1/openapi.json with oapi-codegen's default options
// and it compiles and works: the committed apiclient package is exactly what the served document
// generates (so it compiles with the build), and it records and lists a payment on a real server.
func TestOpenAPI_GeneratedGoClient(t *testing.T) {
	s := newTestServer(t)
	spec := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(spec, s.must(200, "GET", "/v1/openapi.json", nil).Body, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "oapi-codegen", "-generate", "types,client", "-package", "apiclient", spec)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	generated, err := cmd.Output()
	if err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, stderr.Bytes())
	}
	committed := filepath.Join("..", "apiclient", "client.gen.go")
	if os.Getenv("FINAPP_UPDATE_CLIENT") == "1" {
		if err := os.WriteFile(committed, generated, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if old, err := os.ReadFile(committed); err != nil || !bytes.Equal(old, generated) {
		t.Fatalf("apiclient/client.gen.go is not what /v1/openapi.json generates (%v); regenerate it: FINAPP_UPDATE_CLIENT=1 go test ./api -run TestOpenAPI_GeneratedGoClient", err)
	}

	ctx := context.Background()
	c, err := apiclient.NewClientWithResponses(s.URL, apiclient.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+s.Token)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	org, err := c.CreateOrganizationWithResponse(ctx, nil, apiclient.CreateOrganizationJSONRequestBody{Name: "Generated Pte Ltd", BillingCurrency: "SGD"})
	if err != nil || org.JSON201 == nil {
		t.Fatalf("create organization: %v %s", err, org.Body)
	}
	key := "client-1"
	pay, err := c.RecordPaymentWithResponse(ctx, &apiclient.RecordPaymentParams{IdempotencyKey: &key},
		apiclient.RecordPaymentJSONRequestBody{OrganizationId: &org.JSON201.Id, Amount: "12.50", Currency: "SGD", Method: "cash"})
	if err != nil || pay.JSON201 == nil || pay.JSON201.Amount != "12.50" {
		t.Fatalf("record payment: %v %s", err, pay.Body)
	}
	list, err := c.ListPaymentsWithResponse(ctx, &apiclient.ListPaymentsParams{OrganizationId: &org.JSON201.Id})
	if err != nil || list.JSON200 == nil || list.JSON200.Data == nil || len(*list.JSON200.Data) != 1 || (*list.JSON200.Data)[0].Id != pay.JSON201.Id {
		t.Fatalf("list payments: %v %s", err, list.Body)
	}
	bad, err := c.RecordPaymentWithResponse(ctx, nil, apiclient.RecordPaymentJSONRequestBody{Amount: "1.001", Currency: "SGD", Method: "cash"})
	if err != nil || bad.ApplicationproblemJSON422 == nil || string(bad.ApplicationproblemJSON422.Code) != "validation_error" {
		t.Fatalf("a refusal is a typed problem: %v %d %s", err, bad.StatusCode(), bad.Body)
	}
}

// The served document passes Redocly's recommended rules (the engine of `redocly lint`) without
// an error. The engine is vendored in tools/openapi-lint and installed offline into a temporary
// directory; without node and npm the test fails when CI=true and is skipped otherwise.
func TestOpenAPI_RedoclyLintHasNoErrors(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed: CI must lint the OpenAPI document (scripts/test installs Debian's nodejs and npm)", tool)
			}
			t.Skipf("%s is not installed (apt-get install nodejs npm, or run scripts/test)", tool)
		}
	}
	s := newTestServer(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "tools", "openapi-lint"))); err != nil {
		t.Fatal(err)
	}
	install := exec.Command("npm", "ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--cache", filepath.Join(dir, ".npm-cache"))
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm ci: %v\n%s", err, out)
	}
	spec := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(spec, s.must(200, "GET", "/v1/openapi.json", nil).Body, 0o600); err != nil {
		t.Fatal(err)
	}
	lint := exec.Command("node", "lint.mjs", spec)
	lint.Dir = dir
	out, err := lint.CombinedOutput()
	if err != nil {
		t.Fatalf("the OpenAPI document has lint errors: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
