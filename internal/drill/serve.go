package drill

import (
	"context"
	"net/http/httptest"
	"testing"

	"finapp"
	"finapp/api"
	"finapp/auth"
	"finapp/sqlstore"
)

// Serve serves finapp's API over db on a loopback HTTP server for the rest of the test and returns
// its URL, a finance token and the service. When the test ends it stops the server, waits for the
// responses stored behind their commits (as `finapp serve` does) and only then closes db, which
// it owns from now on.
func Serve(t testing.TB, db *sqlstore.DB) (url, token string, svc *finapp.Service) {
	t.Helper()
	ctx := context.Background()
	au := auth.New(db.AuthStore())
	operator := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:drill", Role: finapp.RoleAdmin})
	token, _, err := au.CreateToken(operator, finapp.DefaultWorkspace, "drill", finapp.RoleFinance, nil)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	svc = finapp.NewService(db)
	handler := api.New(api.Deps{Service: svc, Auth: au, Idempotency: db, Ready: db.Ping})
	srv := httptest.NewServer(handler)
	t.Cleanup(func() {
		srv.Close()
		_ = handler.Drain(ctx)
		db.Close()
	})
	return srv.URL, token, svc
}
