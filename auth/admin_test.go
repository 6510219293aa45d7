package auth_test

import (
	"context"
	"testing"
	"time"

	"finapp"
	"finapp/auth"
	"finapp/internal/testdb"
)

// Only an admin of the workspace may manage its users and tokens, whatever adapter calls Auth;
// a caller that names no actor at all (the command line included) is refused; disabling twice
// keeps the first date.
func TestAuthAdministration_RefusesNonAdminsAndCallersWithoutActor(t *testing.T) {
	a := auth.New(testdb.SQLite(t).AuthStore())
	bg := context.Background()
	admin := finapp.WithActor(bg, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "boss", Role: finapp.RoleAdmin})
	u, err := a.CreateUser(admin, finapp.DefaultWorkspace, "ops@example.com", finapp.RoleFinance, "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	other, err := a.CreateWorkspace(admin, "Partner B")
	if err != nil {
		t.Fatal(err)
	}
	callers := map[string]context.Context{
		"no actor":                   bg,
		"finance":                    finapp.WithActor(bg, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "x", Role: finapp.RoleFinance}),
		"viewer":                     finapp.WithActor(bg, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "x", Role: finapp.RoleViewer}),
		"admin of another workspace": finapp.WithActor(bg, finapp.Actor{WorkspaceID: other.ID, Name: "x", Role: finapp.RoleAdmin}),
	}
	for who, ctx := range callers {
		if _, err := a.CreateUser(ctx, finapp.DefaultWorkspace, "new@example.com", finapp.RoleAdmin, "a long passphrase"); finapp.ErrorCode(err) != finapp.EForbidden {
			t.Errorf("%s creating a user: %v, want forbidden", who, err)
		}
		if _, _, err := a.CreateToken(ctx, finapp.DefaultWorkspace, "t", finapp.RoleAdmin, nil); finapp.ErrorCode(err) != finapp.EForbidden {
			t.Errorf("%s creating a token: %v, want forbidden", who, err)
		}
		if err := a.DisableUser(ctx, finapp.DefaultWorkspace, u.ID); finapp.ErrorCode(err) != finapp.EForbidden {
			t.Errorf("%s disabling a user: %v, want forbidden", who, err)
		}
		if err := a.EnableUser(ctx, finapp.DefaultWorkspace, u.ID); finapp.ErrorCode(err) != finapp.EForbidden {
			t.Errorf("%s enabling a user: %v, want forbidden", who, err)
		}
		if err := a.SetPassword(ctx, finapp.DefaultWorkspace, u.ID, "another long passphrase"); finapp.ErrorCode(err) != finapp.EForbidden {
			t.Errorf("%s setting a password: %v, want forbidden", who, err)
		}
		if err := a.RevokeToken(ctx, finapp.DefaultWorkspace, "tok_x"); finapp.ErrorCode(err) != finapp.EForbidden {
			t.Errorf("%s revoking a token: %v, want forbidden", who, err)
		}
	}
	if _, err := a.CreateWorkspace(bg, "Partner C"); finapp.ErrorCode(err) != finapp.EForbidden {
		t.Errorf("creating a workspace without an actor: %v, want forbidden", err)
	}
	if users, _ := a.ListUsers(bg, finapp.DefaultWorkspace); len(users) != 1 {
		t.Fatalf("%d users after the refusals, want 1", len(users))
	}
	if err := a.DisableUser(admin, finapp.DefaultWorkspace, u.ID); err != nil {
		t.Fatal(err)
	}
	first, _ := a.Store.User(bg, finapp.DefaultWorkspace, u.ID)
	a.Now = func() time.Time { return first.DisabledAt.Add(time.Hour) }
	if err := a.DisableUser(admin, finapp.DefaultWorkspace, u.ID); err != nil {
		t.Fatal(err)
	}
	again, _ := a.Store.User(bg, finapp.DefaultWorkspace, u.ID)
	if !again.DisabledAt.Equal(*first.DisabledAt) {
		t.Fatalf("disabling again moved the date from %v to %v", first.DisabledAt, again.DisabledAt)
	}
}
