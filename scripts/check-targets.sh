#!/usr/bin/env bash
# Compile-checks the release targets this machine does not build (macOS, Windows), so that a
# platform break shows up here and not in the release workflow. `cargo check` links nothing,
# but ring's build script still compiles C for the target; zig (PyPI `ziglang`) is that C
# compiler: through cargo-zigbuild for macOS, and for Windows MSVC (zig ships no MSVC headers)
# as a MinGW-header clang plus `zig lib` as lib.exe. The objects are never linked.
set -euo pipefail
cd "$(dirname "$0")/.."
# pip puts commands in the interpreter's scripts folder, which need not be on PATH.
export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
command -v cargo-zigbuild >/dev/null 2>&1 ||
  python3 -m pip install --quiet --disable-pip-version-check ziglang==0.17.1 cargo-zigbuild==0.24.1
rustup target add x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc >/dev/null 2>&1
out=target/check
mkdir -p "$out"

for t in x86_64-apple-darwin aarch64-apple-darwin; do
  echo "cargo check --target $t"
  cargo-zigbuild check --locked --quiet --target "$t" --target-dir "$out"
done

cat >"$out/cc-windows.sh" <<'SH'
#!/bin/sh
# cc-rs passes --target=x86_64-pc-windows-msvc; zig has headers for windows-gnu only.
for a in "$@"; do case "$a" in --target=*) ;; *) set -- "$@" "$a" ;; esac; shift; done
exec python3 -m ziglang cc -target x86_64-windows-gnu "$@"
SH
printf '#!/bin/sh\nexec python3 -m ziglang lib "$@"\n' >"$out/lib-windows.sh"
chmod +x "$out/cc-windows.sh" "$out/lib-windows.sh"
echo "cargo check --target x86_64-pc-windows-msvc"
CC_x86_64_pc_windows_msvc="$PWD/$out/cc-windows.sh" AR_x86_64_pc_windows_msvc="$PWD/$out/lib-windows.sh" \
  cargo check --locked --quiet --target x86_64-pc-windows-msvc --target-dir "$out"
