package steps

import (
	"testing"
	"testing/synctest"
)

// TestUserPool checks that an exclusive pool gives a test user to one scenario at a time (a second
// scenario gets another user, or waits for the first to give its user back) and that the mock's pool lends
// the same user to every scenario at once.
func TestUserPool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newUserPool(2, true)
		if a, b := p.take(0), p.take(0); a != 1 || b != 2 {
			t.Fatalf("two scenarios got users %d and %d; want 1 and 2", a, b)
		}
		got := make(chan int)
		go func() { got <- p.take(1) }()
		// Wait returns once the goroutine is durably blocked: waiting in take for a user, as it should, or
		// trying to hand over a user it should not have got.
		synctest.Wait()
		select {
		case n := <-got:
			t.Fatalf("a scenario got user %d while both users were busy; want it to wait", n)
		default:
		}
		p.release(1)
		if n := <-got; n != 1 {
			t.Errorf("the scenario waiting for user 1 got user %d", n)
		}
		p.release(2)
		if n := p.take(2); n != 2 {
			t.Errorf("user 2, given back, went to %d", n)
		}
	})

	shared := newUserPool(1, false)
	if a, b, c := shared.take(0), shared.take(1), shared.take(7); a != 1 || b != 1 || c != 1 {
		t.Errorf("the mock's pool lent users %d, %d, %d; want 1 to each at once", a, b, c)
	}
	shared.release(1)
}
