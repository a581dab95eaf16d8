// Command hostapp is a host app that runs a tenant's worker through a
// dynworker supervisor over gRPC. Start `dynworker serve` first, then:
//
//	go run ./examples/hostapp
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"

	"github.com/dynworker/dynworker/client"
)

const tenantWorker = `
import { WorkerEntrypoint } from "cloudflare:workers";

export default class extends WorkerEntrypoint {
  greet(name) {
    return "hello " + name + " from tenant " + this.ctx.props.tenant;
  }
  fetch(request) {
    return new Response("tenant " + this.ctx.props.tenant + " saw " + new URL(request.url).pathname + "\n");
  }
}
`

func main() {
	addr := flag.String("addr", "127.0.0.1:8790", "address of the supervisor's gRPC host API")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	c, err := client.Dial(*addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// The code is sent only when the supervisor does not have the worker.
	w, err := c.WithNamespace("tenants").Get(ctx, "tenant-42", func(context.Context) (*client.Code, error) {
		return &client.Code{
			CompatibilityDate: "2025-06-01",
			MainModule:        "main.js",
			Modules:           map[string]client.Module{"main.js": client.JS(tenantWorker)},
			DenyOutbound:      true,
		}, nil
	})
	if err != nil {
		log.Fatal(err)
	}
	ep := w.Entrypoint("", map[string]any{"tenant": "42"})

	greeting, err := ep.Call(ctx, "greet", "ada")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(greeting)

	req, _ := http.NewRequestWithContext(ctx, "GET", "http://tenant/orders", nil)
	resp, err := ep.Fetch(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(string(body))
}
