package finapp

import (
	"strings"

	"github.com/oklog/ulid/v2"
)

// ID prefixes, one per kind of entity, so that an id says what it names (SPEC §4).
const (
	PrefixOrganization  = "org_"
	PrefixInvoice       = "inv_"
	PrefixPayment       = "pay_"
	PrefixAllocation    = "alc_"
	PrefixTopUp         = "top_"
	PrefixJournal       = "jrn_"
	PrefixAudit         = "aud_"
	PrefixEvent         = "evt_"
	PrefixToken         = "tok_"
	PrefixWebhook       = "whe_"
	PrefixDelivery      = "whd_"
	PrefixAttempt       = "wha_"
	PrefixReminder      = "rem_"
	PrefixReservation   = "rsv_"
	PrefixWithdrawal    = "wd_"
	PrefixBankAccount   = "ba_"
	PrefixBankStatement = "bs_"
	PrefixBankLine      = "bl_"
	PrefixCSVTemplate   = "bct_"
	PrefixMatchingRule  = "mr_"
)

// NewID returns prefix followed by a lower-case ULID. ULIDs sort by creation time, so listing by
// id is listing by age and the id itself can serve as the pagination cursor.
func NewID(prefix string) string {
	return prefix + strings.ToLower(ulid.Make().String())
}

// CheckCursor returns an EInvalid error naming "cursor" unless cursor is "" or an id of the kind
// prefix names, as a list's next page cursor is: the last id of the page before. A list compares
// ids as strings, so anything else — another kind's id, an upper-case ULID, a stray value — would
// answer an arbitrary page instead of the next one.
func CheckCursor(cursor, prefix string) error {
	if cursor == "" {
		return nil
	}
	u, ok := strings.CutPrefix(cursor, prefix)
	if ok && len(u) == ulid.EncodedSize && u == strings.ToLower(u) {
		if _, err := ulid.ParseStrict(u); err == nil {
			return nil
		}
	}
	return Invalid("cursor", "is not a cursor of this list: pass the next_cursor of the page before (%s followed by 26 characters)", prefix)
}
