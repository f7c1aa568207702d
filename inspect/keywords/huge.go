package keywords

import "unsafe"

// hugeSlice backs the large arrays of a matcher with huge pages where the
// system allows (see hugePages).
func hugeSlice[T any](s []T) {
	if len(s) == 0 {
		return
	}
	var zero T
	hugePages(unsafe.Pointer(unsafe.SliceData(s)), uintptr(len(s))*unsafe.Sizeof(zero))
}
