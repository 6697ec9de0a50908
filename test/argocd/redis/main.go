// Command argocd-redis is the Redis that the real Argo CD controller and
// repo-server of the test tier talk to: miniredis (the in-memory,
// Redis-compatible server Argo CD's own tests use), at the version Argo CD
// v2.14.21's go.mod pins, served on a loopback port until SIGTERM. It is
// built from the Go module proxy like everything else, so the tier needs no
// redis-server from a distribution.
//
//	argocd-redis --bind 127.0.0.1 --port 6379
//
// miniredis is made for unit tests and never lets a TTL run out by itself
// (its TTLs only shrink through FastForward). Argo CD gives every cache entry
// a TTL and relies on some of them expiring (git refs after 3 minutes, for
// one), so this server advances miniredis's clock by the wall-clock time that
// passed, every tick: keys expire as on a real Redis, within a tick.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
)

func main() {
	bind := flag.String("bind", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 6379, "TCP port to listen on")
	tick := flag.Duration("ttl-tick", 100*time.Millisecond, "how often TTLs are advanced by the wall-clock time that passed")
	flag.Parse()
	if flag.NArg() > 0 {
		log.Fatalf("argocd-redis: unexpected arguments %q", flag.Args())
	}
	if *tick <= 0 {
		log.Fatalf("argocd-redis: --ttl-tick must be positive, not %s", *tick)
	}
	if err := run(net.JoinHostPort(*bind, strconv.Itoa(*port)), *tick); err != nil {
		log.Fatalf("argocd-redis: %v", err)
	}
}

func run(addr string, tick time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr(addr); err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	defer m.Close()
	log.Printf("argocd-redis: miniredis ready to accept connections on %s", m.Addr())

	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			log.Printf("argocd-redis: stopping")
			return nil
		case now := <-ticker.C:
			// The monotonic clock: a wall-clock jump neither expires
			// everything nor freezes expiry.
			m.FastForward(now.Sub(last))
			last = now
		}
	}
}
