package lsp

import (
	"path"
	"runtime"
	"strings"

	"go.lsp.dev/uri"
)

// hostPlatform is how this OS spells file paths, in the uri package's terms.
func hostPlatform() uri.Platform {
	if runtime.GOOS == "windows" {
		return uri.PlatformWindows
	}
	return uri.PlatformPOSIX
}

// fileURIFor is the URI of the file at path, a path as Python reports it on
// platform: C:\proj\lib.py and C:/proj/lib.py on Windows (drive letters in
// either case, UNC paths \\server\share\…), /proj/lib.py elsewhere. The
// URI is the canonical one that URIs from editors decode to (VS Code's
// file:///c%3A/proj/lib.py and Neovim's file:///C:/proj/lib.py alike), so
// diagnostics land on the document the editor has open. The path is cleaned
// first: uri panics on some paths Python accepts (code compiled with
// filename "////ws/m.py" passes the workspace check, which cleans paths),
// and a cleaned path names the same file.
func fileURIFor(platform uri.Platform, p string) uri.URI {
	if platform == uri.PlatformWindows {
		p = strings.ReplaceAll(p, `\`, "/")
		if strings.HasPrefix(p, "//") {
			// UNC: //server/share/…, whose leading slashes Clean would merge.
			return uri.FileFor(platform, "/"+path.Clean(p))
		}
	}
	return uri.FileFor(platform, path.Clean(p))
}

// isLibraryPath reports whether path is in an installed package's folder
// (site-packages, dist-packages), with / or \ as the separator.
func isLibraryPath(p string) bool {
	for _, dir := range []string{"site-packages", "dist-packages"} {
		for _, sep := range []string{"/", `\`} {
			if strings.Contains(p, sep+dir+sep) {
				return true
			}
		}
	}
	return false
}
