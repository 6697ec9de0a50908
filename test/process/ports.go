package process

import (
	"errors"
	"fmt"
	"net"
)

// FreePorts asks the kernel for n distinct free loopback ports for the
// children to listen on. All listeners stay open until every port is known,
// so the ports differ.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	listeners := make([]net.Listener, 0, n)
	var errs []error
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			errs = append(errs, fmt.Errorf("finding a free port: %w", err))
			break
		}
		listeners = append(listeners, l)
		addr, ok := l.Addr().(*net.TCPAddr)
		if !ok {
			errs = append(errs, fmt.Errorf("unexpected listener address %v", l.Addr()))
			break
		}
		ports = append(ports, addr.Port)
	}
	for _, l := range listeners {
		if err := l.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing probe listener: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ports, nil
}
