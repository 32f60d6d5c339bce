// Command liaisonbot runs the liaisonbot GitHub App and its one-shot tools.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCommand().Execute(); err != nil {
		// One line, no stack trace: the errors name what failed.
		fmt.Fprintln(os.Stderr, "liaisonbot:", err)
		os.Exit(1)
	}
}
