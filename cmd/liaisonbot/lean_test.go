package main

import (
	"debug/buildinfo"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReleaseBinaryStaysLean guards the memory budget of serve (30 MiB
// resident, bench/RESULTS.md): nearly all of the binary's code stays
// resident, so what it links is what it costs. It builds the release
// binary and fails when a change brings back what was taken out.
func TestReleaseBinaryStaysLean(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads an ELF binary")
	}
	bin := filepath.Join(t.TempDir(), "liaisonbot")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range info.Deps {
		// The Prometheus client links protobuf: about 2 MB resident.
		if strings.HasPrefix(m.Path, "google.golang.org/protobuf") || strings.HasPrefix(m.Path, "github.com/prometheus/") {
			t.Errorf("the binary links %s", m.Path)
		}
	}

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	unusedAPI := 0
	for _, s := range syms {
		switch {
		case s.Name == "text/template.(*state).evalField":
			// Executing a text/template makes the linker keep every
			// exported method of every type: about 5 MB more.
			t.Error("the binary executes text/template: the linker cannot drop unused methods")
		case strings.HasPrefix(s.Name, "github.com/google/go-github/v62/github.(*ActionsService)."):
			unusedAPI++ // liaisonbot calls none of them
		}
	}
	if unusedAPI > 0 {
		t.Errorf("the binary keeps %d methods of go-github's ActionsService that nothing calls", unusedAPI)
	}

	var size uint64
	for _, name := range []string{".text", ".rodata", ".gopclntab"} {
		if s := f.Section(name); s != nil {
			size += s.Size
		}
	}
	// 15.5 MB when this was written; the headroom is for the features to come.
	const budget = 18 << 20
	if size > budget {
		t.Errorf(".text, .rodata and .gopclntab are %.1f MiB, over the %d MiB that keep serve under 30 MiB resident",
			float64(size)/(1<<20), budget>>20)
	}
	t.Logf("code and tables: %.1f MiB", float64(size)/(1<<20))
}
