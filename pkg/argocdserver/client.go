// Package argocdserver is a small REST client of argocd-server's
// grpc-gateway API, for the few endpoints argofix reads: the version and an
// application's resource tree. It reads into its own small types and does
// not import github.com/argoproj/argo-cd (see DEVELOPERS.md).
package argocdserver

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client reads argocd-server's REST API over HTTPS with a bearer token.
type Client struct {
	// Server is HOST[:PORT] (443 by default); a leading https:// is allowed.
	Server string
	Token  string
	// Insecure skips the verification of the server's certificate.
	Insecure bool
	// PlainText speaks HTTP instead of HTTPS (the argocd CLI's plain-text).
	PlainText bool
	// HTTP, when set, is used as is (tests).
	HTTP *http.Client
}

// Version is what GET /api/version returns (the fields argofix reads).
type Version struct {
	Version   string `json:"Version"`
	BuildDate string `json:"BuildDate"`
}

// Tree is an application's resource tree, as the controller cached it.
type Tree struct {
	Nodes         []Node `json:"nodes"`
	OrphanedNodes []Node `json:"orphanedNodes,omitempty"`
}

// Ref identifies an object of the tree.
type Ref struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	UID       string `json:"uid,omitempty"`
}

// Node is one object of the tree with its owners.
type Node struct {
	Ref
	ParentRefs      []Ref   `json:"parentRefs,omitempty"`
	ResourceVersion string  `json:"resourceVersion,omitempty"`
	CreatedAt       string  `json:"createdAt,omitempty"`
	Health          *Health `json:"health,omitempty"`
}

// Health is a node's health as the controller assessed it.
type Health struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
}

// StatusError is an HTTP answer other than 200.
type StatusError struct {
	Path    string
	Code    int
	Message string
}

func (e *StatusError) Error() string {
	hint := ""
	switch e.Code {
	case http.StatusUnauthorized:
		hint = " (the token is missing, invalid or expired: --auth-token, ARGOCD_AUTH_TOKEN or `argocd login`)"
	case http.StatusForbidden:
		hint = " (the token's account lacks RBAC permission to get the application)"
	}
	return fmt.Sprintf("argocd-server GET %s: HTTP %d: %s%s", e.Path, e.Code, e.Message, hint)
}

// IsNotFound tells whether err is a 404 from argocd-server.
func IsNotFound(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code == http.StatusNotFound
}

// baseURL is the scheme and host of c.Server.
func (c *Client) baseURL() (string, error) {
	s := strings.TrimSpace(c.Server)
	scheme := "https"
	if c.PlainText {
		scheme = "http"
	}
	if rest, ok := strings.CutPrefix(s, "https://"); ok {
		s = rest
	} else if rest, ok := strings.CutPrefix(s, "http://"); ok {
		s, scheme = rest, "http"
	}
	s = strings.TrimSuffix(s, "/")
	if s == "" || strings.ContainsAny(s, "/?# ") {
		return "", fmt.Errorf("argocd-server address %q is not HOST[:PORT]", c.Server)
	}
	return scheme + "://" + s, nil
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	if c.Insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // --insecure, the user's choice
	}
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// get reads path into out.
func (c *Client) get(ctx context.Context, path string, out any) error {
	base, err := c.baseURL()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("argocd-server GET %s: %w", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("argocd-server GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return &StatusError{Path: path, Code: resp.StatusCode, Message: errorMessage(body)}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("argocd-server GET %s: decode: %w", path, err)
	}
	return nil
}

// errorMessage is the message of a grpc-gateway error body, or the body.
func errorMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil {
		if e.Message != "" {
			return e.Message
		}
		if e.Error != "" {
			return e.Error
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// Version reads GET /api/version.
func (c *Client) Version(ctx context.Context) (Version, error) {
	var v Version
	err := c.get(ctx, "/api/version", &v)
	return v, err
}

// ResourceTree reads GET /api/v1/applications/{name}/resource-tree of the
// app name in namespace appNamespace ("" for the control namespace).
func (c *Client) ResourceTree(ctx context.Context, appNamespace, name string) (Tree, error) {
	path := "/api/v1/applications/" + url.PathEscape(name) + "/resource-tree"
	if appNamespace != "" {
		path += "?" + url.Values{"appNamespace": {appNamespace}}.Encode()
	}
	var t Tree
	err := c.get(ctx, path, &t)
	return t, err
}
