package archive

import "github.com/ferryhq/ferry/inspect/archive/archivetest"

// The builders of archivetest under the names these tests use.

type (
	file     = archivetest.File
	rawEntry = archivetest.RawEntry
	szFile   = archivetest.SzFile
	szOpts   = archivetest.SzOpts
	rarFile  = archivetest.RarFile
)

var (
	ent           = archivetest.Ent
	zipOf         = archivetest.ZipOf
	zipRaw        = archivetest.ZipRaw
	deflate       = archivetest.Deflate
	tarOf         = archivetest.TarOf
	gz            = archivetest.Gz
	zst           = archivetest.Zst
	xzOf          = archivetest.Xz
	xzPatchBlock  = archivetest.XzPatchBlock
	gbk           = archivetest.Gbk
	sparseTar     = archivetest.SparseTar
	hugeTar       = archivetest.HugeTar
	sevenZipOf    = archivetest.SevenZipOf
	rarOf         = archivetest.RarOf
	zerosDeflated = archivetest.ZerosDeflated
	nested42      = archivetest.Nested42
	overlapBomb   = archivetest.OverlapBomb
	localHeader   = archivetest.LocalHeader
	centralHeader = archivetest.CentralHeader
	endRecord     = archivetest.EndRecord
	manyEntries   = archivetest.ManyEntries
	nestedZips    = archivetest.NestedZips
	gzipQuine     = archivetest.GzipQuine
	lieCount      = archivetest.LieCount
	rarBlock      = archivetest.RarBlock
	rarVint       = archivetest.RarVint
	szNumber      = archivetest.SzNumber
	crc32IEEE     = archivetest.Crc32IEEE
	octal         = archivetest.Octal
	strconvOctal  = archivetest.StrconvOctal
	realSizeField = archivetest.RealSizeField
)
