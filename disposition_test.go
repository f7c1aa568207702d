package ferry

import "testing"

func TestContentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"report.pdf":        `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
		`a "quoted"\name`:   `attachment; filename="a _quoted__name"; filename*=UTF-8''a%20%22quoted%22%5Cname`,
		"季度 报告.pdf":         `attachment; filename="__ __.pdf"; filename*=UTF-8''%E5%AD%A3%E5%BA%A6%20%E6%8A%A5%E5%91%8A.pdf`,
		"tab\there;x=1.txt": `attachment; filename="tab_here;x=1.txt"; filename*=UTF-8''tab%09here%3Bx%3D1.txt`,
	} {
		if got := ContentDisposition(name); got != want {
			t.Errorf("ContentDisposition(%q)\n got %s\nwant %s", name, got, want)
		}
	}
}
