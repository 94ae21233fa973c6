# shellcheck shell=bash disable=SC2034  # the arrays are used by the scripts that source this
# Sourced by scripts/demo and scripts/test: the Debian 12 packages tickwheel needs, and a guard
# that installs only what is missing, so a second run costs one `dpkg -s` per package.

# Build the library and its programs (scripts/demo: the release preset, no tests).
TICKWHEEL_BUILD_PACKAGES=(cmake ninja-build g++)
# Also needed by scripts/test: GoogleTest, pkg-config (a package test), clang and its sanitizer
# runtimes, clang-format, git (the format check reads the tracked files), Google Benchmark (the
# bench preset).
TICKWHEEL_CHECK_PACKAGES=(libgtest-dev libgmock-dev pkg-config clang libclang-rt-14-dev
  clang-format git libbenchmark-dev)

# tickwheel_require_packages <package>...: apt-get installs those not installed yet.
tickwheel_require_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed' ||
      missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  echo "Installing missing packages: ${missing[*]}"
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
  "${as_root[@]}" apt-get update -qq &&
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}
