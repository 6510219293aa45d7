package finapp

import (
	"strings"

	"github.com/oklog/ulid/v2"
)

// ID prefixes, one per kind of entity, so that an id says what it names (SPEC §4).
const (
	PrefixOrganization = "org_"
	PrefixInvoice      = "inv_"
	PrefixPayment      = "pay_"
	PrefixAllocation   = "alc_"
	PrefixTopUp        = "top_"
	PrefixJournal      = "jrn_"
	PrefixAudit        = "aud_"
	PrefixEvent        = "evt_"
	PrefixToken        = "tok_"
)

// NewID returns prefix followed by a lower-case ULID. ULIDs sort by creation time, so listing by
// id is listing by age and the id itself can serve as the pagination cursor.
func NewID(prefix string) string {
	return prefix + strings.ToLower(ulid.Make().String())
}
