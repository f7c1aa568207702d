// Module gent2s writes ../../t2s_table.go from OpenCC's character table.
// It is a module of its own so that ferry's go.mod does not list the
// OpenCC data it reads.
module github.com/ferryhq/ferry/inspect/keywords/internal/gent2s

go 1.26

require github.com/longbridgeapp/opencc v0.3.13
