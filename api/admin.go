package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/auth"
)

// TokenInfo is an API token as listed: never its secret.
type TokenInfo struct {
	ID        string     `json:"id" example:"tok_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// TokenInfoOf is a token as the API and the command line list it.
func TokenInfoOf(t *auth.Token) TokenInfo {
	return TokenInfo{ID: t.ID, Name: t.Name, Role: t.Role, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt}
}

// UserInfo is a user as listed: never the password hash.
type UserInfo struct {
	ID         string     `json:"id"`
	Email      string     `json:"email"`
	Role       string     `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	DisabledAt *time.Time `json:"disabled_at"`
}

// UserInfoOf is a user as the API and the command line list them.
func UserInfoOf(u *auth.User) UserInfo {
	return UserInfo{ID: u.ID, Email: u.Email, Role: u.Role, CreatedAt: u.CreatedAt, DisabledAt: u.DisabledAt}
}

func workspaceOf(ctx context.Context) string {
	a, _ := finapp.ActorFrom(ctx)
	return a.WorkspaceID
}

func (h *handlers) registerAdmin(api huma.API) {
	tags := []string{"Administration"}
	huma.Register(api, huma.Operation{OperationID: "list-tokens", Method: http.MethodGet, Path: "/v1/tokens",
		Summary: "list API tokens", Tags: tags},
		func(ctx context.Context, in *struct{}) (*struct {
			Body struct {
				Data []TokenInfo `json:"data"`
			}
		}, error) {
			list, err := h.auth.ListTokens(ctx, workspaceOf(ctx))
			if err != nil {
				return nil, problem(err)
			}
			out := &struct {
				Body struct {
					Data []TokenInfo `json:"data"`
				}
			}{}
			out.Body.Data = []TokenInfo{}
			for _, t := range list {
				out.Body.Data = append(out.Body.Data, TokenInfoOf(t))
			}
			return out, nil
		})

	type createdToken struct {
		TokenInfo
		Token string `json:"token" doc:"The secret, shown only in this response"`
	}
	huma.Register(api, huma.Operation{OperationID: "create-token", Method: http.MethodPost, Path: "/v1/tokens",
		Summary: "create an API token", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Name      string     `json:"name" maxLength:"100"`
				Role      string     `json:"role" enum:"admin,finance,viewer"`
				ExpiresAt *time.Time `json:"expires_at,omitempty"`
			}
		}) (*created[createdToken], error) {
			secret, t, err := h.auth.CreateToken(ctx, workspaceOf(ctx), in.Body.Name, in.Body.Role, in.Body.ExpiresAt)
			if err != nil {
				return nil, problem(err)
			}
			return &created[createdToken]{Location: "/v1/tokens/" + t.ID, Body: createdToken{TokenInfo: TokenInfoOf(t), Token: secret}}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "revoke-token", Method: http.MethodDelete, Path: "/v1/tokens/{id}",
		Summary: "revoke an API token", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{}, error) {
			if err := h.auth.RevokeToken(ctx, workspaceOf(ctx), in.ID); err != nil {
				return nil, problem(err)
			}
			return nil, nil
		})

	huma.Register(api, huma.Operation{OperationID: "list-users", Method: http.MethodGet, Path: "/v1/users",
		Summary: "list users", Tags: tags},
		func(ctx context.Context, in *struct{}) (*struct {
			Body struct {
				Data []UserInfo `json:"data"`
			}
		}, error) {
			list, err := h.auth.ListUsers(ctx, workspaceOf(ctx))
			if err != nil {
				return nil, problem(err)
			}
			out := &struct {
				Body struct {
					Data []UserInfo `json:"data"`
				}
			}{}
			out.Body.Data = []UserInfo{}
			for _, u := range list {
				out.Body.Data = append(out.Body.Data, UserInfoOf(u))
			}
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "create-user", Method: http.MethodPost, Path: "/v1/users",
		Summary: "create a user", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Email    string `json:"email" maxLength:"254"`
				Role     string `json:"role" enum:"admin,finance,viewer"`
				Password string `json:"password" minLength:"12" maxLength:"1024"`
			}
		}) (*created[UserInfo], error) {
			u, err := h.auth.CreateUser(ctx, workspaceOf(ctx), in.Body.Email, in.Body.Role, in.Body.Password)
			if err != nil {
				return nil, problem(err)
			}
			return &created[UserInfo]{Location: "/v1/users/" + u.ID, Body: UserInfoOf(u)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "disable-user", Method: http.MethodDelete, Path: "/v1/users/{id}",
		Summary: "disable a user and end their sessions", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{}, error) {
			if err := h.auth.DisableUser(ctx, workspaceOf(ctx), in.ID); err != nil {
				return nil, problem(err)
			}
			return nil, nil
		})

	huma.Register(api, huma.Operation{OperationID: "verify-audit", Method: http.MethodGet, Path: "/v1/audit/verify",
		Summary: "recompute the audit trail's hash chain", Tags: []string{"Audit"}},
		func(ctx context.Context, in *struct{}) (*struct{ Body AuditVerification }, error) {
			v, err := h.svc.VerifyAudit(ctx)
			if err != nil {
				return nil, problem(err)
			}
			out := &struct{ Body AuditVerification }{Body: AuditVerification{Intact: v.Break == nil, Events: v.Events,
				Late: len(v.Late), Unsealed: len(v.Unsealed)}}
			if v.Break != nil {
				out.Body.BrokenAt, out.Body.BrokenIndex, out.Body.Reason = v.Break.Event.ID, v.Break.Index, v.Break.Reason
			}
			return out, nil
		})
}

// AuditVerification is the result of recomputing a workspace's audit hash chain.
type AuditVerification struct {
	Intact      bool   `json:"intact"`
	Events      int    `json:"events"`
	BrokenAt    string `json:"broken_at,omitempty" doc:"Id of the first event whose link does not hold"`
	BrokenIndex int    `json:"broken_index,omitempty" doc:"Its position in the chain, from 0"`
	Reason      string `json:"reason,omitempty"`
	Late        int    `json:"late" doc:"Events sealed into the chain more than a minute after their time: no sealer ran meanwhile, or the row was written outside finapp"`
	Unsealed    int    `json:"unsealed" doc:"Events still not sealed a minute after their time (at most 1000 are counted)"`
}
