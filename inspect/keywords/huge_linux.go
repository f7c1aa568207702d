package keywords

import (
	"syscall"
	"unsafe"
)

// Linux's madvise advice values that syscall does not name.
const (
	madvHugepage = 14
	madvCollapse = 25 // Linux 6.1
)

// hugePages asks Linux to back the 2 MiB-aligned part of the n bytes at p
// with huge pages: the automaton of a large dictionary is read at random,
// one cache line a character, and with 4 KiB pages nearly every read also
// misses the TLB. MADV_COLLAPSE does it at once where the kernel has it;
// MADV_HUGEPAGE lets khugepaged do it later. Best effort.
func hugePages(p unsafe.Pointer, n uintptr) {
	const huge = 2 << 20
	start := (uintptr(p) + huge - 1) &^ (huge - 1)
	end := (uintptr(p) + n) &^ (huge - 1)
	if end <= start {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), end-start)
	if syscall.Madvise(b, madvCollapse) != nil {
		_ = syscall.Madvise(b, madvHugepage)
	}
}
