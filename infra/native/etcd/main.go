// etcd's own binary lives in the go.etcd.io/etcd/v3 root module, whose replace directives stop
// `go install`; the server module exports the same entry point, so this is the whole program.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
