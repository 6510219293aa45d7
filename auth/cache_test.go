package auth_test

import (
	"context"
	"testing"
	"time"

	"finapp"
	"finapp/auth"
	"finapp/internal/testdb"
)

// A token revoked through the server that serves it is refused on its very next use, even though
// that server has just authenticated it and keeps it for a moment.
func TestAuthenticate_RevokedTokenIsRefusedAtOnce(t *testing.T) {
	db := testdb.Open(t)
	a := auth.New(db.AuthStore())
	ctx := context.Background()
	admin := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "token:admin", Role: finapp.RoleAdmin})
	secret, tok, err := a.CreateToken(admin, finapp.DefaultWorkspace, "script", finapp.RoleFinance, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, secret, "127.0.0.1"); err != nil {
		t.Fatalf("a fresh token: %v", err)
	}
	if err := a.RevokeToken(admin, finapp.DefaultWorkspace, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, secret, "127.0.0.1"); finapp.ErrorCode(err) != finapp.EUnauthorized {
		t.Fatalf("the revoked token: %v, want unauthorized", err)
	}
}

// A token revoked by another process (the CLI, another server) stops working here within the
// documented two seconds.
func TestAuthenticate_TokenRevokedElsewhereStopsWithinTheCacheTime(t *testing.T) {
	db := testdb.Open(t)
	server, elsewhere := auth.New(db.AuthStore()), auth.New(db.AuthStore())
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	server.Now = func() time.Time { return now }
	ctx := context.Background()
	admin := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "token:admin", Role: finapp.RoleAdmin})
	secret, tok, err := elsewhere.CreateToken(admin, finapp.DefaultWorkspace, "script", finapp.RoleFinance, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.Authenticate(ctx, secret, ""); err != nil {
		t.Fatal(err)
	}
	if err := elsewhere.RevokeToken(admin, finapp.DefaultWorkspace, tok.ID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2*time.Second + time.Millisecond)
	if _, err := server.Authenticate(ctx, secret, ""); finapp.ErrorCode(err) != finapp.EUnauthorized {
		t.Fatalf("2 s after it was revoked elsewhere: %v, want unauthorized", err)
	}
}
