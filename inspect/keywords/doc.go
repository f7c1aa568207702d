// Package keywords is ferry's keyword inspector: it finds the entries of
// the dictionaries listed in inspect.keywords.files in file names and text,
// variant-aware and streaming, and turns a hit into 5001 SENSITIVE_CONTENT.
//
// # Dictionaries
//
// A dictionary has one entry a line: "entry" or "entry<TAB>category";
// "!entry" is an allow entry; "#" starts a comment (see Parse). Compile
// builds one Matcher of any number of dictionaries; Config and Load read
// the files that ferry.yaml lists, and Source.Changed tells when one of
// them changed, by content, so that the caller can reload.
//
// # What matches
//
// Text and entries are compared in normalised form (see Normalize): width
// and case folded, diacritics removed, traditional Chinese characters
// replaced by simplified ones one character at a time. "機密", "ＳＥＣＲＥＴ"
// and "Secret" match the entries 机密 and secret, and an entry written in
// traditional or full-width form matches its simplified, half-width text.
//
// Separators — spaces and line breaks, punctuation, symbols, zero-width
// and other format characters, combining marks — are skipped between the
// characters of an entry: "机 密", "机*密", "机\u200b密" and "机-\n密"
// match 机密, up to Options.MaxGap separators (default 16) between two
// characters. A letter or digit in between breaks the match: "机A密" does
// not match 机密. Separators written inside an entry are ignored too:
// "New York" is the entry newyork.
//
// Word boundaries: an entry that starts with a word character — a letter
// or digit of a script that separates words by spaces (Latin, Greek,
// Cyrillic, …) — matches only where the character before it is not one,
// and an entry that ends with one only where the character after it is not
// one. So "ass" does not match in "class" nor "secret" in "secretary", but
// "secret" matches in "top-secret", "SECRET!" and "机密secret文件". Han and
// kana characters are not word characters: Chinese entries match anywhere,
// inside any run of characters. The check is on whole characters of the
// input, never on single bytes of UTF-8.
//
// # Hits, and allow entries
//
// Among the occurrences of block entries, the hits are chosen
// leftmost-longest: the occurrence that starts first, the longest of
// those, then the same again after its end (hits never overlap). An
// occurrence of a block entry that lies inside an occurrence of an allow
// entry is no hit: with 成人 blocked and 成人教育 allowed, "成人教育" and
// "成人 教 育" (separators are ignored for allow entries as well) pass,
// while "成人" elsewhere in the same text is still a hit, and so is a block
// entry that only overlaps the allow occurrence (教育部 in "成人教育部",
// when 教育部 is blocked). An entry listed both as allow and block is an
// allow entry; of two block entries that normalise alike, the first listed
// keeps its category.
//
// A Hit tells the entry's category, the entry as its dictionary wrote it,
// its dictionary and line, and where the occurrence is in the input, in
// bytes: the offset of its first character and the length up to the end of
// its last. Whether the entry is shown to the sender is policy
// (Config.ShowEntry); the Inspector adds it to the error only then.
//
// # Streaming
//
// Matcher.Scan scans a whole text; a Scanner takes the text in pieces cut
// anywhere — in the middle of a UTF-8 sequence or of an entry with
// separators inside — and finds what Scan would. Between pieces its state
// is small: MarshalBinary saves it in a few dozen bytes, so that a scan
// started by one upload request resumes in the next, on any node whose
// Matcher has the same Version. A hit is reported once nothing later in
// the text can change it (a longer entry, an earlier-starting one, or an
// allow entry around it), at most MaxEntryLen characters after its end, and
// at Close at the end of the text.
//
// # Text encodings
//
// The Scanner reads UTF-8; invalid bytes count as separators. DecodeText
// turns UTF-16 with a byte-order mark and GB18030 (which includes GBK and
// GB 2312) into UTF-8 for it: Inspector.ScanText and Inspect use it, so a
// GBK text file's keywords are found. For an upload scanned as it
// arrives, only UTF-8 text can be scanned piece by piece; other encodings
// are scanned when the file is complete (Inspect).
//
// # How it works
//
// Each input character is mapped by a two-stage table, built per Matcher,
// straight to a symbol of the matcher's alphabet (the distinct characters
// of its entries, most frequent first), a separator, or an expansion (ﬁ →
// f i); the table composes the normalisation rules, computed once from the
// Unicode tables of golang.org/x/text and OpenCC's traditional → simplified
// table (t2s_table.go, made by go generate; see LICENSE.OpenCC), with the
// alphabet. The symbols run an Aho–Corasick automaton laid out as a
// double-array trie of 16-byte nodes, breadth first; nodes with many
// children spread over the alphabet (the first characters of Chinese
// entries) keep them in a small hash table each behind a bit filter, so that
// the array stays dense and the common lookups stay in the cache; an entry
// of such a table also holds its child's failure link and a 32-bit bloom
// of the child's own children, so that after the second character of a
// Chinese entry the scan most often moves on without reading the child. The
// automaton never restarts: its state knows every occurrence in progress,
// which is what lets the rules for allow entries and leftmost-longest hits
// be settled in a streaming way, and lets the whole state between two
// pieces of text be one node, a few flags and the positions of the last few
// characters. At a million entries the matcher holds about 100 to 130
// bytes an entry and builds in about two seconds. Inside a word at the
// root, ASCII letters are skipped without touching the automaton: a Latin
// entry could not start there; and a state the automaton falls back to
// whose string starts inside a word with a word character is dropped the
// same way (nodes carry that flag), so the rest of a long word whose
// prefix died costs no lookups.
package keywords
