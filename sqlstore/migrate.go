package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/pressly/goose/v3"
)

// ErrSchemaNewer is returned when a database was migrated by a newer finapp than this one.
var ErrSchemaNewer = errors.New("the database's schema is newer than this finapp")

// Migrate brings a database's schema up to date with p's migrations. A database whose schema is
// newer than the newest migration this binary carries is refused before anything runs: an older
// finapp would read rows through columns and rules it does not know, and write rows that break
// the newer rules (a rolled-back deploy must run the newer binary again, or restore a backup).
func Migrate(ctx context.Context, p *goose.Provider) error {
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	sources := p.ListSources()
	if len(sources) > 0 {
		if newest := sources[len(sources)-1].Version; current > newest {
			return fmt.Errorf("%w: it is at version %d, this finapp knows versions up to %d; run the finapp that migrated it, or a newer one",
				ErrSchemaNewer, current, newest)
		}
	}
	_, err = p.Up(ctx)
	return err
}
