#!/usr/bin/env bash
# Debian packages used by the test suite. Idempotent: installs only what is missing.
# chromium: browser tests; libreoffice-writer-nogui: the pad's docx/odt/pdf import and export;
# poppler-utils: pdftotext, to read exported PDFs back in the tests; fonts for the PDFs.
# Drive: libreoffice-calc-nogui and -impress-nogui, previews of spreadsheets and slides;
# poppler-utils also draws PDF thumbnails (pdftoppm); ffmpeg: video posters; clamav-daemon:
# the virus scanner, which the tests start with a signature database of their own;
# litmus: the WebDAV test suite; rclone: the reference WebDAV server of the Drive benchmark
# and, with nextcloud-desktop-cmd (nextcloudcmd), a real client in Drive's tests.
# bubblewrap (bwrap): the sandbox converters run in (cartable.core.processes); without it they
# fall back to unshare's namespaces, and without either they do not run at all.
set -euo pipefail
packages=(chromium libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui
  poppler-utils fonts-dejavu-core fonts-liberation ffmpeg clamav-daemon litmus rclone
  nextcloud-desktop-cmd bubblewrap)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
