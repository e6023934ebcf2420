#!/usr/bin/env bash
# Put CI's stand-in where Tilt keeps ext:// extensions when it cannot download them (GitHub is out of
# reach): XDG_DATA_HOME/tilt-dev/tilt_modules/github.com/tilt-dev/tilt-extensions/helm_resource, in a
# git repository of one commit. The Tiltfile pins tilt-extensions to upstream's commit in
# upstream-commit, and Tilt syncs to it with `git checkout <commit>`: a git replace ref makes this
# repository's commit answer for it, so the pinned load works offline.
# Usage: install.sh XDG_DATA_HOME
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$1/tilt-dev/tilt_modules/github.com/tilt-dev/tilt-extensions
rm -rf "$repo" && mkdir -p "$repo" && cp -r "$here" "$repo/helm_resource"
git() { command git -C "$repo" -c user.name=astrid-ci -c user.email=ci@astrid.invalid "$@"; }
git init -q && git commit -q --allow-empty -m "astrid-api CI stand-in for helm_resource"
git update-ref "refs/replace/$(cat "$here/upstream-commit")" HEAD
