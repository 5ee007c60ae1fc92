package plugins

import (
	"context"
	"os"
	"testing"
)

// BenchmarkPinnedLaunch measures what pinning adds to a launch: Open and
// Close of a plugin process unpinned (exec of the path), and pinned through
// each image kind. The per-launch copy is also measured alone, against
// hashing the file alone (all the check cost before pinning).
//
//	go test -run '^$' -bench PinnedLaunch -benchtime 20x ./plugins/
func BenchmarkPinnedLaunch(b *testing.B) {
	for _, name := range []string{"fakeplugin", "mfspay-plugin-wezopay"} {
		path := binary(b, name)
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		sum := fileSHA256(b, path)
		b.Logf("%s: %.1f MiB", name, float64(st.Size())/(1<<20))
		modes := []struct {
			name     string
			sha      string
			newImage newImageFunc
		}{
			{"unpinned", "", newPlatformImage},
			{"platform", sum, newPlatformImage},
			{"private copy", sum, newCopyImage},
		}
		b.Run(name+"/hash-only", func(b *testing.B) { // what the check cost before pinning
			b.SetBytes(st.Size())
			for b.Loop() {
				fileSHA256(b, path)
			}
		})
		for _, m := range modes {
			b.Run(name+"/open-close/"+m.name, func(b *testing.B) {
				for b.Loop() {
					c, err := openProcess(context.Background(), path, Config{SHA256: m.sha}, m.newImage)
					if err != nil {
						b.Fatal(err)
					}
					_ = c.Close()
				}
			})
			if m.sha == "" {
				continue
			}
			b.Run(name+"/copy-and-hash/"+m.name, func(b *testing.B) {
				want := mustSHA(b, sum)
				b.SetBytes(st.Size())
				for b.Loop() {
					img, err := pinBinary(path, want, m.newImage)
					if err != nil {
						b.Fatal(err)
					}
					img.release()
				}
			})
		}
	}
}
