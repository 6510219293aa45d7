package sqlstore

// Every sum of money in SQL is exact on both engines and cannot overflow (docs/ledger.md, "No
// sum overflows"). A plain SUM(amount) cannot promise that: SQLite's SUM over integers fails with
// "integer overflow" past 2^63, and PostgreSQL's SUM(bigint) is a numeric that no longer scans
// into an int64. With amounts bounded by money.MaxAmount, about 92,300 payments of the largest
// amount are enough for either.
//
// So each query sums every amount in two parts, with one SQL text for both engines:
//
//	CAST(SUM(amount / 4294967296) AS BIGINT), CAST(SUM(amount % 4294967296) AS BIGINT)
//
// Both engines divide integers toward zero and give the remainder the dividend's sign, so
// amount = (amount / 2^32)·2^32 + amount % 2^32 on both, for negative journal lines too. The high
// part of one amount is at most 10^14 / 2^32 < 2^15 and the low part below 2^32 in size, so
// neither part's sum can leave an int64 before 2^31 rows (or 2^48 for the high parts) — more
// rows than a workspace can hold. money.SumParts puts the two back together in 128 bits.
//
// What stays a plain SUM is bounded by a rule, and its comment says which.
