package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"finapp/sqlite"
)

// newBackupCmd is `finapp backup --to FILE`: a consistent copy of the embedded SQLite database
// while the server runs (sqlite.Backup: VACUUM INTO one snapshot), with its size and SHA-256.
// PostgreSQL is backed up with its own tools (docs/operations.md, "Backups").
func newBackupCmd() *cobra.Command {
	var dsn, to string
	cmd := &cobra.Command{
		Use:   "backup --to FILE",
		Short: "Copy the SQLite database to FILE while the server runs, and print its size and SHA-256",
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, ok := sqlitePath(dsn)
			if !ok {
				return fmt.Errorf("finapp backup copies the embedded SQLite database; back PostgreSQL up with pg_dump or its PITR (docs/operations.md)")
			}
			if err := mustExist(dsn); err != nil {
				return err
			}
			if to == "" {
				return usageErrorf("--to FILE is required")
			}
			c, err := sqlite.Backup(cmd.Context(), path, to)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backed up to %s: %d bytes, sha256 %s\n", c.Path, c.Bytes, c.SHA256)
			return nil
		},
	}
	dbFlag(cmd, &dsn)
	cmd.Flags().StringVar(&to, "to", "", "the backup file to write (must not exist)")
	return cmd
}

// newRestoreCmd is `finapp restore FILE --db …`: the backup checked (integrity, a finapp schema
// this binary can open) and swapped in whole; a database with books is kept unless --force.
func newRestoreCmd() *cobra.Command {
	var dsn string
	var force bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the SQLite database with a backup (the server stopped); refuses a database with books unless --force",
		Args:  exactArgs("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, ok := sqlitePath(dsn)
			if !ok {
				return fmt.Errorf("finapp restore replaces the embedded SQLite database; restore PostgreSQL with pg_restore (docs/operations.md)")
			}
			c, err := sqlite.Restore(cmd.Context(), args[0], path, force)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored %s from %s: %d bytes, sha256 %s; run finapp verify --db %s\n", c.Path, args[0], c.Bytes, c.SHA256, dsn)
			return nil
		},
	}
	dbFlag(cmd, &dsn)
	cmd.Flags().BoolVar(&force, "force", false, "replace a database that holds books")
	return cmd
}
