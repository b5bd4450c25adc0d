#!/usr/bin/env bash
# Run once before `docker compose up`: gives this stack a HEC token of its own, in
# secrets/hec_token (the shipper's secret) and in the local Splunk's HEC input
# (splunk/apps/dnstap_forwarder/local/inputs.conf). An existing token is kept, so running it
# again changes nothing; to use your own Splunk, put its token in secrets/hec_token instead.
set -euo pipefail
cd "$(dirname "$0")"

token_file=secrets/hec_token
inputs=splunk/apps/dnstap_forwarder/local/inputs.conf

if [ ! -s "$token_file" ]; then
  mkdir -p secrets
  if [ -r /proc/sys/kernel/random/uuid ]; then
    token=$(cat /proc/sys/kernel/random/uuid)
  else
    token=$(uuidgen | tr '[:upper:]' '[:lower:]')
  fi
  # Readable by the shipper's user (uid 10001): compose mounts a secret file as it is on the host.
  (umask 022 && printf '%s\n' "$token" > "$token_file")
  echo "init.sh: generated a HEC token in compose/$token_file"
fi
token=$(tr -d '[:space:]' < "$token_file")
case "$token" in
  *[!A-Za-z0-9-]* | "") echo "init.sh: $token_file must hold a HEC token (letters, digits, dashes)" >&2; exit 1 ;;
esac
mkdir -p "$(dirname "$inputs")"
sed "s/@HEC_TOKEN@/$token/" splunk/inputs.conf.template > "$inputs"
echo "init.sh: the local Splunk's HEC input takes the token in compose/$token_file"
