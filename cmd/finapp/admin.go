package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"finapp"
	"finapp/auth"
	"finapp/sqlstore"
)

// workspaceFlag adds --workspace (an id or a name) to a command's flags.
func workspaceFlag(fs *flag.FlagSet) *string {
	return fs.String("workspace", finapp.DefaultWorkspace, "workspace id or name")
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

func tokenCreate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	dsn := dbFlag(fs)
	ws := workspaceFlag(fs)
	role := fs.String("role", "", "admin, finance or viewer")
	name := fs.String("name", "", "a name for the token, shown in the audit trail (default: the role)")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h (default: until revoked)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !finapp.ValidRole(*role) {
		return errors.New("--role must be admin, finance or viewer")
	}
	db, w, err := openWorkspace(ctx, *dsn, *ws)
	if err != nil {
		return err
	}
	defer db.Close()
	au := auth.New(db.AuthStore())
	var until *time.Time
	if *expires > 0 {
		t := time.Now().Add(*expires).UTC()
		until = &t
	}
	secret, _, err := au.CreateToken(operator(ctx, w.ID), w.ID, *name, *role, until)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

func workspaceCreate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("workspace create", flag.ContinueOnError)
	dsn := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: finapp workspace create NAME")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	w, err := auth.New(db.AuthStore()).CreateWorkspace(operator(ctx, ""), fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, w.ID)
	return nil
}

func userCreate(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	dsn := dbFlag(fs)
	ws := workspaceFlag(fs)
	role := fs.String("role", "", "admin, finance or viewer")
	email := fs.String("email", "", "the user's email, their login name")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	password, generated := "", false
	if *fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password, generated = generatePassword(), true
	}
	db, w, err := openWorkspace(ctx, *dsn, *ws)
	if err != nil {
		return err
	}
	defer db.Close()
	au := auth.New(db.AuthStore())
	u, err := au.CreateUser(operator(ctx, w.ID), w.ID, *email, *role, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s (%s) created in workspace %s\n", u.Email, u.Role, w.Name)
	if generated {
		fmt.Fprintf(stdout, "password (shown only now): %s\n", password)
	}
	return nil
}

func auditVerify(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	dsn := dbFlag(fs)
	ws := workspaceFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, w, err := openWorkspace(ctx, *dsn, *ws)
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
