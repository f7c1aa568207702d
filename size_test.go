package ferry

import "testing"

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Bytes
	}{
		{"0", 0}, {"123", 123}, {"5GB", 5e9}, {"5 GB", 5e9}, {"5gb", 5e9}, {"5GiB", 5 << 30},
		{"4GiB", 4 << 30}, {"1.5GB", 1.5e9}, {"1TB", 1e12}, {"200 GB", 200e9}, {"64MiB", 64 << 20}, {"10B", 10},
	} {
		got, err := ParseBytes(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "GB", "5XB", "-1", "99999999999999999999", "10000PB"} {
		if got, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) = %d, want an error", bad, got)
		}
	}
}

func TestBytesString(t *testing.T) {
	for _, tc := range []struct {
		in   Bytes
		want string
	}{
		{0, "0 B"}, {999, "999 B"}, {5e9, "5 GB"}, {4 << 30, "4 GiB"}, {1, "1 B"}, {1e12, "1 TB"},
		{1500, "1.5 KB"}, {1234567, "1.23 MB (1234567 bytes)"}, {50e9, "50 GB"}, {5e9 + 1, "5 GB (5000000001 bytes)"},
	} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("Bytes(%d).String() = %q, want %q", int64(tc.in), got, tc.want)
		}
	}
}
