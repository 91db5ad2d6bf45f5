# Sourced by scripts/build-pulumi-cli.sh and scripts/build-language-hosts.sh: builds a command from a Go module
# through the module proxy (`go install pkg@version` refuses modules with replace lines, so a throw-away module
# requires it and copies its remote replace lines).

# Copies a module's replace directives except the ones that point into its own repository checkout (../sdk ...),
# which `go install` refuses and which the required versions already cover.
copy_remote_replaces() { # <go.mod of the dependency> <target go.mod>
  awk '
    /^replace \(/ { block = 1; next }
    block && /^\)/ { block = 0; next }
    block { line = $0; sub(/^[ \t]+/, "", line); if (line !~ /=> *\./) print "replace " line; next }
    /^replace / { if ($0 !~ /=> *\./) print }
  ' "$1" >> "$2"
}

build_module() { # <throw-away module dir> <module path> <version> <package> <output> [ldflags]
  local dir="$1" module="$2" version="$3" package="$4" output="$5" ldflags="${6:-}"
  mkdir -p "$dir"
  (
    cd "$dir"
    go mod init pulumi-xen-build/"$(basename "$dir")" >/dev/null 2>&1
    local gomod
    gomod="$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
    copy_remote_replaces "$gomod" go.mod
    # `go get` of the package (not just the module) records every checksum the build needs.
    go get "$package@$version"
    go build -trimpath -ldflags "-s -w $ldflags" -o "$output" "$package"
  )
}
