package auth_test

import (
	"context"
	"errors"
	"testing"

	"finapp"
	"finapp/auth"
	"finapp/internal/testdb"
	"finapp/sqlstore"
)

// auditFails is a store whose audit appends fail: what a full disk or a lost connection does at
// the last statement of a change.
type auditFails struct{ auth.Store }

func (s auditFails) Update(ctx context.Context, ws string, fn func(auth.Tx) error) error {
	return s.Store.Update(ctx, ws, func(tx auth.Tx) error { return fn(auditFailsTx{tx}) })
}

type auditFailsTx struct{ auth.Tx }

var errAuditAppend = errors.New("audit append failed")

func (auditFailsTx) AppendAudits(context.Context, []*finapp.AuditEvent) error { return errAuditAppend }

// auditEvents counts a workspace's audit events and checks that its chain holds.
func auditEvents(t *testing.T, db *sqlstore.DB, ws string) int {
	t.Helper()
	ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: ws, Name: "test", Role: finapp.RoleViewer})
	v, err := finapp.NewService(db).VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Break != nil {
		t.Fatalf("audit chain broken: %+v", v.Break)
	}
	return v.Events
}

// A user, token or session change and its audit event are one transaction: when the audit event
// cannot be written, the change is not written either (and the other way round, a change that
// fails leaves no audit event).
func TestAuthChanges_AreWrittenWithTheirAuditEventOrNotAtAll(t *testing.T) {
	db := testdb.Open(t)
	ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:admin", Role: finapp.RoleAdmin})
	good := auth.New(db.AuthStore())
	broken := auth.New(auditFails{db.AuthStore()})
	ws := finapp.DefaultWorkspace

	if _, err := broken.CreateUser(ctx, ws, "ana@example.com", finapp.RoleFinance, "a long enough passphrase"); !errors.Is(err, errAuditAppend) {
		t.Fatalf("creating a user while the audit append fails: %v", err)
	}
	if users, _ := good.ListUsers(ctx, ws); len(users) != 0 {
		t.Fatalf("the user was created without its audit event: %+v", users[0])
	}
	if _, _, err := broken.CreateToken(ctx, ws, "script", finapp.RoleFinance, nil); !errors.Is(err, errAuditAppend) {
		t.Fatalf("creating a token while the audit append fails: %v", err)
	}
	if tokens, _ := good.ListTokens(ctx, ws); len(tokens) != 0 {
		t.Fatalf("the token was created without its audit event: %+v", tokens[0])
	}
	if n := auditEvents(t, db, ws); n != 0 {
		t.Fatalf("%d audit events after two failed changes", n)
	}

	// The same changes through a working store: each with exactly one event.
	u, err := good.CreateUser(ctx, ws, "ana@example.com", finapp.RoleFinance, "a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := good.CreateToken(ctx, ws, "script", finapp.RoleFinance, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := auditEvents(t, db, ws); n != 2 {
		t.Fatalf("%d audit events after two changes, want 2", n)
	}

	if err := broken.DisableUser(ctx, ws, u.ID); !errors.Is(err, errAuditAppend) {
		t.Fatalf("disabling a user while the audit append fails: %v", err)
	}
	if got, _ := good.Store.User(ctx, ws, u.ID); got.DisabledAt != nil {
		t.Fatal("the user was disabled without its audit event")
	}
	if err := broken.RevokeToken(ctx, ws, tok.ID); !errors.Is(err, errAuditAppend) {
		t.Fatalf("revoking a token while the audit append fails: %v", err)
	}
	if tokens, _ := good.ListTokens(ctx, ws); len(tokens) != 1 || tokens[0].RevokedAt != nil {
		t.Fatalf("the token was revoked without its audit event: %+v", tokens)
	}
	if _, _, err := broken.Login(context.Background(), "ana@example.com", "a long enough passphrase", "192.0.2.1"); !errors.Is(err, errAuditAppend) {
		t.Fatalf("logging in while the audit append fails: %v", err)
	}
	if n := auditEvents(t, db, ws); n != 2 {
		t.Fatalf("%d audit events after failed changes, want still 2", n)
	}

	// A change that fails writes no event: a taken email.
	if _, err := good.CreateUser(ctx, ws, "ana@example.com", finapp.RoleViewer, "another long passphrase"); finapp.ErrorCode(err) != finapp.EDuplicate {
		t.Fatalf("a taken email: %v, want duplicate", err)
	}
	if n := auditEvents(t, db, ws); n != 2 {
		t.Fatalf("%d audit events after a refused change, want still 2", n)
	}
	// And the login that could not write its session's event started no session: the same
	// password works now, with its event.
	secret, _, err := good.Login(context.Background(), "ana@example.com", "a long enough passphrase", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := good.SessionActor(context.Background(), secret, ""); err != nil {
		t.Fatal(err)
	}
	if n := auditEvents(t, db, ws); n != 3 {
		t.Fatalf("%d audit events after a login, want 3", n)
	}
}
