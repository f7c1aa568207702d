package ferry

import "time"

// Tier is an account's service level; policy limits are set per tier.
type Tier string

// The tiers of the default policy.
const (
	TierFree       Tier = "free"
	TierMember     Tier = "member"
	TierSuper      Tier = "super"
	TierEdu        Tier = "edu"
	TierEnterprise Tier = "enterprise"
)

// Tiers lists the tiers of the default policy, lowest first.
var Tiers = []Tier{TierFree, TierMember, TierSuper, TierEdu, TierEnterprise}

// Account is a user who sends and receives transfers.
type Account struct {
	ID           int64
	Username     string
	Tier         Tier
	PasswordHash string // PHC string: "$argon2id$v=19$m=…,t=…,p=…$salt$hash"
	Admin        bool
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Token is a bearer session. Only the SHA-256 of the token is stored; the
// token itself is shown to the client once, at login.
type Token struct {
	Hash      []byte
	AccountID int64
	CreatedAt time.Time
	ExpiresAt time.Time
}
