package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"finapp"
	"finapp/auth"
	"finapp/sqlstore"
)

// workspaceFlag adds --workspace (an id or a name) to cmd.
func workspaceFlag(cmd *cobra.Command, ws *string) {
	cmd.Flags().StringVar(ws, "workspace", finapp.DefaultWorkspace, "workspace id or name")
}

// operator is the context of the operator's command line acting on a workspace: an admin named
// "cli" in the audit trail. Auth refuses a caller that names no actor, so every command says who
// it is.
func operator(ctx context.Context, workspaceID string) context.Context {
	return finapp.WithActor(ctx, finapp.Actor{WorkspaceID: workspaceID, Name: "cli", Role: finapp.RoleAdmin})
}

// openWorkspace opens the database and finds the workspace a --workspace value names; the caller
// closes the database.
func openWorkspace(ctx context.Context, dsn, ws string) (*sqlstore.DB, *auth.Workspace, error) {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	w, err := auth.New(db.AuthStore()).Workspace(ctx, ws)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, w, nil
}

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	cmd.AddCommand(newTokenCreateCmd())
	return cmd
}

func newTokenCreateCmd() *cobra.Command {
	var dsn, ws, role, name string
	var expires time.Duration
	cmd := &cobra.Command{
		Use:   "create --role admin|finance|viewer",
		Short: "Print a new API token and nothing else",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return tokenCreate(cmd.Context(), dsn, ws, role, name, expires, cmd.OutOrStdout())
		},
	}
	dbFlag(cmd, &dsn)
	workspaceFlag(cmd, &ws)
	cmd.Flags().StringVar(&role, "role", "", "admin, finance or viewer")
	cmd.Flags().StringVar(&name, "name", "", "a name for the token, shown in the audit trail (default: the role)")
	cmd.Flags().DurationVar(&expires, "expires", 0, "lifetime, e.g. 720h (default: until revoked)")
	return cmd
}

func tokenCreate(ctx context.Context, dsn, ws, role, name string, expires time.Duration, stdout io.Writer) error {
	if !finapp.ValidRole(role) {
		return errors.New("--role must be admin, finance or viewer")
	}
	db, w, err := openWorkspace(ctx, dsn, ws)
	if err != nil {
		return err
	}
	defer db.Close()
	au := auth.New(db.AuthStore())
	var until *time.Time
	if expires > 0 {
		t := time.Now().Add(expires).UTC()
		until = &t
	}
	secret, _, err := au.CreateToken(operator(ctx, w.ID), w.ID, name, role, until)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

func newWorkspaceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "workspace", Short: "Manage workspaces (a partner's separate books)"}
	var dsn string
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Add a partner's books; prints its id",
		Args:  exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return workspaceCreate(cmd.Context(), dsn, args[0], cmd.OutOrStdout())
		},
	}
	dbFlag(create, &dsn)
	cmd.AddCommand(create)
	return cmd
}

func workspaceCreate(ctx context.Context, dsn, name string, stdout io.Writer) error {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	w, err := auth.New(db.AuthStore()).CreateWorkspace(operator(ctx, ""), name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, w.ID)
	return nil
}

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage the users who log in to the web UI"}
	cmd.AddCommand(newUserCreateCmd())
	return cmd
}

func newUserCreateCmd() *cobra.Command {
	var dsn, ws, role, email string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "create --role R --email E",
		Short: "Add a user; without --password-stdin a password is generated and printed once",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return userCreate(cmd.Context(), dsn, ws, role, email, fromStdin, cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
	dbFlag(cmd, &dsn)
	workspaceFlag(cmd, &ws)
	cmd.Flags().StringVar(&role, "role", "", "admin, finance or viewer")
	cmd.Flags().StringVar(&email, "email", "", "the user's email, their login name")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

func userCreate(ctx context.Context, dsn, ws, role, email string, fromStdin bool, stdin io.Reader, stdout io.Writer) error {
	password, generated := "", false
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password, generated = generatePassword(), true
	}
	db, w, err := openWorkspace(ctx, dsn, ws)
	if err != nil {
		return err
	}
	defer db.Close()
	au := auth.New(db.AuthStore())
	u, err := au.CreateUser(operator(ctx, w.ID), w.ID, email, role, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s (%s) created in workspace %s\n", u.Email, u.Role, w.Name)
	if generated {
		fmt.Fprintf(stdout, "password (shown only now): %s\n", password)
	}
	return nil
}

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Check the audit trail"}
	var dsn, ws string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Recompute one workspace's audit hash chain and replay it over the books; exit 1 if broken",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return auditVerify(cmd.Context(), dsn, ws, cmd.OutOrStdout())
		},
	}
	dbFlag(verify, &dsn)
	workspaceFlag(verify, &ws)
	cmd.AddCommand(verify)
	return cmd
}

func auditVerify(ctx context.Context, dsn, ws string, stdout io.Writer) error {
	db, w, err := openWorkspace(ctx, dsn, ws)
	if err != nil {
		return err
	}
	defer db.Close()
	actor := finapp.Actor{WorkspaceID: w.ID, Name: "cli:audit-verify", Role: finapp.RoleViewer}
	v, err := finapp.NewService(db).VerifyAudit(finapp.WithActor(ctx, actor))
	if err != nil {
		return err
	}
	if v.Break != nil {
		e := v.Break.Event
		fmt.Fprintf(stdout, "BROKEN at event %d of %d: %s (%s %s %s at %s): %s\n", v.Break.Index+1, v.Events, e.ID, e.Action, e.Entity, e.EntityID,
			e.At.Format(time.RFC3339), v.Break.Reason)
		return errors.New("the audit chain is broken")
	}
	fmt.Fprintf(stdout, "audit chain of workspace %s intact: %d events\n", w.Name, v.Events)
	return replayReport(finapp.WithActor(ctx, actor), finapp.NewService(db), stdout)
}

// generatePassword returns 24 random base32 characters (120 bits).
func generatePassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
