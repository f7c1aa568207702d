// Command textgen writes the data of the "inspected" bench: a keyword
// dictionary of -entries entries (70 % Chinese, 30 % Latin; internal/kwgen)
// and -size MiB of mixed Chinese and English text in which none of them
// occurs, so that ferry, with every inspector on, accepts the file and
// the bench times a whole ingest up to "available".
//
// The text is one block of generated prose repeated; the entries that
// the block holds by chance (short Chinese entries of random characters
// do) are dropped from the dictionary, as ferry's own matcher finds them
// in the block and across the seam where it repeats.
//
//	go run ./bench/textgen -entries 1000000 -size 1024 -dict words.txt -text payload.txt
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/ferryhq/ferry/inspect/keywords"
	"github.com/ferryhq/ferry/internal/kwgen"
)

func main() {
	entries := flag.Int("entries", 1_000_000, "dictionary entries")
	size := flag.Int("size", 1024, "text size in MiB")
	block := flag.Int("block", 64, "size of the repeated block of text in MiB")
	dictPath := flag.String("dict", "words.txt", "where to write the dictionary")
	textPath := flag.String("text", "payload.txt", "where to write the text")
	flag.Parse()

	g := kwgen.New(1)
	dict := g.Dictionary(*entries)
	text := g.TextOf(*block<<20, nil, 50)
	// The block and the seam where it meets its own repeat.
	probe := append(append([]byte{}, text...), text[:4096]...)
	dropped := 0
	for {
		m, err := keywords.Compile(parse(dict))
		if err != nil {
			log.Fatal(err)
		}
		hits := m.Scan(probe)
		if len(hits) == 0 {
			break
		}
		bad := map[string]bool{}
		for _, h := range hits {
			bad[h.Entry] = true
		}
		kept := dict[:0]
		for _, e := range dict {
			if !bad[e] {
				kept = append(kept, e)
			}
		}
		dropped += len(dict) - len(kept)
		dict = kept
	}

	var d bytes.Buffer
	d.WriteString("# textgen: generated keywords, none of them in the payload\n")
	for i, e := range dict {
		fmt.Fprintf(&d, "%s\tbench-%d\n", e, i%16)
	}
	if err := os.WriteFile(*dictPath, d.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(*textPath)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for left := int64(*size) << 20; left > 0; left -= int64(len(text)) {
		w.Write(text[:min(int64(len(text)), left)])
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("textgen: %d entries (%d dropped: in the text by chance), %d MiB of text\n", len(dict), dropped, *size)
}

func parse(entries []string) *keywords.Dictionary {
	d, err := keywords.Parse(strings.NewReader(strings.Join(entries, "\n")), "generated")
	if err != nil {
		log.Fatal(err)
	}
	return d
}
