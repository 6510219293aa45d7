package auth

import (
	"context"
	"runtime"
	"time"

	"finapp"
)

// Login throttling: after this many failures within LoginWindow, further attempts for that
// account (or from that address) are refused until the window has passed, right password or not.
const (
	MaxFailuresPerAccount = 5
	MaxFailuresPerAddress = 20
	LoginWindow           = 15 * time.Minute
)

// hashWait is how long a login waits for a free password hashing slot before it is answered
// ErrBusy: long enough for a slot to free up under ordinary load (a hash takes tens of
// milliseconds), short enough that a flood of logins is answered rather than queued.
const hashWait = time.Second

// errBadLogin is the one answer to a wrong email or a wrong password, so that the answer does not
// tell which accounts exist.
var errBadLogin = finapp.Errorf(finapp.EUnauthorized, "wrong email or password")

// errThrottled refuses a login of an account, or from an address, with too many recent failures.
var errThrottled = finapp.Errorf(finapp.ETooManyAttempts, "too many failed logins; try again in %d minutes", int(LoginWindow.Minutes()))

// ErrBusy refuses a login or a password change while every password hashing slot stays taken:
// the client may retry in a moment (the pages answer 429 with Retry-After: 1).
var ErrBusy = finapp.Errorf(finapp.EBusy, "the server is busy checking other logins; try again in a moment")

// Login checks an email and password from address and starts a session, returning its secret (for
// the cookie). Failed attempts are throttled per account and per address.
// Errors: EUnauthorized, ETooManyAttempts (errThrottled), EBusy (ErrBusy).
//
// The attempt is counted before the password is checked: one transaction, serialised with every
// other login of the same email or address, counts the recent failures, refuses when there are
// too many, and otherwise stores this attempt as a failure; only a matching password then marks
// it ok, in the transaction that starts the session. So however many logins race, at most
// MaxFailuresPerAccount passwords of an account are checked per window.
func (a *Auth) Login(ctx context.Context, email, password, address string) (string, *Session, error) {
	email = foldEmail(email)
	if err := a.hashes.acquire(ctx); err != nil {
		return "", nil, err
	}
	u, attempt, err := a.reserveAttempt(ctx, email, address)
	ok := false
	if err == nil {
		// The password is hashed whether or not the account exists or is disabled, so that the
		// time taken does not tell which accounts exist.
		a.hashes.hash(func() {
			if u == nil {
				HashPassword(password)
				return
			}
			ok = PasswordMatches(u.PasswordHash, password) && u.DisabledAt == nil
		})
	}
	a.hashes.release()
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, errBadLogin
	}
	now := a.Now()
	secret, hash := newSecret(SessionPrefix)
	s := &Session{ID: finapp.NewID("ses_"), WorkspaceID: u.WorkspaceID, UserID: u.ID, Email: u.Email, Role: u.Role, Hash: hash,
		Address: address, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	loggedIn := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: u.WorkspaceID, Name: "user:" + u.Email, Role: u.Role, Address: address})
	err = a.Store.Update(ctx, u.WorkspaceID, func(tx Tx) error {
		if err := tx.LoginSucceeded(ctx, attempt.ID); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, s); err != nil {
			return err
		}
		return a.audit(loggedIn, tx, "session.created", "user", u.ID, map[string]any{"session_id": s.ID, "expires_at": s.ExpiresAt})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, s, nil
}

// reserveAttempt counts the recent failures of email and address and, unless there are too many
// (errThrottled), stores this attempt as a failure; it returns the account of email, nil for none.
func (a *Auth) reserveAttempt(ctx context.Context, email, address string) (*User, *LoginAttempt, error) {
	now := a.Now()
	attempt := &LoginAttempt{ID: finapp.NewID("lga_"), Email: email, Address: address, At: now}
	var u *User
	err := a.Store.Update(ctx, "", func(tx Tx) error {
		u = nil
		if err := tx.LockLogin(ctx, email, address); err != nil {
			return err
		}
		byEmail, byAddress, err := tx.LoginFailures(ctx, email, address, now.Add(-LoginWindow))
		if err != nil {
			return err
		}
		if byEmail >= MaxFailuresPerAccount || byAddress >= MaxFailuresPerAddress {
			return errThrottled
		}
		if err := tx.AddLoginAttempt(ctx, attempt); err != nil {
			return err
		}
		if u, err = tx.UserByEmail(ctx, email); finapp.ErrorCode(err) == finapp.ENotFound {
			u, err = nil, nil
		}
		return err
	})
	return u, attempt, err
}

// hashLimiter bounds how many passwords are hashed at once: argon2id takes 19 MiB and a core's
// worth of time each, so a flood of logins must queue briefly or be turned away, not exhaust the
// server's memory.
type hashLimiter struct {
	slots chan struct{}
	// observe, when set, is told when a hash starts (true) and ends (false): tests count them.
	observe func(start bool)
}

// newHashLimiter allows n hashes at once; n <= 0 means two per CPU.
func newHashLimiter(n int) hashLimiter {
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	return hashLimiter{slots: make(chan struct{}, n)}
}

// acquire takes a slot, waiting at most hashWait. Errors: ErrBusy.
func (h *hashLimiter) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(hashWait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ErrBusy
	}
}

func (h *hashLimiter) release() { <-h.slots }

// hash runs f, one password hash, under a slot the caller holds.
func (h *hashLimiter) hash(f func()) {
	if h.observe != nil {
		h.observe(true)
		defer h.observe(false)
	}
	f()
}

// run runs f, one password hash, under a slot of its own. Errors: ErrBusy.
func (h *hashLimiter) run(ctx context.Context, f func()) error {
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer h.release()
	h.hash(f)
	return nil
}
