#!/bin/sh
# Builds and runs tests/package/consumer.cpp the way a user without CMake would: with nothing
# but `pkg-config --cflags --libs tickwheel` against an installed prefix.
# Usage: build-and-run.sh <c++ compiler> <prefix>/<libdir>/pkgconfig <consumer.cpp> <output>
set -eu
cxx=$1 pcdir=$2 source=$3 output=$4
PKG_CONFIG_PATH=$pcdir
export PKG_CONFIG_PATH
flags=$(pkg-config --cflags --libs tickwheel)
mkdir -p "$(dirname "$output")"
echo "$cxx $source $flags -o $output"
# $flags is split into words on purpose.
# shellcheck disable=SC2086
"$cxx" "$source" $flags -o "$output"
"$output"
