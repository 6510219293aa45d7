package finapp_test

import (
	"context"
	"testing"
	"time"

	"finapp"
	"finapp/internal/testdb"
)

// Only an admin (or the operator's command line, which has no actor) may manage users and
// tokens, whatever adapter calls Auth; disabling twice keeps the first date.
func TestAuthAdministration_RefusesNonAdminsAndDisablesOnce(t *testing.T) {
	auth := finapp.NewAuth(testdb.SQLite(t))
	cli := context.Background()
	u, err := auth.CreateUser(cli, finapp.DefaultWorkspace, "ops@example.com", finapp.RoleFinance, "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{finapp.RoleFinance, finapp.RoleViewer} {
		ctx := finapp.WithActor(cli, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "x", Role: role})
		if _, err := auth.CreateUser(ctx, finapp.DefaultWorkspace, role+"@example.com", finapp.RoleAdmin, "a long passphrase"); finapp.ErrorCode(err) != finapp.EForbidden {
			t.Errorf("%s creating a user: %v, want forbidden", role, err)
		}
		if _, _, err := auth.CreateToken(ctx, finapp.DefaultWorkspace, "t", finapp.RoleAdmin, nil); finapp.ErrorCode(err) != finapp.EForbidden {
			t.Errorf("%s creating a token: %v, want forbidden", role, err)
		}
		if err := auth.DisableUser(ctx, finapp.DefaultWorkspace, u.ID); finapp.ErrorCode(err) != finapp.EForbidden {
			t.Errorf("%s disabling a user: %v, want forbidden", role, err)
		}
	}
	admin := finapp.WithActor(cli, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "boss", Role: finapp.RoleAdmin})
	if err := auth.DisableUser(admin, finapp.DefaultWorkspace, u.ID); err != nil {
		t.Fatal(err)
	}
	first, _ := auth.Store.User(cli, finapp.DefaultWorkspace, u.ID)
	auth.Now = func() time.Time { return first.DisabledAt.Add(time.Hour) }
	if err := auth.DisableUser(admin, finapp.DefaultWorkspace, u.ID); err != nil {
		t.Fatal(err)
	}
	again, _ := auth.Store.User(cli, finapp.DefaultWorkspace, u.ID)
	if !again.DisabledAt.Equal(*first.DisabledAt) {
		t.Fatalf("disabling again moved the date from %v to %v", first.DisabledAt, again.DisabledAt)
	}
}
