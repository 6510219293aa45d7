package sqlstore

// The report queries, for the test that checks which indexes SQLite reads them from.
var (
	AgingOpenNow      = agingOpenNow
	AgingChangedSince = agingChangedSince[false] // SQLite's form
)
