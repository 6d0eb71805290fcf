#!/bin/bash
# Textfile probe for node_exporter: the expiry and lifetime of each certificate listed in GT_CERT_LIST
# (lines "<id> <path>"), so alerts can measure remaining time in hours and against each certificate's own
# lifetime. Writes "$GT_TEXTFILE_DIR/cert-expiry.prom" atomically.
set -euo pipefail
list=${GT_CERT_LIST:?GT_CERT_LIST is required}
out=${GT_TEXTFILE_DIR:?GT_TEXTFILE_DIR is required}/cert-expiry.prom
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f -- "$tmp"' EXIT

epoch() { date -d "$1" +%s; }

{
  printf '# HELP goldentooth_certificate_readable 1 when the certificate file parses.\n'
  printf '# TYPE goldentooth_certificate_readable gauge\n'
  printf '# HELP goldentooth_certificate_expiry_timestamp_seconds When the certificate expires.\n'
  printf '# TYPE goldentooth_certificate_expiry_timestamp_seconds gauge\n'
  printf '# HELP goldentooth_certificate_lifetime_seconds notAfter minus notBefore.\n'
  printf '# TYPE goldentooth_certificate_lifetime_seconds gauge\n'
  if [ -r "$list" ]; then
    while read -r id path; do
      case $id in '' | '#'*) continue ;; esac
      labels="certificate=\"$id\",path=\"$path\""
      if dates=$(openssl x509 -noout -startdate -enddate -in "$path" 2>/dev/null); then
        start=$(epoch "$(sed -n 's/^notBefore=//p' <<<"$dates")")
        end=$(epoch "$(sed -n 's/^notAfter=//p' <<<"$dates")")
        printf 'goldentooth_certificate_readable{%s} 1\n' "$labels"
        printf 'goldentooth_certificate_expiry_timestamp_seconds{%s} %d\n' "$labels" "$end"
        printf 'goldentooth_certificate_lifetime_seconds{%s} %d\n' "$labels" "$((end - start))"
      else
        printf 'goldentooth_certificate_readable{%s} 0\n' "$labels"
      fi
    done <"$list"
  fi
  printf '# HELP goldentooth_probe_last_run_timestamp_seconds When this probe last ran.\n'
  printf '# TYPE goldentooth_probe_last_run_timestamp_seconds gauge\n'
  printf 'goldentooth_probe_last_run_timestamp_seconds{probe="cert-expiry"} %d\n' "$(date +%s)"
} >"$tmp"
chmod 0644 "$tmp"
mv -f -- "$tmp" "$out"
trap - EXIT
