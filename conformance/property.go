package conformance

import (
	"context"
	"io"
	"testing"

	"pgregory.net/rapid"

	"finapp"
)

// maxSteps bounds one random sequence. Short sequences over a fresh store each keep the property
// test fast under -race while rapid's 100 cases (tune with -rapid.checks) cover many orders of
// operations; a failure is shrunk to the shortest sequence that still fails.
const maxSteps = 24

// testRandomOperations is the property test: any sequence of Payment-tab operations — some of them
// refused — leaves books that satisfy every invariant of SPEC §2 and §3. The lists, balances and
// journal are checked after every step; every allocation and top-up, the organizations' figures
// and the status filters once more at the end of the sequence.
func testRandomOperations(t *testing.T, open func(t *testing.T) finapp.Store) {
	rapid.Check(t, func(rt *rapid.T) {
		store := open(t)
		// Every case has its own store; close it as soon as the case ends rather than when the
		// test does, so that a hundred cases do not hold a hundred databases (or PostgreSQL
		// connection pools) open at once. open's cleanup closes it again, which must be harmless.
		if c, ok := store.(io.Closer); ok {
			defer func() {
				if err := c.Close(); err != nil {
					rt.Errorf("closing the store: %v", err)
				}
			}()
		}
		svc := finapp.NewService(store)
		draw := func(label string, lo, hi int) int { return rapid.IntRange(lo, hi).Draw(rt, label) }
		s := newScenario(rt, draw, financeContext(context.Background()), svc)
		s.step((*scenario).createOrganization)
		s.step((*scenario).createOrganization)
		s.run(rapid.IntRange(1, maxSteps).Draw(rt, "steps"))
		s.finish()
	})
}
