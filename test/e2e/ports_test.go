package e2e

import (
	"fmt"
	"net"
)

// freeClosedPort returns the URL of a loopback port that was free a moment
// ago and is closed now: connections to it are refused.
func freeClosedPort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", fmt.Errorf("closing probe listener: %w", err)
	}
	return "https://" + addr, nil
}
