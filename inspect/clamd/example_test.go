package clamd_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/inspect/clamd"
)

// A node wires clamd in when inspect.clamd.address is set, and says so
// either way.
func Example() {
	cfg := clamd.Config{Address: "tcp://127.0.0.1:3310"} // from ferry.yaml
	log := slog.Default()
	var inspectors []ferry.Inspector
	if !cfg.Enabled() {
		log.Warn("no malware scan: inspect.clamd.address is not set")
	} else {
		client, err := clamd.New(cfg)
		if err != nil {
			log.Error("configuration", "err", err)
			return
		}
		if v, err := client.Version(context.Background()); err != nil {
			log.Warn("clamd is not answering; uploads fail closed (5005) until it does", "address", client, "err", err)
		} else {
			log.Info("malware scan by clamd", "address", client, "version", v)
		}
		inspectors = append(inspectors, clamd.NewInspector(client, log))
	}
	_ = inspectors // to transfer.Options.Inspectors
}

func ExampleClient_Scan() {
	client, err := clamd.New(clamd.Config{Address: "unix:///run/clamav/clamd.ctl"})
	if err != nil {
		panic(err)
	}
	res, err := client.Scan(context.Background(), bytes.NewReader([]byte("hello")))
	switch {
	case err != nil:
		fmt.Println("not scanned:", err) // fail closed
	case res.Clean():
		fmt.Println("clean")
	default:
		fmt.Println("found", res.Signature)
	}
}
