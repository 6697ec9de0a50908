package cli

import (
	"fmt"
	"io"
	"net/http"
	"sync/atomic"

	"k8s.io/client-go/rest"
)

// EnvCountRequests, when "1", makes every API request print one line
// `argofix-request N METHOD PATH?QUERY` to stderr. Hidden: it exists for
// the benchmark in test/bench, which counts the requests of one command.
const EnvCountRequests = "ARGOFIX_COUNT_REQUESTS"

// countRequests wraps cfg's transport when the hidden env var asks for it.
func (o *RootOptions) countRequests(cfg *rest.Config) {
	if o.Getenv(EnvCountRequests) != "1" {
		return
	}
	out := o.Streams.ErrOut
	var n atomic.Int64
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return countingTransport{next: rt, out: out, n: &n}
	})
}

type countingTransport struct {
	next http.RoundTripper
	out  io.Writer
	n    *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = fmt.Fprintf(t.out, "argofix-request %d %s %s\n", t.n.Add(1), r.Method, r.URL.RequestURI())
	return t.next.RoundTrip(r)
}
