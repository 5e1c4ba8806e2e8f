// The pod sandbox ("pause") image of the local stack's real node. Nothing can be pulled from the internet
// there, and upstream's pause (k8s.io/kubernetes/build/pause) is C, so this is the same program in Go, built
// static (CGO_ENABLED=0) from the standard library: it holds the pod's namespaces, reaps the orphans it
// inherits as PID 1 of a shared PID namespace, and ends on SIGINT or SIGTERM.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if os.Getpid() != 1 {
		os.Stderr.WriteString("warning: pause should be the first process\n")
	}
	signals := make(chan os.Signal, 16)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Stderr.WriteString("shutting down, got signal " + sig.String() + "\n")
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
