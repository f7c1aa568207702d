package policy

import (
	"encoding/hex"
	"strconv"
	"strings"
)

// DefaultTypes returns the default type catalogue: over 500 extensions in
// the groups document, image, media, archive, professional, code, font and
// executable, each format with the signature its specification gives, where
// it has one. Formats built on a container (docx on zip, xls on OLE, mov on
// the ISO media file) name it as their Container. Each call returns a new
// catalogue.
func DefaultTypes() Types {
	return Types{
		"document":     documentTypes(),
		"image":        imageTypes(),
		"media":        mediaTypes(),
		"archive":      archiveTypes(),
		"professional": professionalTypes(),
		"code":         codeTypes(),
		"font":         fontTypes(),
		"executable":   executableTypes(),
	}
}

// DefaultBlocked returns the extensions refused for everyone (1003):
// shortcuts, links and files that Windows runs or imports silently when
// opened from an attachment. Ordinary programs are not here: the default
// tiers simply do not whitelist the executable group.
func DefaultBlocked() []string {
	return []string{
		// shortcuts and links
		".lnk", ".url", ".scf", ".pif", ".website", ".webloc", ".desktop",
		".library-ms", ".searchconnector-ms", ".settingcontent-ms", ".appref-ms",
		// script hosts, installers and system files run by a double click
		".hta", ".inf", ".reg", ".scr", ".cpl", ".msc", ".jse", ".vbe", ".wsf", ".wsh",
		".application", ".gadget",
	}
}

// sig reads signatures written as "OFFSET:HEX", or as "OFFSET:" followed by
// a Go-quoted string (`0:"%PDF"`) where the specification gives text. The
// catalogue is constant data, checked by its tests: a mistake panics.
func sig(texts ...string) []Signature {
	out := make([]Signature, 0, len(texts))
	for _, t := range texts {
		off, val, _ := strings.Cut(t, ":")
		if strings.HasPrefix(val, `"`) {
			s, err := strconv.Unquote(val)
			if err != nil {
				panic("policy: catalogue signature " + t + ": " + err.Error())
			}
			val = hex.EncodeToString([]byte(s))
		}
		s, err := ParseSignature(off + ":" + val)
		if err != nil {
			panic("policy: catalogue " + err.Error())
		}
		out = append(out, s)
	}
	return out
}

// The signatures that several formats share.
const (
	oleMagic = "0:d0cf11e0a1b11ae1"
	mzMagic  = "0:4d5a"
	elfMagic = "0:7f454c46"
	isoStep  = `0:"ISO-10303-21;"`
	psAdobe  = `0:"%!PS-Adobe"`
)

func documentTypes() []*FileType {
	return []*FileType{
		{Name: "pdf", Extensions: []string{".pdf"}, Magic: sig(`0:"%PDF"`)},
		{Name: "ole", Magic: sig(oleMagic)}, // OLE2 compound file: no extension of its own; the container of doc, xls, ppt, msi…
		// doc and xls also pass as text: Word and many web systems save RTF, HTML or CSV under these names.
		{Name: "doc", Extensions: []string{".doc", ".dot"}, Container: "ole", Text: true},
		// A password-protected docx, xlsx or pptx is an OLE file holding the encrypted zip.
		{Name: "docx", Extensions: []string{".docx", ".docm", ".dotx", ".dotm"}, Magic: sig(oleMagic), Container: "zip"},
		{Name: "odt", Extensions: []string{".odt", ".ott"}, Magic: sig(`30:"mimetypeapplication/vnd.oasis.opendocument.text"`), Container: "zip"},
		{Name: "rtf", Extensions: []string{".rtf"}, Magic: sig("0:7b5c72746631")},
		{Name: "txt", Extensions: []string{".txt", ".text"}, Text: true},
		{Name: "md", Extensions: []string{".md", ".markdown", ".mdown", ".mkd"}, Text: true},
		{Name: "rst", Extensions: []string{".rst", ".adoc", ".asciidoc", ".org"}, Text: true},
		{Name: "tex", Extensions: []string{".tex", ".bib", ".ltx", ".sty", ".cls"}, Text: true},
		{Name: "epub", Extensions: []string{".epub"}, Magic: sig(`30:"mimetypeapplication/epub+zip"`), Container: "zip"},
		{Name: "mobi", Extensions: []string{".mobi", ".azw", ".azw3"}, Magic: sig(`60:"BOOKMOBI"`)},
		{Name: "fb2", Extensions: []string{".fb2"}, Text: true},
		{Name: "djvu", Extensions: []string{".djvu", ".djv"}, Magic: sig(`0:"AT&TFORM"`)},
		{Name: "xps", Extensions: []string{".xps", ".oxps"}, Container: "zip"},
		{Name: "ofd", Extensions: []string{".ofd"}, Container: "zip"}, // GB/T 33190, China's fixed-layout format
		{Name: "caj", Extensions: []string{".caj", ".kdh", ".nh"}},    // CNKI papers: no published signature
		{Name: "ppt", Extensions: []string{".ppt", ".pps", ".pot"}, Container: "ole"},
		{Name: "pptx", Extensions: []string{".pptx", ".pptm", ".ppsx", ".ppsm", ".potx", ".potm"}, Magic: sig(oleMagic), Container: "zip"},
		{Name: "odp", Extensions: []string{".odp", ".otp"}, Magic: sig(`30:"mimetypeapplication/vnd.oasis.opendocument.presentation"`), Container: "zip"},
		{Name: "xls", Extensions: []string{".xls", ".xlt"}, Container: "ole", Text: true},
		{Name: "xlsx", Extensions: []string{".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xlam"}, Magic: sig(oleMagic), Container: "zip"},
		{Name: "ods", Extensions: []string{".ods", ".ots"}, Magic: sig(`30:"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"`), Container: "zip"},
		{Name: "odg", Extensions: []string{".odg", ".otg"}, Magic: sig(`30:"mimetypeapplication/vnd.oasis.opendocument.graphics"`), Container: "zip"},
		{Name: "csv", Extensions: []string{".csv"}, Text: true},
		{Name: "tsv", Extensions: []string{".tsv", ".tab"}, Text: true},
		{Name: "pages", Extensions: []string{".pages"}, Container: "zip"},
		{Name: "key", Extensions: []string{".key"}, Container: "zip", Text: true}, // PEM keys are named .key too
		{Name: "numbers", Extensions: []string{".numbers"}, Container: "zip"},
		{Name: "wps", Extensions: []string{".wps", ".wpt"}, Container: "ole"}, // WPS Office (Kingsoft) writer
		{Name: "et", Extensions: []string{".et", ".ett"}, Container: "ole"},   // WPS spreadsheets
		{Name: "dps", Extensions: []string{".dps", ".dpt"}, Container: "ole"}, // WPS presentation
		{Name: "hwp", Extensions: []string{".hwp"}, Container: "ole"},
		{Name: "wpd", Extensions: []string{".wpd"}, Magic: sig("0:ff575043")},
		{Name: "vsd", Extensions: []string{".vsd", ".vss", ".vst"}, Container: "ole"},
		{Name: "vsdx", Extensions: []string{".vsdx", ".vssx", ".vstx"}, Container: "zip"},
		{Name: "pub", Extensions: []string{".pub"}, Container: "ole"},
		{Name: "one", Extensions: []string{".one"}, Magic: sig("0:e4525c7b8cd8a74daeb15378d02996d3")},
		{Name: "onetoc", Extensions: []string{".onetoc2"}, Magic: sig("0:a12fff43d9ef764c9ee210ea5722765f")},
		{Name: "msg", Extensions: []string{".msg"}, Container: "ole"},
		{Name: "eml", Extensions: []string{".eml", ".mbox"}, Text: true},
		{Name: "ics", Extensions: []string{".ics", ".vcs"}, Text: true},
		{Name: "vcf", Extensions: []string{".vcf", ".vcard"}, Text: true},
		{Name: "ps", Extensions: []string{".ps"}, Magic: sig(`0:"%!"`)},
		{Name: "xmind", Extensions: []string{".xmind"}, Container: "zip"},
		{Name: "cbz", Extensions: []string{".cbz"}, Container: "zip"},
		{Name: "cbr", Extensions: []string{".cbr"}, Container: "rar"},
		{Name: "cb7", Extensions: []string{".cb7"}, Container: "7z"},
	}
}

func imageTypes() []*FileType {
	ftyp := func(brands ...string) []Signature {
		var out []Signature
		for _, b := range brands {
			out = append(out, sig(`4:"ftyp`+b+`"`)...)
		}
		return out
	}
	return []*FileType{
		{Name: "jpeg", Extensions: []string{".jpg", ".jpeg", ".jpe", ".jfif", ".pjpeg", ".pjp"}, Magic: sig("0:ffd8ff")},
		{Name: "png", Extensions: []string{".png"}, Magic: sig("0:89504e470d0a1a0a")},
		{Name: "apng", Extensions: []string{".apng"}, Container: "png"},
		{Name: "gif", Extensions: []string{".gif"}, Magic: sig(`0:"GIF87a"`, `0:"GIF89a"`)},
		{Name: "webp", Extensions: []string{".webp"}, Magic: sig(`8:"WEBP"`)},
		{Name: "bmp", Extensions: []string{".bmp", ".dib"}, Magic: sig(`0:"BM"`)},
		{Name: "tiff", Extensions: []string{".tif", ".tiff"}, Magic: sig("0:49492a00", "0:4d4d002a", "0:49492b00", "0:4d4d002b")},
		{Name: "heif", Extensions: []string{".heic", ".heif", ".hif"}, Magic: ftyp("heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "mif2", "msf1")},
		{Name: "avif", Extensions: []string{".avif"}, Magic: ftyp("avif", "avis", "mif1")},
		{Name: "svg", Extensions: []string{".svg"}, Text: true},
		{Name: "svgz", Extensions: []string{".svgz"}, Container: "gzip"},
		{Name: "ico", Extensions: []string{".ico"}, Magic: sig("0:00000100")},
		{Name: "cur", Extensions: []string{".cur"}, Magic: sig("0:00000200")},
		{Name: "icns", Extensions: []string{".icns"}, Magic: sig(`0:"icns"`)},
		{Name: "jp2", Extensions: []string{".jp2", ".j2k", ".j2c", ".jpf", ".jpx", ".jpm"}, Magic: sig("0:0000000c6a5020200d0a870a", "0:ff4fff51")},
		{Name: "jxl", Extensions: []string{".jxl"}, Magic: sig("0:ff0a", "0:0000000c4a584c200d0a870a")},
		{Name: "jxr", Extensions: []string{".jxr", ".wdp", ".hdp"}, Magic: sig("0:4949bc")},
		{Name: "qoi", Extensions: []string{".qoi"}, Magic: sig(`0:"qoif"`)},
		{Name: "mng", Extensions: []string{".mng"}, Magic: sig("0:8a4d4e470d0a1a0a")},
		{Name: "jng", Extensions: []string{".jng"}, Magic: sig("0:8b4a4e470d0a1a0a")},
		{Name: "pcx", Extensions: []string{".pcx"}, Magic: sig("0:0a00", "0:0a02", "0:0a03", "0:0a04", "0:0a05")},
		{Name: "pnm", Extensions: []string{".pbm", ".pgm", ".ppm", ".pnm", ".pam"}, Magic: sig(`0:"P1"`, `0:"P2"`, `0:"P3"`, `0:"P4"`, `0:"P5"`, `0:"P6"`, `0:"P7"`)},
		{Name: "tga", Extensions: []string{".tga", ".icb", ".vda"}},                                                  // the TGA signature is in its footer
		{Name: "hdr", Extensions: []string{".hdr", ".rgbe"}, Magic: sig(`0:"#?RADIANCE"`, `0:"#?RGBE"`), Text: true}, // Radiance; ENVI headers are text
		{Name: "exr", Extensions: []string{".exr"}, Magic: sig("0:762f3101")},
		{Name: "dds", Extensions: []string{".dds"}, Magic: sig(`0:"DDS "`)},
		{Name: "emf", Extensions: []string{".emf"}, Magic: sig(`40:" EMF"`)},
		{Name: "wmf", Extensions: []string{".wmf"}, Magic: sig("0:d7cdc69a", "0:01000900", "0:02000900")},
		{Name: "xpm", Extensions: []string{".xpm", ".xbm"}, Text: true},
		// camera raw: most are TIFF inside
		{Name: "cr2", Extensions: []string{".cr2"}, Magic: sig("0:49492a00100000004352"), Container: "tiff"},
		{Name: "crw", Extensions: []string{".crw"}, Magic: sig(`0:"II\x1a\x00\x00\x00HEAPCCDR"`)},
		{Name: "cr3", Extensions: []string{".cr3"}, Magic: ftyp("crx ")},
		{Name: "nef", Extensions: []string{".nef", ".nrw"}, Container: "tiff"},
		{Name: "arw", Extensions: []string{".arw", ".srf", ".sr2"}, Container: "tiff"},
		{Name: "dng", Extensions: []string{".dng"}, Container: "tiff"},
		{Name: "orf", Extensions: []string{".orf"}, Magic: sig(`0:"IIRO"`, `0:"IIRS"`, `0:"MMOR"`)},
		{Name: "rw2", Extensions: []string{".rw2", ".rwl"}, Magic: sig("0:49495500")},
		{Name: "raf", Extensions: []string{".raf"}, Magic: sig(`0:"FUJIFILMCCD-RAW"`)},
		{Name: "pef", Extensions: []string{".pef", ".ptx"}, Container: "tiff"},
		{Name: "srw", Extensions: []string{".srw"}, Container: "tiff"},
		{Name: "x3f", Extensions: []string{".x3f"}, Magic: sig(`0:"FOVb"`)},
		{Name: "mrw", Extensions: []string{".mrw"}, Magic: sig("0:004d524d")},
		{Name: "tiff-raw", Extensions: []string{".3fr", ".erf", ".kdc", ".dcr", ".mos", ".iiq", ".mef"}, Container: "tiff"},
	}
}

func mediaTypes() []*FileType {
	return []*FileType{
		// any ISO base media or QuickTime file: an ftyp box, or (older files) another top-level atom first
		{Name: "mp4", Extensions: []string{".mp4", ".m4v", ".f4v"}, Magic: sig(`4:"ftyp"`, `4:"moov"`, `4:"mdat"`, `4:"free"`, `4:"wide"`, `4:"skip"`)},
		{Name: "mov", Extensions: []string{".mov", ".qt"}, Magic: sig(`4:"ftypqt  "`, `4:"pnot"`), Container: "mp4"},
		{Name: "m4a", Extensions: []string{".m4a", ".m4b", ".m4p", ".m4r"}, Magic: sig(`4:"ftypM4A "`, `4:"ftypM4B "`, `4:"ftypM4P "`), Container: "mp4"},
		{Name: "3gp", Extensions: []string{".3gp", ".3gpp", ".3g2", ".3gp2"}, Magic: sig(`4:"ftyp3gp"`, `4:"ftyp3g2"`), Container: "mp4"},
		{Name: "mkv", Extensions: []string{".mkv", ".mka", ".mks", ".mk3d"}, Magic: sig("0:1a45dfa3")},
		{Name: "webm", Extensions: []string{".webm"}, Container: "mkv"},
		{Name: "avi", Extensions: []string{".avi", ".divx"}, Magic: sig(`8:"AVI "`)},
		{Name: "asf", Extensions: []string{".asf", ".wmv", ".wma"}, Magic: sig("0:3026b2758e66cf11a6d900aa0062ce6c")},
		{Name: "flv", Extensions: []string{".flv"}, Magic: sig("0:464c5601")},
		{Name: "mpeg", Extensions: []string{".mpg", ".mpeg", ".mpe", ".m1v", ".m2v", ".vob", ".m2p"}, Magic: sig("0:000001ba", "0:000001b3")},
		// MPEG transport streams: the 0x47 sync byte is too weak a signature. (TypeScript's .ts is taken by them.)
		{Name: "mpeg-ts", Extensions: []string{".ts", ".mts", ".m2ts", ".m2t"}},
		{Name: "rm", Extensions: []string{".rm", ".rmvb"}, Magic: sig(`0:".RMF"`)},
		{Name: "ra", Extensions: []string{".ra"}, Magic: sig("0:2e7261fd")},
		{Name: "mxf", Extensions: []string{".mxf"}, Magic: sig("0:060e2b34")},
		{Name: "vendor-video", Extensions: []string{".qsv", ".qlv", ".kux"}}, // iQiyi, Tencent, Youku downloads: no published signature
		{Name: "mp3", Extensions: []string{".mp3"}, Magic: sig(`0:"ID3"`, "0:fffb", "0:fffa", "0:fff3", "0:fff2", "0:ffe3", "0:ffe2")},
		{Name: "aac", Extensions: []string{".aac", ".adts"}, Magic: sig("0:fff1", "0:fff9", `0:"ADIF"`, `0:"ID3"`)},
		{Name: "wav", Extensions: []string{".wav", ".wave"}, Magic: sig(`8:"WAVE"`)},
		{Name: "flac", Extensions: []string{".flac"}, Magic: sig(`0:"fLaC"`, `0:"ID3"`)}, // some taggers put ID3 first
		{Name: "ogg", Extensions: []string{".ogg", ".oga", ".ogx"}, Magic: sig(`0:"OggS"`)},
		{Name: "ogv", Extensions: []string{".ogv"}, Magic: sig(`28:"\x80theora"`), Container: "ogg"},
		{Name: "opus", Extensions: []string{".opus"}, Magic: sig(`28:"OpusHead"`), Container: "ogg"},
		{Name: "spx", Extensions: []string{".spx"}, Magic: sig(`28:"Speex   "`), Container: "ogg"},
		{Name: "amr", Extensions: []string{".amr"}, Magic: sig(`0:"#!AMR\n"`, `0:"#!AMR-WB\n"`)},
		{Name: "aiff", Extensions: []string{".aif", ".aiff", ".aifc"}, Magic: sig(`8:"AIFF"`, `8:"AIFC"`)},
		{Name: "midi", Extensions: []string{".mid", ".midi", ".kar"}, Magic: sig(`0:"MThd"`)},
		{Name: "ape", Extensions: []string{".ape"}, Magic: sig(`0:"MAC "`)},
		{Name: "wv", Extensions: []string{".wv"}, Magic: sig(`0:"wvpk"`)},
		{Name: "ac3", Extensions: []string{".ac3"}, Magic: sig("0:0b77")},
		{Name: "dts", Extensions: []string{".dts"}, Magic: sig("0:7ffe8001")},
		{Name: "au", Extensions: []string{".au", ".snd"}, Magic: sig(`0:".snd"`)},
		{Name: "caf", Extensions: []string{".caf"}, Magic: sig(`0:"caff"`)},
		{Name: "dsf", Extensions: []string{".dsf"}, Magic: sig(`0:"DSD "`)},
		{Name: "dff", Extensions: []string{".dff"}, Magic: sig(`0:"FRM8"`)},
		{Name: "playlist", Extensions: []string{".m3u", ".m3u8", ".pls", ".cue"}, Text: true},
		{Name: "subtitle", Extensions: []string{".srt", ".ass", ".ssa", ".vtt", ".lrc"}, Text: true},
	}
}

func archiveTypes() []*FileType {
	return []*FileType{
		{Name: "zip", Extensions: []string{".zip", ".zipx"}, Magic: sig("0:504b0304", "0:504b0506", "0:504b0708")},
		{Name: "rar", Extensions: []string{".rar"}, Magic: sig("0:526172211a0700", "0:526172211a070100")},
		{Name: "7z", Extensions: []string{".7z"}, Magic: sig("0:377abcaf271c")},
		{Name: "tar", Extensions: []string{".tar"}, Magic: sig(`257:"ustar"`)},
		{Name: "gzip", Extensions: []string{".gz", ".gzip"}, Magic: sig("0:1f8b")},
		{Name: "tgz", Extensions: []string{".tgz", ".tar.gz"}, Container: "gzip"},
		{Name: "bzip2", Extensions: []string{".bz2", ".bz"}, Magic: sig(`0:"BZh"`)},
		{Name: "tbz2", Extensions: []string{".tbz2", ".tbz", ".tb2", ".tar.bz2"}, Container: "bzip2"},
		{Name: "xz", Extensions: []string{".xz"}, Magic: sig("0:fd377a585a00")},
		{Name: "txz", Extensions: []string{".txz", ".tar.xz"}, Container: "xz"},
		{Name: "zstd", Extensions: []string{".zst", ".zstd"}, Magic: sig("0:28b52ffd")},
		{Name: "tzst", Extensions: []string{".tzst", ".tar.zst"}, Container: "zstd"},
		{Name: "lzma", Extensions: []string{".lzma"}, Magic: sig("0:5d0000")},
		{Name: "lzip", Extensions: []string{".lz"}, Magic: sig(`0:"LZIP"`)},
		{Name: "lz4", Extensions: []string{".lz4"}, Magic: sig("0:04224d18")},
		{Name: "lzo", Extensions: []string{".lzo"}, Magic: sig("0:894c5a4f000d0a1a0a")},
		{Name: "compress", Extensions: []string{".z"}, Magic: sig("0:1f9d"), Container: "gzip"}, // .Z; old gzip wrote .z
		{Name: "brotli", Extensions: []string{".br"}},                                           // a brotli stream has no signature
		{Name: "cab", Extensions: []string{".cab"}, Magic: sig(`0:"MSCF"`)},
		{Name: "arj", Extensions: []string{".arj"}, Magic: sig("0:60ea")},
		{Name: "lzh", Extensions: []string{".lzh", ".lha"}, Magic: sig(`2:"-lh"`, `2:"-lz"`)},
		{Name: "ace", Extensions: []string{".ace"}, Magic: sig(`7:"**ACE**"`)},
		{Name: "sit", Extensions: []string{".sit"}, Magic: sig(`0:"SIT!"`, `0:"StuffIt "`)},
		{Name: "cpio", Extensions: []string{".cpio"}, Magic: sig(`0:"070701"`, `0:"070702"`, `0:"070707"`, "0:c771", "0:71c7")},
		{Name: "iso", Extensions: []string{".iso", ".udf"}}, // its signature is at 32 KiB, past what is sniffed
		{Name: "img", Extensions: []string{".img", ".vhd"}}, // raw and fixed disk images: no signature at the start
		{Name: "wim", Extensions: []string{".wim", ".swm", ".esd"}, Magic: sig(`0:"MSWIM\x00\x00\x00"`)},
		{Name: "vhdx", Extensions: []string{".vhdx"}, Magic: sig(`0:"vhdxfile"`)},
		{Name: "vmdk", Extensions: []string{".vmdk"}, Magic: sig(`0:"KDMV"`), Text: true}, // sparse extent, or a text descriptor
		{Name: "qcow", Extensions: []string{".qcow", ".qcow2"}, Magic: sig("0:514649fb")},
	}
}

func professionalTypes() []*FileType {
	return []*FileType{
		{Name: "psd", Extensions: []string{".psd", ".psb"}, Magic: sig(`0:"8BPS"`)},
		{Name: "eps", Extensions: []string{".eps", ".epsf", ".epsi"}, Magic: sig(psAdobe, "0:c5d0d3c6")},
		{Name: "ai", Extensions: []string{".ai"}, Magic: sig(psAdobe), Container: "pdf"}, // PDF since Illustrator 9, PostScript before
		{Name: "indd", Extensions: []string{".indd", ".indt"}, Magic: sig("0:0606edf5d81d46e5bd31efe7fe74b71d")},
		{Name: "idml", Extensions: []string{".idml"}, Container: "zip"},
		{Name: "sketch", Extensions: []string{".sketch"}, Container: "zip"},
		{Name: "fig", Extensions: []string{".fig"}, Magic: sig(`0:"fig-kiwi"`), Container: "zip"}, // newer local copies are zip
		{Name: "xd", Extensions: []string{".xd"}, Container: "zip"},
		{Name: "xcf", Extensions: []string{".xcf"}, Magic: sig(`0:"gimp xcf"`)},
		{Name: "kra", Extensions: []string{".kra", ".ora"}, Container: "zip"},
		{Name: "clip", Extensions: []string{".clip"}, Magic: sig(`0:"CSFCHUNK"`)},
		{Name: "cdr", Extensions: []string{".cdr"}, Magic: sig(`8:"CDR"`, `8:"cdr"`), Container: "zip"}, // RIFF before X4, zip after
		{Name: "affinity", Extensions: []string{".afdesign", ".afphoto", ".afpub"}},
		{Name: "aep", Extensions: []string{".aep"}, Magic: sig(`0:"RIFX"`)},
		{Name: "prproj", Extensions: []string{".prproj"}, Container: "gzip"},
		// blend files may be saved compressed: zstd since Blender 3.0, gzip before
		{Name: "blend", Extensions: []string{".blend"}, Magic: sig(`0:"BLENDER"`, "0:28b52ffd", "0:1f8b")},
		{Name: "fbx", Extensions: []string{".fbx"}, Magic: sig(`0:"Kaydara FBX Binary  "`), Text: true},
		{Name: "obj", Extensions: []string{".obj", ".mtl"}, Text: true}, // Wavefront, not COFF object code
		{Name: "stl", Extensions: []string{".stl"}},                     // binary STL starts with a free-form header
		{Name: "ply", Extensions: []string{".ply"}, Magic: sig(`0:"ply\n"`, `0:"ply\r\n"`)},
		{Name: "gltf", Extensions: []string{".gltf"}, Text: true},
		{Name: "glb", Extensions: []string{".glb"}, Magic: sig(`0:"glTF"`)},
		{Name: "usdz", Extensions: []string{".usdz"}, Container: "zip"},
		{Name: "3mf", Extensions: []string{".3mf"}, Container: "zip"},
		{Name: "dae", Extensions: []string{".dae"}, Text: true},
		{Name: "3ds", Extensions: []string{".3ds"}, Magic: sig("0:4d4d")},
		{Name: "max", Extensions: []string{".max"}, Container: "ole"},
		{Name: "maya", Extensions: []string{".mb"}, Magic: sig(`0:"FOR4"`, `0:"FOR8"`)},
		{Name: "maya-ascii", Extensions: []string{".ma"}, Text: true},
		{Name: "c4d", Extensions: []string{".c4d"}},
		{Name: "3dm", Extensions: []string{".3dm"}, Magic: sig(`0:"3D Geometry File Format "`)},
		{Name: "skp", Extensions: []string{".skp"}, Magic: sig("0:fffeff0e53006b00650074006300680055007000")}, // "SketchUp" in UTF-16
		{Name: "step", Extensions: []string{".step", ".stp", ".p21"}, Magic: sig(isoStep), Text: true},
		{Name: "ifc", Extensions: []string{".ifc"}, Magic: sig(isoStep), Text: true},
		{Name: "iges", Extensions: []string{".iges", ".igs"}, Text: true},
		{Name: "dwg", Extensions: []string{".dwg", ".dwt"}, Magic: sig(`0:"AC10"`, `0:"AC1."`, `0:"AC2."`)}, // AC1012… since R13; AC1.x, AC2.x before
		{Name: "dxf", Extensions: []string{".dxf"}, Magic: sig(`0:"AutoCAD Binary DXF"`), Text: true},
		{Name: "dwf", Extensions: []string{".dwf"}, Magic: sig(`0:"(DWF V"`)},
		{Name: "dwfx", Extensions: []string{".dwfx"}, Container: "zip"},
		{Name: "dgn", Extensions: []string{".dgn"}},
		{Name: "solidworks", Extensions: []string{".sldprt", ".sldasm", ".slddrw"}},
		{Name: "catia", Extensions: []string{".catpart", ".catproduct", ".catdrawing"}},
		{Name: "inventor", Extensions: []string{".ipt", ".iam", ".idw"}},
		{Name: "revit", Extensions: []string{".rvt", ".rfa", ".rte"}, Container: "ole"},
		{Name: "mpp", Extensions: []string{".mpp"}, Container: "ole"},
		{Name: "shp", Extensions: []string{".shp"}, Magic: sig("0:0000270a")},
		{Name: "kml", Extensions: []string{".kml", ".gpx"}, Text: true},
		{Name: "kmz", Extensions: []string{".kmz"}, Container: "zip"},
		{Name: "dicom", Extensions: []string{".dcm", ".dicom"}, Magic: sig(`128:"DICM"`)},
	}
}

func codeTypes() []*FileType {
	text := func(name string, exts ...string) *FileType {
		return &FileType{Name: name, Extensions: exts, Text: true}
	}
	return []*FileType{
		text("go", ".go"),
		text("python", ".py", ".pyw", ".pyi"),
		text("ipynb", ".ipynb"),
		text("javascript", ".js", ".mjs", ".cjs", ".jsx"),
		text("typescript", ".tsx", ".cts"), // .ts and .mts are MPEG transport streams (media)
		text("java", ".java"),
		text("kotlin", ".kt", ".kts"),
		text("scala", ".scala", ".sc"),
		text("groovy", ".groovy", ".gradle"),
		text("c", ".c", ".h"),
		text("cpp", ".cpp", ".cc", ".cxx", ".hpp", ".hh", ".hxx", ".ino"),
		text("csharp", ".cs", ".csx"),
		text("vbnet", ".vb"),
		text("fsharp", ".fs", ".fsx"),
		text("objc", ".m", ".mm"),
		text("swift", ".swift"),
		text("rust", ".rs"),
		text("ruby", ".rb", ".gemspec"),
		text("php", ".php", ".phtml"),
		text("perl", ".pl", ".pm"),
		text("lua", ".lua"),
		text("r", ".r", ".rmd"),
		text("dart", ".dart"),
		text("elixir", ".ex", ".exs"),
		text("erlang", ".erl", ".hrl"),
		text("haskell", ".hs"),
		text("clojure", ".clj", ".cljs", ".edn"),
		text("zig", ".zig"),
		text("julia", ".jl"),
		text("asm", ".asm", ".s"),
		text("verilog", ".v", ".sv", ".vhdl"),
		text("shell", ".sh", ".bash", ".zsh", ".fish"),
		text("sql", ".sql"),
		text("json", ".json", ".jsonl", ".ndjson", ".geojson"),
		text("yaml", ".yaml", ".yml"),
		text("toml", ".toml"),
		text("ini", ".ini", ".cfg", ".conf", ".properties", ".env"),
		text("xml", ".xml", ".xsd", ".xsl", ".xslt", ".csproj", ".vcxproj"),
		{Name: "plist", Extensions: []string{".plist"}, Magic: sig(`0:"bplist00"`), Text: true},
		text("html", ".html", ".htm", ".xhtml", ".mht", ".mhtml"),
		text("css", ".css", ".scss", ".sass", ".less"),
		text("vue", ".vue", ".svelte"),
		text("proto", ".proto"),
		text("graphql", ".graphql", ".gql"),
		text("terraform", ".tf", ".hcl"),
		text("cmake", ".cmake"),
		text("diff", ".diff", ".patch"),
		text("log", ".log"),
		{Name: "sqlite", Extensions: []string{".sqlite", ".sqlite3", ".db3"}, Magic: sig(`0:"SQLite format 3\x00"`)},
	}
}

func fontTypes() []*FileType {
	return []*FileType{
		{Name: "ttf", Extensions: []string{".ttf"}, Magic: sig("0:0001000000", `0:"true"`)},
		{Name: "otf", Extensions: []string{".otf"}, Magic: sig(`0:"OTTO"`)},
		{Name: "ttc", Extensions: []string{".ttc"}, Magic: sig(`0:"ttcf"`)},
		{Name: "woff", Extensions: []string{".woff"}, Magic: sig(`0:"wOFF"`)},
		{Name: "woff2", Extensions: []string{".woff2"}, Magic: sig(`0:"wOF2"`)},
		{Name: "eot", Extensions: []string{".eot"}, Magic: sig(`34:"LP"`)},
		{Name: "pfb", Extensions: []string{".pfb"}, Magic: sig("0:8001")},
	}
}

func executableTypes() []*FileType {
	return []*FileType{
		{Name: "exe", Extensions: []string{".exe"}, Magic: sig(mzMagic)},
		{Name: "dll", Extensions: []string{".dll", ".ocx", ".sys", ".drv", ".efi"}, Magic: sig(mzMagic)},
		{Name: "com", Extensions: []string{".com"}}, // a DOS .com has no header
		{Name: "msi", Extensions: []string{".msi", ".msp", ".mst"}, Container: "ole"},
		{Name: "elf", Extensions: []string{".elf", ".so", ".ko"}, Magic: sig(elfMagic)},
		{Name: "appimage", Extensions: []string{".appimage"}, Container: "elf"},
		{Name: "class", Extensions: []string{".class"}, Magic: sig("0:cafebabe")},
		{Name: "macho", Extensions: []string{".dylib"}, Magic: sig("0:feedface", "0:feedfacf", "0:cefaedfe", "0:cffaedfe", "0:cafebabe")},
		{Name: "jar", Extensions: []string{".jar", ".war", ".ear"}, Container: "zip"},
		{Name: "apk", Extensions: []string{".apk", ".aab", ".xapk"}, Container: "zip"},
		{Name: "hap", Extensions: []string{".hap"}, Container: "zip"}, // HarmonyOS
		{Name: "ipa", Extensions: []string{".ipa"}, Container: "zip"},
		{Name: "appx", Extensions: []string{".appx", ".msix", ".appxbundle", ".msixbundle"}, Container: "zip"},
		{Name: "dex", Extensions: []string{".dex"}, Magic: sig(`0:"dex\n"`)},
		{Name: "crx", Extensions: []string{".crx"}, Magic: sig(`0:"Cr24"`)},
		{Name: "deb", Extensions: []string{".deb", ".udeb"}, Magic: sig(`0:"!<arch>\ndebian"`)},
		{Name: "rpm", Extensions: []string{".rpm"}, Magic: sig("0:edabeedb")},
		{Name: "dmg", Extensions: []string{".dmg"}}, // its "koly" block is at the end
		{Name: "pkg", Extensions: []string{".pkg", ".mpkg", ".xar"}, Magic: sig(`0:"xar!"`)},
		{Name: "snap", Extensions: []string{".snap"}, Magic: sig(`0:"hsqs"`)},
		{Name: "wasm", Extensions: []string{".wasm"}, Magic: sig(`0:"\x00asm"`)},
		{Name: "chm", Extensions: []string{".chm"}, Magic: sig(`0:"ITSF"`)},
		{Name: "swf", Extensions: []string{".swf"}, Magic: sig(`0:"FWS"`, `0:"CWS"`, `0:"ZWS"`)},
		{Name: "lnk", Extensions: []string{".lnk"}, Magic: sig("0:4c0000000114020000000000c000000000000046")}, // also blocked
		{Name: "bin", Extensions: []string{".bin", ".run"}},
		{Name: "bat", Extensions: []string{".bat", ".cmd"}, Text: true},
		{Name: "powershell", Extensions: []string{".ps1", ".psm1", ".psd1"}, Text: true},
		{Name: "vbs", Extensions: []string{".vbs"}, Text: true},
		{Name: "applescript", Extensions: []string{".applescript"}, Text: true},
	}
}
