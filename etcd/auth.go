package etcd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// codeFailedPrecondition is the code of "authentication is not enabled".
const codeFailedPrecondition = 9

// authenticatePath is etcd's Auth.Authenticate.
const authenticatePath = "/v3/auth/authenticate"

// authenticateRequest is etcdserverpb.AuthenticateRequest.
type authenticateRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// authenticateResponse is etcdserverpb.AuthenticateResponse.
type authenticateResponse struct {
	Token string `json:"token"`
}

// authToken returns the token to send, authenticating first if there is
// none yet; "" when the URL has no user, or the cluster has no auth.
// etcd takes a while to check a password, so the token is kept until
// etcd refuses it.
func (c *client) authToken(ctx context.Context) (string, error) {
	if c.user == "" {
		return "", nil
	}
	select { // one authentication at a time, as long as ctx lets it wait
	case c.authing <- struct{}{}:
		defer func() { <-c.authing }()
	case <-ctx.Done():
		return "", ctx.Err()
	}
	if token, ok := c.cachedToken(); ok {
		return token, nil
	}
	token, err := c.authenticate(ctx)
	if err != nil {
		return "", err
	}
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	c.token, c.authed = token, true
	return token, nil
}

func (c *client) cachedToken() (string, bool) {
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	return c.token, c.authed
}

// forget drops a token that etcd refused, unless another has replaced it
// already.
func (c *client) forget(token string) {
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	if c.token == token {
		c.token, c.authed = "", false
	}
}

// authenticate asks etcd for a token for the URL's user and password; ""
// when the cluster has no auth, as the gRPC client does. The password is
// sent, never shown.
func (c *client) authenticate(ctx context.Context) (string, error) {
	token, err := c.requestToken(ctx)
	switch {
	case hasCode(err, codeFailedPrecondition) && strings.Contains(err.Error(), "authentication is not enabled"):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("authenticating as user %q: %w", c.user, err)
	}
	return token, nil
}

func (c *client) requestToken(ctx context.Context) (string, error) {
	body, err := json.Marshal(authenticateRequest{Name: c.user, Password: c.password})
	if err != nil {
		return "", err
	}
	r, err := c.post(ctx, authenticatePath, body, "")
	if err != nil {
		return "", err
	}
	var resp authenticateResponse
	if err := decode(r, authenticatePath, &resp); err != nil {
		return "", err
	}
	return resp.Token, nil
}
