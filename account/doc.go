// Package account manages ferry's accounts: password hashing (argon2id),
// sign-in with opaque bearer tokens (stored only as their SHA-256), and the
// administrator's user management, including the first-start admin account.
package account
