// Package metatest is the conformance suite of ferry.MetaStore. Every
// implementation (meta/sqlite, and any later one such as PostgreSQL) runs it
// from its own tests:
//
//	func TestConformance(t *testing.T) {
//		metatest.Run(t, func(t *testing.T) ferry.MetaStore {
//			s, err := sqlite.Open(filepath.Join(t.TempDir(), "meta.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// The suite pins down the contract written in ferry's store.go clause by
// clause: error codes, round trips of every field (the zero time included),
// compare-and-set that writes nothing when it fails, the usage window and
// the atomicity of quota checks under concurrent creates, keyset pagination,
// and the blob index's reference counting. It uses fixed times and no
// sleeps, so it is deterministic.
package metatest
