#!/bin/bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (Ubuntu or Debian): the packages the build needs, then the grader, the
# checker and the driver, built in /autograder/source (where the zip is
# unpacked). Any failure stops the image build with the reason.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends build-essential pkg-config libcriterion-dev libyaml-dev libarchive-dev patch
make all
