package metatest

import (
	"context"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/ferryhq/ferry"
)

func blobTests() []test {
	return []test{
		{"Blob/Attach", testAttachBlob},
		{"Blob/AttachConflictWritesNothing", testAttachConflict},
		{"Blob/MarkInspected", testMarkInspected},
		{"Blob/Share", testShareBlob},
		{"Blob/Unreferenced", testUnreferencedBlobs},
		{"Blob/Delete", testDeleteBlob},
		{"Blob/DeleteExcludesShare", testDeleteExcludesShare},
	}
}

func checkBlob(e *env, got, want *ferry.Blob) {
	e.t.Helper()
	if got == nil {
		e.t.Fatalf("blob %s: got nil", want.SHA256)
	}
	var d diff
	d.eq("SHA256", got.SHA256, want.SHA256)
	d.eq("Size", got.Size, want.Size)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.eq("Inspected", got.Inspected, want.Inspected)
	d.report(e.t, "blob "+want.SHA256)
}

func (e *env) blob(sha string) *ferry.Blob {
	e.t.Helper()
	b, err := e.s.Blob(e.ctx, sha)
	e.ok(err, "Blob")
	return b
}

// attach moves t from uploading to inspecting with the content of sha,
// recording the blob as inspected under version.
func (e *env) attach(t *ferry.Transfer, sha, version string) *ferry.Blob {
	e.t.Helper()
	b := &ferry.Blob{SHA256: sha, Size: t.Size, CreatedAt: t.CreatedAt.Add(time.Minute), Inspected: version}
	t.SHA256, t.State, t.UpdatedAt = sha, ferry.StateInspecting, b.CreatedAt
	e.ok(e.s.AttachBlob(e.ctx, t, b, ferry.StateUploading), "AttachBlob("+t.ID+")")
	return b
}

func testAttachBlob(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	t1 := e.create(transfer("t1", alice, base(), 42, ferry.StateUploading, bob))
	b := e.attach(t1, hex64('a'), "")
	checkBlob(e, e.blob(hex64('a')), b)
	checkTransfer(e.t, e.get("t1"), t1)
	_, err := e.s.Blob(e.ctx, hex64('f'))
	e.wantCode(err, ferry.CodeNotFound, "Blob(unknown)")

	// Attaching known content keeps the existing record and its version.
	e.ok(e.s.MarkInspected(e.ctx, hex64('a'), "v1"), "MarkInspected")
	t2 := e.create(transfer("t2", alice, at(time.Hour), 42, ferry.StateUploading, bob))
	e.attach(t2, hex64('a'), "v2")
	want := *b
	want.Inspected = "v1"
	checkBlob(e, e.blob(hex64('a')), &want)
	checkTransfer(e.t, e.get("t2"), t2)
}

func testAttachConflict(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	t1 := e.create(transfer("t1", alice, base(), 42, ferry.StateAvailable, bob))
	upd := *t1
	upd.SHA256, upd.State = hex64('b'), ferry.StateInspecting
	err := e.s.AttachBlob(e.ctx, &upd, &ferry.Blob{SHA256: hex64('b'), Size: 42, CreatedAt: base()}, ferry.StateUploading)
	e.wantCode(err, ferry.CodeStateConflict, "AttachBlob(wrong state)")
	_, err = e.s.Blob(e.ctx, hex64('b'))
	e.wantCode(err, ferry.CodeNotFound, "Blob after a failed AttachBlob")
	checkTransfer(e.t, e.get("t1"), t1)

	upd.ID = "t-missing"
	err = e.s.AttachBlob(e.ctx, &upd, &ferry.Blob{SHA256: hex64('b'), Size: 42, CreatedAt: base()})
	e.wantCode(err, ferry.CodeNotFound, "AttachBlob(unknown transfer)")
	_, err = e.s.Blob(e.ctx, hex64('b'))
	e.wantCode(err, ferry.CodeNotFound, "Blob after AttachBlob of an unknown transfer")
}

func testMarkInspected(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	b := e.attach(e.create(transfer("t1", alice, base(), 7, ferry.StateUploading, bob)), hex64('a'), "v1")
	for _, v := range []string{"v2", ""} {
		e.ok(e.s.MarkInspected(e.ctx, hex64('a'), v), "MarkInspected")
		b.Inspected = v
		checkBlob(e, e.blob(hex64('a')), b)
	}
	e.wantCode(e.s.MarkInspected(e.ctx, hex64('f'), "v1"), ferry.CodeNotFound, "MarkInspected(unknown)")
}

func testShareBlob(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	b := e.attach(e.create(transfer("t1", alice, base(), 7, ferry.StateUploading, bob)), hex64('a'), "v1")
	share := func(id string, from ferry.State, sha, version string) (*ferry.Transfer, *ferry.Transfer, error) {
		before := transfer(id, bob, at(time.Hour), 7, from, alice)
		before.DeclaredSHA256 = sha
		e.create(before)
		after := *before
		after.SHA256, after.State = sha, ferry.StateAvailable
		after.AvailableAt, after.ExpiresAt, after.UpdatedAt = at(time.Hour), at(8*24*time.Hour), at(time.Hour)
		return before, &after, e.s.ShareBlob(e.ctx, &after, version, ferry.StateUploading)
	}
	_, after, err := share("ok", ferry.StateUploading, hex64('a'), "v1")
	e.ok(err, "ShareBlob")
	checkTransfer(e.t, e.get("ok"), after)

	before, _, err := share("old-version", ferry.StateUploading, hex64('a'), "v0")
	e.wantCode(err, ferry.CodeNotFound, "ShareBlob(another version)")
	checkTransfer(e.t, e.get("old-version"), before)
	before, _, err = share("missing", ferry.StateUploading, hex64('f'), "v1")
	e.wantCode(err, ferry.CodeNotFound, "ShareBlob(missing blob)")
	checkTransfer(e.t, e.get("missing"), before)
	before, _, err = share("recalled", ferry.StateRecalled, hex64('a'), "v1")
	e.wantCode(err, ferry.CodeStateConflict, "ShareBlob(wrong state)")
	checkTransfer(e.t, e.get("recalled"), before)
	checkBlob(e, e.blob(hex64('a')), b)
}

// blobFixture: blob a is held by a live transfer, b by a dead one only, c
// by a dead and a live one, d by none.
func blobFixture(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	e.attach(e.create(transfer("ta", alice, at(1*time.Minute), 1, ferry.StateUploading, bob)), hex64('a'), "v1")
	tb := e.create(transfer("tb", alice, at(2*time.Minute), 1, ferry.StateUploading, bob))
	e.attach(tb, hex64('b'), "v1")
	tb.State = ferry.StateRejected
	e.update(tb)
	tc1 := e.create(transfer("tc1", alice, at(3*time.Minute), 1, ferry.StateUploading, bob))
	e.attach(tc1, hex64('c'), "v1")
	tc1.State = ferry.StateExpired
	e.update(tc1)
	tc2 := e.create(transfer("tc2", alice, at(4*time.Minute), 1, ferry.StateUploading, bob))
	e.attach(tc2, hex64('c'), "v1")
	tc2.State = ferry.StateDownloaded
	e.update(tc2)
	td := e.create(transfer("td", alice, at(5*time.Minute), 1, ferry.StateUploading, bob))
	e.attach(td, hex64('d'), "v1")
	td.State, td.SHA256 = ferry.StateRecalled, "" // a transfer may also drop its SHA-256
	e.update(td)
}

func (e *env) unreferenced(limit int) []string {
	e.t.Helper()
	bs, err := e.s.UnreferencedBlobs(e.ctx, limit)
	e.ok(err, "UnreferencedBlobs")
	var shas []string
	for _, b := range bs {
		shas = append(shas, b.SHA256)
	}
	sort.Strings(shas)
	return shas
}

func testUnreferencedBlobs(e *env) {
	blobFixture(e)
	if got, want := e.unreferenced(10), []string{hex64('b'), hex64('d')}; !slices.Equal(got, want) {
		e.t.Errorf("UnreferencedBlobs = %q, want %q", got, want)
	}
	if got := e.unreferenced(1); len(got) != 1 {
		e.t.Errorf("UnreferencedBlobs(1) = %q, want one", got)
	}
	ta := e.get("ta")
	for _, st := range []ferry.State{ferry.StateInspecting, ferry.StateAvailable, ferry.StateDownloaded} {
		ta.State = st
		e.update(ta)
		if got := e.unreferenced(10); slices.Contains(got, hex64('a')) {
			e.t.Errorf("blob of a transfer in state %s is unreferenced", st)
		}
	}
	ta.State = ferry.StateExpired
	e.update(ta)
	if got, want := e.unreferenced(10), []string{hex64('a'), hex64('b'), hex64('d')}; !slices.Equal(got, want) {
		e.t.Errorf("UnreferencedBlobs after ta expired = %q, want %q", got, want)
	}
}

func testDeleteBlob(e *env) {
	blobFixture(e)
	calls := 0
	remove := func(context.Context) error { calls++; return nil }
	for _, sha := range []string{hex64('a'), hex64('c'), hex64('f')} { // live, live, unknown
		ok, err := e.s.DeleteBlob(e.ctx, sha, remove)
		if ok || err != nil || calls != 0 {
			e.t.Errorf("DeleteBlob(%.8s) = %v, %v after %d removes; want false, nil, none", sha, ok, err, calls)
		}
		if sha != hex64('f') {
			e.blob(sha) // still there
		}
	}
	errRemove := errors.New("disk on fire")
	ok, err := e.s.DeleteBlob(e.ctx, hex64('b'), func(context.Context) error { calls++; return errRemove })
	if ok || err != errRemove || calls != 1 {
		e.t.Errorf("DeleteBlob(failing remove) = %v, %v after %d removes; want false, the remove error, 1", ok, err, calls)
	}
	e.blob(hex64('b')) // the record stays

	ok, err = e.s.DeleteBlob(e.ctx, hex64('b'), remove)
	if !ok || err != nil || calls != 2 {
		e.t.Errorf("DeleteBlob(b) = %v, %v after %d removes; want true, nil, 2", ok, err, calls)
	}
	_, err = e.s.Blob(e.ctx, hex64('b'))
	e.wantCode(err, ferry.CodeNotFound, "Blob after DeleteBlob")
	ok, err = e.s.DeleteBlob(e.ctx, hex64('b'), remove)
	if ok || err != nil || calls != 2 {
		e.t.Errorf("DeleteBlob(b) again = %v, %v; want false, nil, no remove", ok, err)
	}

	// Once the last live transfer leaves, the blob can go.
	tc2 := e.get("tc2")
	tc2.State = ferry.StateExpired
	e.update(tc2)
	ok, err = e.s.DeleteBlob(e.ctx, hex64('c'), remove)
	if !ok || err != nil || calls != 3 {
		e.t.Errorf("DeleteBlob(c) after its transfers ended = %v, %v; want true, nil", ok, err)
	}
	if got, want := e.unreferenced(10), []string{hex64('d')}; !slices.Equal(got, want) {
		e.t.Errorf("UnreferencedBlobs after deletes = %q, want %q", got, want)
	}
}

// testDeleteExcludesShare: a ShareBlob that starts while DeleteBlob holds
// the blob must wait for it, and then find the blob gone.
func testDeleteExcludesShare(e *env) {
	blobFixture(e)
	alice, bob := e.get("tb").SenderID, e.get("tb").Recipients[0].AccountID
	tr := &ferry.Transfer{ID: "late", SenderID: bob, Name: "late", Size: 1, State: ferry.StateUploading,
		Recipients: []ferry.Recipient{{AccountID: alice}}, CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	e.create(tr)
	shared := make(chan error, 1)
	ok, err := e.s.DeleteBlob(e.ctx, hex64('b'), func(ctx context.Context) error {
		go func() {
			upd := *tr
			upd.SHA256, upd.State = hex64('b'), ferry.StateAvailable
			shared <- e.s.ShareBlob(e.ctx, &upd, "v1", ferry.StateUploading)
		}()
		return nil
	})
	if !ok || err != nil {
		e.t.Fatalf("DeleteBlob = %v, %v", ok, err)
	}
	e.wantCode(<-shared, ferry.CodeNotFound, "ShareBlob during DeleteBlob")
	if got := e.get("late"); got.State != ferry.StateUploading || got.SHA256 != "" {
		e.t.Errorf("a transfer took a deleted blob: %+v", got)
	}
}
