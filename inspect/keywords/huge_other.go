//go:build !linux

package keywords

import "unsafe"

func hugePages(unsafe.Pointer, uintptr) {}
