package keywords_test

import (
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/inspect/keywords"
)

func Example() {
	d, err := keywords.Parse(strings.NewReader("机密\tsecret\n成人\tadult\n!成人教育\n"), "words.txt")
	if err != nil {
		panic(err)
	}
	m, err := keywords.Compile(d)
	if err != nil {
		panic(err)
	}
	for _, text := range []string{"這份機 密文件", "成人教育课程", "ＳＥＣＲＥＴ：机*密"} {
		for _, h := range m.ScanString(text) {
			fmt.Printf("%s: %s at byte %d (%s)\n", text, h.Category, h.Offset, h.Source)
		}
	}
	// Output:
	// 這份機 密文件: secret at byte 6 (words.txt:1)
	// ＳＥＣＲＥＴ：机*密: secret at byte 21 (words.txt:1)
}

// A scan that spans two upload requests: the state saved after the first
// is all the second needs.
func ExampleScanner_MarshalBinary() {
	d, _ := keywords.Parse(strings.NewReader("机密\tsecret\n"), "words.txt")
	m, _ := keywords.Compile(d)

	first := m.NewScanner()
	first.Write([]byte("报告：机")) // the request ends between 机 and 密
	state, _ := first.MarshalBinary()

	next, err := m.ResumeScanner(state) // a later request, maybe on another node
	if err != nil {
		panic(err) // keywords.ErrVersion: the dictionaries changed; scan again
	}
	next.Write([]byte("密"))
	next.Close()
	fmt.Println(len(state) < 48, next.Hit().Category, next.Hit().Offset)
	// Output: true secret 9
}
