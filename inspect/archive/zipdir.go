package archive

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
)

// zipRecord is what the walker keeps of one central-directory record:
// where its local header is, and the fields archive/zip's view of the same
// record must agree with.
type zipRecord struct {
	off          int64 // of the local header, from the start of the file
	csize, usize uint64
	method       uint16
	flags        uint16
}

// zipDir is a zip's central directory as scanned by the walker.
type zipDir struct {
	records  []zipRecord
	start    int64  // where the central directory begins: local data must end before
	declared uint64 // the entry count the end record declares
}

var (
	errZipNoEnd = errors.New("zip: no end of central directory record")
	// errTooManyRecords stops the scan at the caller's bound.
	errTooManyRecords = errors.New("zip: more records than allowed")
)

// scanZipDir reads the end of central directory record (and its zip64
// form) the way archive/zip does, and then the records themselves, one at
// a time through a small buffer, stopping after max of them: archive/zip
// would read every record of a directory whose count field lies, holding
// them all. It returns errTooManyRecords, with the directory scanned so far,
// when there are more than max (or the end record declares more).
func scanZipDir(r io.ReaderAt, size int64, max int) (*zipDir, error) {
	end, err := readZipEnd(r, size)
	if err != nil {
		return nil, err
	}
	d := &zipDir{start: end.start, declared: end.records}
	if end.records > uint64(max) {
		return d, errTooManyRecords
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r, end.start, size-end.start), 32<<10)
	var fixed [46]byte
	for {
		if _, err := io.ReadFull(br, fixed[:]); err != nil {
			break // archive/zip stops at a short record too
		}
		b := fixed[:]
		if binary.LittleEndian.Uint32(b) != 0x02014b50 {
			break
		}
		rec := zipRecord{
			flags:  binary.LittleEndian.Uint16(b[8:]),
			method: binary.LittleEndian.Uint16(b[10:]),
			csize:  uint64(binary.LittleEndian.Uint32(b[20:])),
			usize:  uint64(binary.LittleEndian.Uint32(b[24:])),
			off:    int64(binary.LittleEndian.Uint32(b[42:])),
		}
		nameLen, extraLen, commentLen := int(binary.LittleEndian.Uint16(b[28:])), int(binary.LittleEndian.Uint16(b[30:])), int(binary.LittleEndian.Uint16(b[32:]))
		if _, err := br.Discard(nameLen); err != nil {
			break
		}
		extra := make([]byte, extraLen)
		if _, err := io.ReadFull(br, extra); err != nil {
			break
		}
		if _, err := br.Discard(commentLen); err != nil {
			break
		}
		if !rec.zip64(extra) {
			return d, errors.New("zip: bad zip64 extra field")
		}
		rec.off += end.base
		if len(d.records) == max {
			return d, errTooManyRecords
		}
		d.records = append(d.records, rec)
	}
	return d, nil
}

// zip64 reads the 64-bit sizes and offset of the zip64 extra field, for
// the fields whose 32-bit value is all ones, as archive/zip does.
func (rec *zipRecord) zip64(extra []byte) bool {
	needU, needC, needO := rec.usize == 0xffffffff, rec.csize == 0xffffffff, rec.off == 0xffffffff
	for len(extra) >= 4 {
		tag, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			return true // archive/zip ignores a truncated field's rest too
		}
		field := extra[:n]
		extra = extra[n:]
		if tag != 0x0001 {
			continue
		}
		for _, f := range []struct {
			need bool
			v    *uint64
		}{{needU, &rec.usize}, {needC, &rec.csize}, {needO, nil}} {
			if !f.need {
				continue
			}
			if len(field) < 8 {
				return false
			}
			if v := binary.LittleEndian.Uint64(field); f.v != nil {
				*f.v = v
			} else if v > 1<<62 {
				return false
			} else {
				rec.off = int64(v)
			}
			field = field[8:]
		}
		if rec.off < 0 {
			return false
		}
		needU, needC, needO = false, false, false // the first zip64 field counts
	}
	return true
}

// zipEnd is the end of central directory record, resolved.
type zipEnd struct {
	records uint64
	start   int64 // of the central directory
	base    int64 // bytes before the archive (self-extractors)
}

// readZipEnd finds the end record in the last 1 KiB, then 65 KiB, of the
// file, reads its zip64 form where its fields say so, and works out where
// the directory starts, all as archive/zip's readDirectoryEnd does.
func readZipEnd(r io.ReaderAt, size int64) (*zipEnd, error) {
	var buf []byte
	var endOff int64
	for i, n := range []int64{1024, 65 * 1024} {
		n = min(n, size)
		buf = make([]byte, n)
		if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
			return nil, err
		}
		if p := findZipEnd(buf); p >= 0 {
			buf, endOff = buf[p:], size-n+int64(p)
			break
		}
		if i == 1 || n == size {
			return nil, errZipNoEnd
		}
	}
	b := buf[4:]
	records := uint64(binary.LittleEndian.Uint16(b[6:]))
	dirSize := uint64(binary.LittleEndian.Uint32(b[8:]))
	dirOff := uint64(binary.LittleEndian.Uint32(b[12:]))
	if records == 0xffff || dirSize == 0xffff || dirOff == 0xffffffff {
		p, ok, err := findZip64End(r, endOff)
		if err != nil {
			return nil, err
		}
		if ok {
			var e64 [56]byte
			if _, err := r.ReadAt(e64[:], p); err != nil {
				return nil, err
			}
			if binary.LittleEndian.Uint32(e64[:]) != 0x06064b50 {
				return nil, errors.New("zip: bad zip64 end record")
			}
			endOff = p
			records = binary.LittleEndian.Uint64(e64[32:])
			dirSize = binary.LittleEndian.Uint64(e64[40:])
			dirOff = binary.LittleEndian.Uint64(e64[48:])
		}
	}
	if dirSize > 1<<62 || dirOff > 1<<62 {
		return nil, errors.New("zip: directory out of range")
	}
	base := endOff - int64(dirSize) - int64(dirOff)
	if o := base + int64(dirOff); o < 0 || o >= size {
		return nil, errors.New("zip: directory offset out of range")
	}
	if base > 0 { // a directory found without the base offset wins, as in archive/zip
		var sig [4]byte
		if _, err := r.ReadAt(sig[:], int64(dirOff)); err == nil && binary.LittleEndian.Uint32(sig[:]) == 0x02014b50 {
			base = 0
		}
	}
	return &zipEnd{records: records, start: base + int64(dirOff), base: base}, nil
}

func findZipEnd(b []byte) int {
	for i := len(b) - 22; i >= 0; i-- {
		if b[i] == 'P' && b[i+1] == 'K' && b[i+2] == 0x05 && b[i+3] == 0x06 {
			if n := int(binary.LittleEndian.Uint16(b[i+20:])); n+22+i > len(b) {
				return -1
			}
			return i
		}
	}
	return -1
}

func findZip64End(r io.ReaderAt, endOff int64) (int64, bool, error) {
	loc := endOff - 20
	if loc < 0 {
		return 0, false, nil
	}
	var b [20]byte
	if _, err := r.ReadAt(b[:], loc); err != nil {
		return 0, false, err
	}
	if binary.LittleEndian.Uint32(b[:]) != 0x07064b50 || binary.LittleEndian.Uint32(b[4:]) != 0 ||
		binary.LittleEndian.Uint32(b[16:]) != 1 {
		return 0, false, nil
	}
	p := binary.LittleEndian.Uint64(b[8:])
	if p > 1<<62 {
		return 0, false, errors.New("zip: zip64 end record out of range")
	}
	return int64(p), true, nil
}
