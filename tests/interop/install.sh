#!/usr/bin/env bash
# Installs every third-party client the interop suite runs, and the Debian tools the Rust tests
# use (xmllint, PostgreSQL 15, HAProxy), from this machine's registries: Debian packages (PHP,
# Perl, Java JAX-WS, Mono WCF), PyPI (zeep, suds, xmlschema, schemathesis,
# openapi-python-client) and npm (soap, strong-soap). Versions are pinned in the
# requirements.txt files and in node/package-lock.json. Safe to run again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_packages=(
  libxml2-utils                      # xmllint, for the Rust tests' schema checks
  postgresql-15                      # the Rust tests' throwaway PostgreSQL cluster (initdb, pg_ctl)
  haproxy                            # the Rust tests' load balancer in front of three instances
  prometheus                         # promtool, for the Rust tests' metrics check
  openssl curl                       # the Rust tests' throwaway CA (openssl) and HTTPS client (curl)
  php-cli php-soap                   # PHP SoapClient
  libsoap-lite-perl libsoap-wsdl-perl  # Perl SOAP::Lite, SOAP::WSDL (wsdl2perl)
  openjdk-17-jdk-headless jaxws      # Java: wsimport and the JAX-WS runtime jars
  mono-devel                         # WCF on Mono: svcutil, mcs, System.ServiceModel
)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "interop: installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
fi

requirements=()
for file in "$here"/*/requirements.txt; do requirements+=(-r "$file"); done
echo "interop: installing Python packages from ${#requirements[@]} pin arguments"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
  "${requirements[@]}"

echo "interop: installing npm packages (soap, strong-soap)"
(cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error)
