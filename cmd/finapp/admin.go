package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"finapp"
	"finapp/api"
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
	cmd.AddCommand(newTokenCreateCmd(), newTokenListCmd(), newTokenRevokeCmd())
	return cmd
}

func newTokenListCmd() *cobra.Command {
	return newAuthListCmd("List a workspace's API tokens (never the tokens themselves)", (*auth.Auth).ListTokens,
		func(w io.Writer, tokens []*auth.Token, asJSON bool) error {
			out := make([]api.TokenInfo, len(tokens))
			for i, t := range tokens {
				out[i] = api.TokenInfoOf(t)
			}
			if asJSON {
				return writeJSON(w, out)
			}
			now := time.Now()
			t := newTable(w, "ID", "NAME", "ROLE", "STATUS", "CREATED", "EXPIRES")
			for i, tok := range out {
				status, expires := "live", "never"
				switch {
				case tok.RevokedAt != nil:
					status = "revoked " + day(*tok.RevokedAt)
				case !tokens[i].Live(now):
					status = "expired"
				}
				if tok.ExpiresAt != nil {
					expires = day(*tok.ExpiresAt)
				}
				t.row(tok.ID, tok.Name, tok.Role, status, day(tok.CreatedAt), expires)
			}
			return t.flush()
		})
}

// newAuthListCmd is the shape of every `finapp … list` of a workspace's administration: the
// records one of Auth's use cases lists, written as the API's JSON or as a table.
func newAuthListCmd[T any](short string, list func(*auth.Auth, context.Context, string) ([]T, error),
	write func(w io.Writer, items []T, asJSON bool) error) *cobra.Command {
	var dsn, ws string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: short,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, w, err := openWorkspace(cmd.Context(), dsn, ws)
			if err != nil {
				return err
			}
			defer db.Close()
			items, err := list(auth.New(db.AuthStore()), cmd.Context(), w.ID)
			if err != nil {
				return err
			}
			return write(cmd.OutOrStdout(), items, asJSON)
		},
	}
	dbFlag(cmd, &dsn)
	workspaceFlag(cmd, &ws)
	jsonFlag(cmd, &asJSON)
	return cmd
}

func newTokenRevokeCmd() *cobra.Command {
	var dsn, ws string
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "End an API token at once (ID as token list shows it)",
		Long: `End an API token at once. A server running elsewhere trusts a token it has just checked for
up to 2 seconds more.`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, w, err := openWorkspace(ctx, dsn, ws)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := auth.New(db.AuthStore()).RevokeToken(operator(ctx, w.ID), w.ID, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "token %s revoked in workspace %s\n", args[0], w.Name)
			return nil
		},
	}
	dbFlag(cmd, &dsn)
	workspaceFlag(cmd, &ws)
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
	cmd.AddCommand(create, newWorkspaceListCmd())
	return cmd
}

func newWorkspaceListCmd() *cobra.Command {
	var dsn string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every workspace",
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openDB(cmd.Context(), dsn)
			if err != nil {
				return err
			}
			defer db.Close()
			list, err := auth.New(db.AuthStore()).ListWorkspaces(cmd.Context())
			if err != nil {
				return err
			}
			type workspace struct {
				ID        string    `json:"id"`
				Name      string    `json:"name"`
				CreatedAt time.Time `json:"created_at"`
			}
			out := make([]workspace, len(list))
			for i, w := range list {
				out[i] = workspace{ID: w.ID, Name: w.Name, CreatedAt: w.CreatedAt}
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), out)
			}
			t := newTable(cmd.OutOrStdout(), "ID", "NAME", "CREATED")
			for _, w := range out {
				t.row(w.ID, w.Name, day(w.CreatedAt))
			}
			return t.flush()
		},
	}
	dbFlag(cmd, &dsn)
	jsonFlag(cmd, &asJSON)
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

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Check the audit trail"}
	var dsn, ws string
	var checkpoints []string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Recompute one workspace's audit hash chain and replay it over the books; exit 1 if broken",
		Long: `Recompute one workspace's audit hash chain and replay it over the books; exit 1 if broken.

--checkpoint CHAIN_NO:HASH (repeatable) also checks that the chain still holds a checkpoint that
serve published in its log ("audit checkpoint"): a chain cut short or rewritten since does not.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			parsed, err := parseCheckpoints(checkpoints)
			if err != nil {
				return &usageError{err: err}
			}
			return auditVerify(cmd.Context(), dsn, ws, parsed, cmd.OutOrStdout())
		},
	}
	dbFlag(verify, &dsn)
	workspaceFlag(verify, &ws)
	verify.Flags().StringArrayVar(&checkpoints, "checkpoint", nil, "a published checkpoint CHAIN_NO:HASH the chain must still hold")
	cmd.AddCommand(verify)
	return cmd
}

// parseCheckpoints reads --checkpoint values, CHAIN_NO:HASH.
func parseCheckpoints(values []string) ([]finapp.Checkpoint, error) {
	out := make([]finapp.Checkpoint, 0, len(values))
	for _, v := range values {
		no, hash, ok := strings.Cut(v, ":")
		n, err := strconv.ParseInt(no, 10, 64)
		if !ok || err != nil || n < 1 || len(hash) != 64 {
			return nil, fmt.Errorf("--checkpoint %q: want CHAIN_NO:HASH, a position from 1 and a 64-digit hex hash", v)
		}
		out = append(out, finapp.Checkpoint{ChainNo: n, Hash: hash})
	}
	return out, nil
}

func auditVerify(ctx context.Context, dsn, ws string, checkpoints []finapp.Checkpoint, stdout io.Writer) error {
	db, w, err := openWorkspace(ctx, dsn, ws)
	if err != nil {
		return err
	}
	defer db.Close()
	actor := finapp.Actor{WorkspaceID: w.ID, Name: "cli:audit-verify", Role: finapp.RoleViewer}
	v, err := finapp.NewService(db).VerifyAudit(finapp.WithActor(ctx, actor), checkpoints...)
	if err != nil {
		return err
	}
	if v.Break != nil {
		e := v.Break.Event
		fmt.Fprintf(stdout, "BROKEN at event %d of %d: %s (%s %s %s at %s): %s\n", v.Break.Index+1, v.Events, e.ID, e.Action, e.Entity, e.EntityID,
			e.At.Format(time.RFC3339), v.Break.Reason)
		return errors.New("the audit chain is broken")
	}
	if len(v.Checkpoints) > 0 {
		for _, c := range v.Checkpoints {
			fmt.Fprintf(stdout, "checkpoint %d:%s does not hold: %s\n", c.ChainNo, c.Hash, c.Reason)
		}
		return errors.New("the audit chain no longer holds a published checkpoint")
	}
	fmt.Fprintf(stdout, "audit chain of workspace %s intact: %d events\n", w.Name, v.Events)
	printSealWarnings(stdout, "", v)
	return replayReport(finapp.WithActor(ctx, actor), finapp.NewService(db), stdout)
}
