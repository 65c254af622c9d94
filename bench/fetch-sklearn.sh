#!/usr/bin/env bash
# Unpacks Debian's scikit-learn and scipy (with joblib, threadpoolctl, decorator) into DIR without
# installing them: python3-scipy depends on pythran, which pulls libboost1.74-dev and would replace
# libboost1.81-dev. The unpacked modules need only python3-numpy and liblbfgsb0 at run time.
# usage: bench/fetch-sklearn.sh [DIR]   then PYTHONPATH=DIR/usr/lib/python3/dist-packages
set -euo pipefail
dir=${1:-/tmp/doppel-sklearn}
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get install -y --no-install-recommends python3-numpy liblbfgsb0 libgfortran5 libblas3 liblapack3 >/dev/null
mkdir -p "$dir/debs"
(cd "$dir/debs" && apt-get download python3-sklearn python3-sklearn-lib python3-scipy python3-joblib \
  python3-threadpoolctl python3-decorator >/dev/null 2>&1)
for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir"; done
PYTHONPATH="$dir/usr/lib/python3/dist-packages" /usr/bin/python3 -c 'import sklearn, scipy; print("scikit-learn", sklearn.__version__, "scipy", scipy.__version__)'
echo "export PYTHONPATH=$dir/usr/lib/python3/dist-packages"
