package auth_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"finapp"
	"finapp/auth"
)

// hashCounter counts password hashes, and the most that ran at once.
type hashCounter struct {
	total, running, most atomic.Int64
}

func (c *hashCounter) observe(start bool) {
	if !start {
		c.running.Add(-1)
		return
	}
	c.total.Add(1)
	n := c.running.Add(1)
	for {
		m := c.most.Load()
		if n <= m || c.most.CompareAndSwap(m, n) {
			return
		}
	}
}

// Many logins of one account at once cannot check more passwords than the throttle allows: the
// attempt is counted before the password is hashed, under a lock per account. After the race the
// account is locked, so the right password is refused too.
func TestLogin_ParallelWrongPasswordsCheckAtMostTheLimit(t *testing.T) {
	w := newAuthWorld(t)
	w.user("ana@example.com", finapp.RoleFinance)
	const tries = 200
	var hashes hashCounter
	// A slot for every login, so that the hashing limit does not hide a race of the throttle.
	auth.ObserveHashes(w.auth, tries, hashes.observe)

	codes := make([]string, tries)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Each from its own address, so that only the account's limit applies.
			_, _, err := w.auth.Login(context.Background(), "ana@example.com", fmt.Sprintf("wrong guess %03d!", i), fmt.Sprintf("203.0.%d.%d", i/250, i%250))
			codes[i] = finapp.ErrorCode(err)
		}()
	}
	close(start)
	wg.Wait()

	count := map[string]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[finapp.EUnauthorized]+count[finapp.ETooManyAttempts]+count[finapp.EBusy] != tries {
		t.Fatalf("answers %v: want only unauthorized, too_many_attempts and busy", count)
	}
	if n := hashes.total.Load(); n > auth.MaxFailuresPerAccount {
		t.Fatalf("%d parallel wrong logins checked %d passwords; the limit is %d (answers %v)", tries, n, auth.MaxFailuresPerAccount, count)
	}
	if count[finapp.EUnauthorized] != auth.MaxFailuresPerAccount {
		t.Fatalf("%d wrong passwords answered as wrong, want the %d allowed (answers %v)", count[finapp.EUnauthorized], auth.MaxFailuresPerAccount, count)
	}
	// The account is locked now: the right password is refused without being checked.
	before := hashes.total.Load()
	w.expectLogin(finapp.ETooManyAttempts, "ana@example.com", goodPassword, "198.51.100.7")
	if hashes.total.Load() != before {
		t.Fatal("a login of a locked account checked its password")
	}
	t.Logf("answers %v, %d passwords checked", count, hashes.total.Load())
}

// However many logins arrive at once, no more passwords are hashed at the same time than the
// limit allows (argon2id takes 19 MiB each); a login that cannot get a turn promptly is answered
// ErrBusy (429, retry in a moment) instead of queueing without end.
func TestLogin_ConcurrentPasswordHashingIsBounded(t *testing.T) {
	w := newAuthWorld(t)
	var hashes hashCounter
	const slots = 2
	auth.ObserveHashes(w.auth, slots, hashes.observe)
	const logins = 40
	var wg sync.WaitGroup
	var busy atomic.Int64
	for i := range logins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Unknown accounts from distinct addresses: nothing is throttled, every login hashes.
			_, _, err := w.auth.Login(context.Background(), fmt.Sprintf("nobody%d@example.com", i), "some long password", fmt.Sprintf("192.0.2.%d", i))
			switch {
			case errors.Is(err, auth.ErrBusy):
				busy.Add(1)
			case finapp.ErrorCode(err) != finapp.EUnauthorized:
				t.Errorf("login %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if most := hashes.most.Load(); most > slots || most < 1 {
		t.Fatalf("%d passwords hashed at once, limit %d", most, slots)
	}
	if hashes.total.Load()+busy.Load() != logins {
		t.Fatalf("%d hashed + %d busy of %d logins", hashes.total.Load(), busy.Load(), logins)
	}
	t.Logf("at most %d hashes at once; %d hashed, %d answered busy", hashes.most.Load(), hashes.total.Load(), busy.Load())
}

// While every slot is taken for longer than a login waits, the next login is answered ErrBusy:
// a busy refusal the client may retry at once, which is not counted as a failure.
func TestLogin_BusyWhenNoHashingSlotFreesUp(t *testing.T) {
	w := newAuthWorld(t)
	w.user("ana@example.com", finapp.RoleFinance)
	hold, held := make(chan struct{}), make(chan struct{})
	var once sync.Once
	auth.ObserveHashes(w.auth, 1, func(start bool) {
		if start {
			once.Do(func() { close(held); <-hold })
		}
	})
	done := make(chan error)
	go func() {
		_, _, err := w.auth.Login(context.Background(), "ana@example.com", "wrong password!", "192.0.2.1")
		done <- err
	}()
	<-held
	began := time.Now()
	_, _, err := w.auth.Login(context.Background(), "ana@example.com", goodPassword, "192.0.2.2")
	if !errors.Is(err, auth.ErrBusy) || finapp.ErrorCode(err) != finapp.EBusy {
		t.Fatalf("a login while the only slot is held: %v, want ErrBusy", err)
	}
	if waited := time.Since(began); waited > 5*time.Second {
		t.Fatalf("the busy answer took %s", waited)
	}
	close(hold)
	if err := <-done; finapp.ErrorCode(err) != finapp.EUnauthorized {
		t.Fatalf("the held login: %v", err)
	}
	// The busy refusal was not a failure: the right password works now.
	w.mustLogin("ana@example.com", goodPassword, "192.0.2.2")
}
