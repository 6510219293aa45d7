package sqlstore

import "time"

// SetSearchUpkeepIdle sets how long db's writer waits, idle, before each step of merging the
// search indexes (searchupkeep.go).
func (db *DB) SetSearchUpkeepIdle(d time.Duration) {
	if db.group != nil && db.group.upkeep != nil {
		db.group.upkeep.idle.Store(int64(d))
	}
}
