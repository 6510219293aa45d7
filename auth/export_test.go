package auth

// ObserveHashes limits a to n concurrent password hashes (n <= 0: the default) and tells observe
// when each starts (true) and ends (false).
func ObserveHashes(a *Auth, n int, observe func(start bool)) {
	a.hashes = newHashLimiter(n)
	a.hashes.observe = observe
}
