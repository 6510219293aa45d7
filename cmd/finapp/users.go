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

	"finapp/api"
	"finapp/auth"
)

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage the users who log in to the web UI"}
	cmd.AddCommand(newUserCreateCmd(), newUserListCmd(),
		newUserChangeCmd("disable", "Stop a user from logging in and end their sessions", (*auth.Auth).DisableUser, "disabled"),
		newUserChangeCmd("enable", "Let a disabled user log in again", (*auth.Auth).EnableUser, "enabled"),
		newUserResetPasswordCmd())
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
	passwordStdinFlag(cmd, &fromStdin)
	return cmd
}

func passwordStdinFlag(cmd *cobra.Command, fromStdin *bool) {
	cmd.Flags().BoolVar(fromStdin, "password-stdin", false, "read the password from the first line of standard input instead of generating one")
}

// newPassword is the password a command sets: the first line of stdin, or a generated one
// (generated true), which the command prints once.
func newPassword(fromStdin bool, stdin io.Reader) (password string, generated bool, err error) {
	if !fromStdin {
		return generatePassword(), true, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

func userCreate(ctx context.Context, dsn, ws, role, email string, fromStdin bool, stdin io.Reader, stdout io.Writer) error {
	password, generated, err := newPassword(fromStdin, stdin)
	if err != nil {
		return err
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

func newUserListCmd() *cobra.Command {
	return newAuthListCmd("List a workspace's users (never their passwords)", (*auth.Auth).ListUsers,
		func(w io.Writer, users []*auth.User, asJSON bool) error {
			out := make([]api.UserInfo, len(users))
			for i, u := range users {
				out[i] = api.UserInfoOf(u)
			}
			if asJSON {
				return writeJSON(w, out)
			}
			t := newTable(w, "EMAIL", "ROLE", "STATUS", "CREATED", "ID")
			for _, u := range out {
				status := "active"
				if u.DisabledAt != nil {
					status = "disabled " + day(*u.DisabledAt)
				}
				t.row(u.Email, u.Role, status, day(u.CreatedAt), u.ID)
			}
			return t.flush()
		})
}

// newUserChangeCmd is `finapp user disable|enable EMAIL`: change, one of Auth's use cases on a
// user, the same the web UI and the API call.
func newUserChangeCmd(name, short string, change func(*auth.Auth, context.Context, string, string) error, done string) *cobra.Command {
	var dsn, ws string
	cmd := &cobra.Command{
		Use:   name + " EMAIL",
		Short: short,
		Args:  exactArgs("EMAIL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, w, err := openWorkspace(ctx, dsn, ws)
			if err != nil {
				return err
			}
			defer db.Close()
			au := auth.New(db.AuthStore())
			u, err := au.UserByEmail(ctx, w.ID, args[0])
			if err != nil {
				return err
			}
			if err := change(au, operator(ctx, w.ID), w.ID, u.ID); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "user %s %s in workspace %s\n", u.Email, done, w.Name)
			return nil
		},
	}
	dbFlag(cmd, &dsn)
	workspaceFlag(cmd, &ws)
	return cmd
}

func newUserResetPasswordCmd() *cobra.Command {
	var dsn, ws string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "reset-password EMAIL",
		Short: "Give a user a new password and end their sessions; a generated one is printed once",
		Args:  exactArgs("EMAIL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			password, generated, err := newPassword(fromStdin, cmd.InOrStdin())
			if err != nil {
				return err
			}
			db, w, err := openWorkspace(ctx, dsn, ws)
			if err != nil {
				return err
			}
			defer db.Close()
			au := auth.New(db.AuthStore())
			u, err := au.UserByEmail(ctx, w.ID, args[0])
			if err != nil {
				return err
			}
			if err := au.SetPassword(operator(ctx, w.ID), w.ID, u.ID, password); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "password of user %s in workspace %s reset; their sessions are ended\n", u.Email, w.Name)
			if generated {
				fmt.Fprintf(out, "password (shown only now): %s\n", password)
			}
			return nil
		},
	}
	dbFlag(cmd, &dsn)
	workspaceFlag(cmd, &ws)
	passwordStdinFlag(cmd, &fromStdin)
	return cmd
}

// day is a moment as the lists show it: the UTC date and minute ("-" for none: the default
// workspace, made by a migration, has no creation time).
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// generatePassword returns 24 random base32 characters (120 bits).
func generatePassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
