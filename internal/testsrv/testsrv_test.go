package testsrv

import "testing"

// A missing server fails the test in CI or with its FERRY_REQUIRE_…=1, and
// skips it elsewhere.
func TestRequired(t *testing.T) {
	const env = "FERRY_REQUIRE_TESTSRV"
	for _, tc := range []struct {
		ci, require string
		want        bool
	}{
		{"", "", false},
		{"false", "", false},
		{"0", "", false},
		{"true", "", true},
		{"1", "", true},
		{"", "1", true},
		{"false", "1", true},
	} {
		t.Setenv("CI", tc.ci)
		t.Setenv(env, tc.require)
		if got := Required(env); got != tc.want {
			t.Errorf("CI=%q %s=%q: Required() = %v, want %v", tc.ci, env, tc.require, got, tc.want)
		}
	}
}
