package plugins

import "os"

// inheritedEnv lists the host environment variables a plugin inherits:
// what a program needs to find files, certificates and proxies. Everything
// else — in particular any credential a host keeps in its environment — is
// withheld. Config.Env adds more.
var inheritedEnv = []string{
	"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ", "LANG", "LC_ALL",
	"SSL_CERT_FILE", "SSL_CERT_DIR",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	"GOCOVERDIR",
	"SYSTEMROOT", "TEMP", "TMP", // Windows needs these to run at all
}

// pluginEnv is the environment of a plugin process, go-plugin's own
// variables aside.
func pluginEnv(cfg Config, hostFD bool) []string {
	var env []string
	for _, k := range inheritedEnv {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, cfg.Env...)
	env = append(env, envLogLevel+"="+newSlogHCLog(cfg.Logger).GetLevel().String())
	if hostFD {
		env = append(env, envHostFD+"=3") // ExtraFiles[0] is descriptor 3
	}
	return env
}
