// Package webhook delivers finapp's events to the HTTP endpoints customers register, signed as the
// Standard Webhooks specification says, and never to an address inside the operator's network
// unless the operator allows it (SSRF).
package webhook

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// Policy is what the operator allows webhook targets to be.
type Policy struct {
	// AllowInsecure accepts http:// URLs (--allow-insecure-webhooks); otherwise only https://.
	AllowInsecure bool
	// AllowPrivate accepts targets on loopback, private, link-local, shared (CGNAT) and other
	// non-public addresses (--allow-private-webhooks); tests and closed networks set it.
	AllowPrivate bool
}

// ErrTarget refuses a webhook URL or the address it resolves to.
var ErrTarget = errors.New("webhook target refused")

// CheckURL is the rule for a webhook endpoint's URL, applied when it is saved: an absolute https
// URL (http with AllowInsecure) with a host, no user name or password (secrets belong in the
// signing secret, not in a URL that is shown and logged), no fragment, at most 2,000 characters,
// and, when the host is an IP address, a public one. A host name is checked again at every
// delivery against the addresses it then resolves to (see Sender).
func (p Policy) CheckURL(raw string) error {
	if len(raw) > 2000 {
		return fmt.Errorf("%w: the URL is longer than 2000 characters", ErrTarget)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: not a URL", ErrTarget)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && p.AllowInsecure:
	case u.Scheme == "http":
		return fmt.Errorf("%w: only https:// URLs are allowed (the operator can allow http:// with --allow-insecure-webhooks)", ErrTarget)
	default:
		return fmt.Errorf("%w: the URL must start with https://", ErrTarget)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%w: the URL has no host", ErrTarget)
	}
	if u.User != nil {
		return fmt.Errorf("%w: the URL may not carry a user name or password", ErrTarget)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%w: the URL may not have a #fragment", ErrTarget)
	}
	if port := u.Port(); port != "" {
		var n int
		if _, err := fmt.Sscanf(port, "%d", &n); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%w: port %q is not a port number", ErrTarget, port)
		}
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil {
		return p.CheckAddr(ip)
	}
	return nil
}

// nonPublic are the ranges a webhook may not reach unless the operator allows private targets,
// beyond what netip's own predicates cover (loopback, private, link-local, multicast, unspecified).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: may embed any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("100::/64"),        // discard
}

// CheckAddr refuses an address a webhook may not reach: loopback, private (RFC 1918, fc00::/7),
// link-local (169.254/16 with the cloud metadata service, fe80::/10), multicast, unspecified,
// CGNAT, documentation, benchmarking, reserved and NAT64 ranges — unless AllowPrivate is set.
// An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
func (p Policy) CheckAddr(ip netip.Addr) error {
	if p.AllowPrivate {
		return nil
	}
	ip = ip.Unmap()
	bad := ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || !ip.IsValid()
	for _, r := range nonPublic {
		bad = bad || r.Contains(ip)
	}
	if bad {
		return fmt.Errorf("%w: %s is not a public address (the operator can allow private targets with --allow-private-webhooks)", ErrTarget, ip)
	}
	return nil
}
