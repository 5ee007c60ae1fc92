//go:build !linux

package plugins

// newPlatformImage copies a binary into a private directory: other systems
// have no sealed memory file to execute.
func newPlatformImage(name string) (imageWriter, error) { return newCopyImage(name) }
