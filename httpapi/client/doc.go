// Package client is the Go client of ferry's HTTP API (v1). The ferry
// command line is built on it, and tests and integrators can use it too.
//
// A Client holds the server's base URL, the bearer token of a session, the
// language the server should answer in and the client version it reports.
// There is one method per endpoint, context first:
//
//	c := &client.Client{BaseURL: "https://ferry.example.org", Lang: "en", Version: "1.2.0"}
//	login, err := c.Login(ctx, wire.LoginRequest{Username: "ana", Password: pw})
//	c.Token = login.Token
//	created, err := c.CreateTransfer(ctx, wire.CreateTransferRequest{To: []string{"bo"}, Name: "a.pdf", Size: n})
//	err = c.Upload(ctx, created.UploadURL, f, n, client.UploadOptions{})
//
// Every response outside 2xx is returned as a *wire.Error whose Status is
// the HTTP status: the server's coded error when the body carries one, or
// one synthesised from the Ferry-Error-Code header (or, failing that, from
// the status) when it does not, e.g. for HEAD requests or a proxy's page.
//
// Transfers of content stream: Upload speaks tus 1.0.0 (resuming from the
// server's offset after a dropped connection, an offset conflict or a
// damaged chunk, with a bounded number of retries), Download resumes with
// Range and If-Range, and Proof answers an instant-transfer challenge. None
// of them holds more than a small buffer of a file in memory.
package client
