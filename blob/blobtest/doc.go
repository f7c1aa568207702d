// Package blobtest is the conformance suite of ferry.BlobStore: every blob
// store (blob/local, and blob/s3 to come) runs it from its own tests and must
// pass it unchanged.
//
//	func TestConformance(t *testing.T) {
//		blobtest.Run(t, func(t *testing.T) ferry.BlobStore {
//			s, err := local.Open(t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// Each subtest gets a fresh, empty store from open. The suite checks every
// clause of the BlobStore contract: appends that resume, fail, are
// discarded or are cancelled; offset conflicts; commits, including of
// content already stored; reads with Seek; idempotent deletes; invalid IDs
// and SHA-256 sums; and, when the store implements ferry.BlobLister, that
// the listings match what was stored. It asserts error codes with
// ferry.ErrorCode and uses neither sleeps nor timing.
//
// Besides the contract written in ferry.BlobStore, the suite holds stores to
// two points the contract implies: Append returns the reader's error in its
// chain (so a *ferry.Error from the reader keeps its code), and a cancelled
// context stops an Append, keeping the bytes written before it.
package blobtest
