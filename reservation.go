package finapp

import (
	"context"
	"maps"
	"slices"
	"time"

	"finapp/money"
)

// Reservation statuses. An open reservation past its expiry is expired whether or not the sweeper
// has marked it yet: it holds no credit from that instant.
const (
	ReservationOpen     = "open"
	ReservationCaptured = "captured"
	ReservationReleased = "released"
	ReservationExpired  = "expired"
)

// Reservation holds part of a customer's usable credit for a chargeable call or message until it
// is captured (charged), released or expires (SPEC §6.3).
type Reservation struct {
	ID             string
	OrganizationID string
	Currency       money.Currency
	Amount         money.Amount // held while open
	Captured       money.Amount // charged when captured
	Status         string       // as stored; StatusAt says what it is at an instant
	Reference      string       // the rating engine's id of the call or session
	ExpiresAt      time.Time
	CreatedAt      time.Time
	ClosedAt       *time.Time
	Version        int
}

// StatusAt is the reservation's status at now: an open one past its expiry is expired.
func (r *Reservation) StatusAt(now time.Time) string {
	if r.Status == ReservationOpen && !now.Before(r.ExpiresAt) {
		return ReservationExpired
	}
	return r.Status
}

// Reservation expiry bounds, in seconds.
const (
	DefaultReservationSeconds = 3600
	MaxReservationSeconds     = 30 * 24 * 3600
)

// ReservationCreate is POST /v1/organizations/{id}/reservations as received.
type ReservationCreate struct {
	Amount    string
	Currency  string
	Reference string
	ExpiresIn int // seconds; 0 for DefaultReservationSeconds
}

func (in ReservationCreate) check(now time.Time) (*Reservation, error) {
	cur, err := money.ParseCurrency(in.Currency)
	if err != nil {
		return nil, Invalid("currency", "%v", err)
	}
	amt, err := money.Parse(in.Amount, cur)
	if err != nil {
		return nil, Invalid("amount", "%v", err)
	}
	ref, err := text("reference", in.Reference, 200)
	if err != nil {
		return nil, err
	}
	secs := in.ExpiresIn
	if secs == 0 {
		secs = DefaultReservationSeconds
	}
	if secs < 1 || secs > MaxReservationSeconds {
		return nil, Invalid("expires_in", "must be between 1 and %d seconds (30 days)", MaxReservationSeconds)
	}
	return &Reservation{Currency: cur, Amount: amt, Reference: ref, Status: ReservationOpen,
		ExpiresAt: now.Add(time.Duration(secs) * time.Second), CreatedAt: now, Version: 1}, nil
}

// CreditFigure is a customer's credit in one currency (SPEC §6.3): Usable = Balance − Reserved +
// CreditLimit, what a new reservation or withdrawal may take.
type CreditFigure struct {
	Currency    money.Currency
	Balance     money.Sum // the credit:<org> account
	Reserved    money.Sum // open reservations not yet expired
	CreditLimit money.Amount
	Usable      money.Sum
}

// creditFigures combines a customer's balances, reservations and limits, by currency code.
func creditFigures(balance, reserved map[money.Currency]money.Sum, limits map[money.Currency]money.Amount) []CreditFigure {
	currencies := map[money.Currency]bool{}
	for _, m := range []map[money.Currency]money.Sum{balance, reserved} {
		for c := range maps.Keys(m) {
			currencies[c] = true
		}
	}
	for c := range maps.Keys(limits) {
		currencies[c] = true
	}
	out := make([]CreditFigure, 0, len(currencies))
	for _, c := range slices.Sorted(maps.Keys(currencies)) {
		f := CreditFigure{Currency: c, Balance: balance[c], Reserved: reserved[c], CreditLimit: limits[c]}
		f.Usable = f.Balance.Sub(f.Reserved).Add(f.CreditLimit)
		out = append(out, f)
	}
	return out
}

// creditFigureIn is the figure of currency c among figures (all zero when absent).
func creditFigureIn(figures []CreditFigure, c money.Currency) CreditFigure {
	for _, f := range figures {
		if f.Currency == c {
			return f
		}
	}
	return CreditFigure{Currency: c}
}

// loadCredit reads a customer's credit figures inside a transaction (ENotFound for no such
// customer). In a write transaction the customer's credit is locked first (LockCredit), so that
// what is decided on them holds until commit on every engine.
func loadCredit(ctx context.Context, tx Tx, orgID string, now time.Time) ([]CreditFigure, error) {
	if err := tx.LockCredit(ctx, orgID); err != nil {
		return nil, err
	}
	credit, err := tx.CreditBalance(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for c, b := range credit {
		credit[c] = b.Neg() // a credit balance, shown positive
	}
	reserved, limits, err := tx.CreditHeld(ctx, []string{orgID}, now)
	if err != nil {
		return nil, err
	}
	return creditFigures(credit, reserved[orgID], limits[orgID]), nil
}

// Credit returns a customer's credit figures, one per currency it has credit, reservations or a
// credit limit in. Errors: ENotFound.
func (s *Service) Credit(ctx context.Context, orgID string) (figures []CreditFigure, err error) {
	now := s.Now().UTC()
	err = s.read(ctx, func(tx Tx) error {
		figures, err = loadCredit(ctx, tx, orgID, now)
		return err
	})
	return figures, err
}

// reservationSnapshot is a reservation as the audit trail and the events show it.
func reservationSnapshot(r *Reservation, now time.Time) map[string]any {
	return map[string]any{"id": r.ID, "organization_id": r.OrganizationID, "currency": r.Currency,
		"amount": money.Format(r.Amount, r.Currency), "captured": money.Format(r.Captured, r.Currency),
		"status": r.StatusAt(now), "reference": r.Reference, "expires_at": r.ExpiresAt}
}

// Reserve holds amount of a customer's usable credit (SPEC §6.3). Errors: EInvalid (naming the
// field), ENotFound, EInsufficientCredit (naming the usable credit), EForbidden.
func (s *Service) Reserve(ctx context.Context, orgID string, in ReservationCreate) (*Reservation, error) {
	var r *Reservation
	err := s.write(ctx, func(tx Tx, c *changes) error {
		var err error
		if r, err = in.check(c.now); err != nil {
			return err
		}
		figures, err := loadCredit(ctx, tx, orgID, c.now)
		if err != nil {
			return err
		}
		usable := creditFigureIn(figures, r.Currency).Usable
		if usable.Cmp(money.SumOf(r.Amount)) < 0 {
			return &Error{Code: EInsufficientCredit, Field: "amount", Message: "usable credit in " + string(r.Currency) +
				" is " + usable.Format(r.Currency) + ", less than the " + money.Format(r.Amount, r.Currency) + " asked"}
		}
		r.ID, r.OrganizationID = NewID(PrefixReservation), orgID
		c.record("reservation.created", "reservation", r.ID, nil, reservationSnapshot(r, c.now))
		return tx.CreateReservation(ctx, r)
	})
	return r, err
}

// loadOpenReservation loads a reservation to close (locked: no one else closes it meanwhile),
// then locks its customer's credit; one already closed, or expired, is refused
// EReservationClosed.
func loadOpenReservation(ctx context.Context, tx Tx, id string, now time.Time) (*Reservation, error) {
	r, err := tx.Reservation(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := tx.LockCredit(ctx, r.OrganizationID); err != nil {
		return nil, err
	}
	if st := r.StatusAt(now); st != ReservationOpen {
		return nil, Errorf(EReservationClosed, "the reservation is %s", st)
	}
	return r, nil
}

// CaptureReservation charges amount (at most the reserved amount) of an open reservation: it
// posts credit:<org> → revenue and releases the rest. Errors: EInvalid (amount), ENotFound,
// EReservationClosed, EPeriodClosed, EForbidden.
func (s *Service) CaptureReservation(ctx context.Context, id, amount string) (*Reservation, error) {
	var r *Reservation
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		var err error
		if r, err = loadOpenReservation(ctx, tx, id, c.now); err != nil {
			return err
		}
		amt, err := money.Parse(amount, r.Currency)
		if err != nil {
			return Invalid("amount", "%v", err)
		}
		if amt > r.Amount {
			return Invalid("amount", "%s is more than the %s reserved", money.Format(amt, r.Currency), money.Format(r.Amount, r.Currency))
		}
		if err := refuseTodayIn(ctx, tx, today, "a capture"); err != nil {
			return err
		}
		before := reservationSnapshot(r, c.now)
		r.Captured, r.Status, r.ClosedAt = amt, ReservationCaptured, &c.now
		r.Version++
		c.post("reservation.captured", r.ID, func(j *posting) {
			j.transfer(CreditAccount(r.OrganizationID), AccountRevenue, r.Currency, amt)
		})
		after := reservationSnapshot(r, c.now)
		c.record("reservation.captured", "reservation", r.ID, before, after)
		c.event(EventReservationCaptured, r.ID, after)
		// Read before the reservation is saved closed (and before the capture's entry is
		// posted): the figure still counts it held, which the capture turns into amt spent.
		err = autoTopUp(ctx, tx, c, r.OrganizationID, r.Currency, today, func() (money.Sum, error) {
			figures, err := loadCredit(ctx, tx, r.OrganizationID, c.now)
			usable := creditFigureIn(figures, r.Currency).Usable
			return usable.Add(r.Amount).Sub(money.SumOf(amt)), err
		})
		if err != nil {
			return err
		}
		return tx.UpdateReservation(ctx, r)
	})
	return r, err
}

// ReleaseReservation gives an open reservation's credit back without charging anything. Errors:
// ENotFound, EReservationClosed, EForbidden.
func (s *Service) ReleaseReservation(ctx context.Context, id string) (*Reservation, error) {
	var r *Reservation
	err := s.write(ctx, func(tx Tx, c *changes) error {
		var err error
		if r, err = loadOpenReservation(ctx, tx, id, c.now); err != nil {
			return err
		}
		before := reservationSnapshot(r, c.now)
		r.Status, r.ClosedAt = ReservationReleased, &c.now
		r.Version++
		c.record("reservation.released", "reservation", r.ID, before, reservationSnapshot(r, c.now))
		return tx.UpdateReservation(ctx, r)
	})
	return r, err
}

// GetReservation returns a reservation. Errors: ENotFound.
func (s *Service) GetReservation(ctx context.Context, id string) (r *Reservation, err error) {
	err = s.read(ctx, func(tx Tx) error {
		r, err = tx.Reservation(ctx, id)
		return err
	})
	return r, err
}

// ReservationFilter selects a customer's reservations, newest first.
type ReservationFilter struct {
	OrganizationID string // "" for every customer's
	Status         string // "" for all; open and expired are told apart at Now
	Now            time.Time
	Cursor         string
	Limit          int
}

// ListReservations lists a customer's reservations, newest first. Errors: EInvalid, ENotFound.
func (s *Service) ListReservations(ctx context.Context, f ReservationFilter) (list []*Reservation, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixReservation); err != nil {
		return nil, "", err
	}
	switch f.Status {
	case "", ReservationOpen, ReservationCaptured, ReservationReleased, ReservationExpired:
	default:
		return nil, "", Invalid("status", "must be open, captured, released or expired")
	}
	f.Now = s.Now().UTC()
	err = s.read(ctx, func(tx Tx) error {
		if f.OrganizationID == "" { // every customer's: for verify
			list, next, err = tx.ListReservations(ctx, f)
			return err
		}
		if _, err := tx.Organization(ctx, f.OrganizationID); err != nil {
			return err
		}
		list, next, err = tx.ListReservations(ctx, f)
		return err
	})
	return list, next, err
}

// expirySweepBatch bounds how many reservations one sweep transaction marks expired.
const expirySweepBatch = 500

// ExpireReservations marks the workspace's reservations that expired as such, in transactions of
// up to expirySweepBatch, and returns how many. An expired reservation held nothing from its
// expiry on already (StatusAt); marking it keeps the open ones few to sum and records in the
// audit trail that it closed. serve runs it every minute; `finapp run-due` once, for cron.
func (s *Service) ExpireReservations(ctx context.Context) (int, error) {
	total := 0
	for {
		n := 0
		err := s.write(ctx, func(tx Tx, c *changes) error {
			list, err := tx.ExpiredReservations(ctx, c.now, expirySweepBatch)
			if err != nil {
				return err
			}
			n = len(list)
			for _, r := range list {
				before := reservationSnapshot(r, r.ExpiresAt.Add(-time.Nanosecond))
				ok, err := tx.ExpireReservation(ctx, r)
				if err != nil {
					return err
				}
				if ok { // else captured or released just before its expiry, by another server
					c.record("reservation.expired", "reservation", r.ID, before, reservationSnapshot(r, c.now))
				}
			}
			return nil
		})
		total += n
		if err != nil || n < expirySweepBatch {
			return total, err
		}
	}
}
