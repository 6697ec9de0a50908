package snapshot

import (
	"context"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/rest"
)

// getPages GETs the collection at path page by page (listPageSize items,
// then the continue token each page returns) and hands each page's JSON to
// decode, which returns that page's continue token. Nothing but the page
// being decoded is held: decode keeps what it needs. When a continue token
// expires mid-way (a busy etcd compacted), restart is called and the
// collection is read again in one unpaginated GET, as client-go's pager
// does. query holds extra parameters (a label or field selector).
func getPages(ctx context.Context, rc *rest.RESTClient, path string, query map[string]string,
	decode func(data []byte) (cont string, err error), restart func()) error {
	limit, cont := listPageSize, ""
	for {
		req := rc.Get().AbsPath(path).SetHeader("Accept", "application/json")
		for k, v := range query {
			req = req.Param(k, v)
		}
		if limit > 0 {
			req = req.Param("limit", strconv.Itoa(limit))
		}
		if cont != "" {
			req = req.Param("continue", cont)
		}
		// Do, not DoRaw: Error() keeps the server's Status (reason and
		// message), for IsForbidden, IsResourceExpired and the report.
		res := req.Do(ctx)
		data, err := res.Raw()
		if err != nil {
			err = res.Error()
		}
		if apierrors.IsResourceExpired(err) && cont != "" {
			restart()
			limit, cont = 0, ""
			continue
		}
		if err != nil {
			return err
		}
		next, err := decode(data)
		if err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cont = next
	}
}
