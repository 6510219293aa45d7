package sqlstore

// HeadReads is how many times the writer has read an audit chain head or an outbox sequence
// from the database instead of knowing it (heads.go).
func (db *DB) HeadReads() uint64 {
	if db.group == nil || db.group.heads == nil {
		return 0
	}
	return db.group.heads.reads.Load()
}
