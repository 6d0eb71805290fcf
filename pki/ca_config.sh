#!/bin/bash
# The CA's settings, declaratively (G-PKI-8: never a blind rewrite): the provisioners this layer uses exist, and
# the listen address, DNS names, global claims and each managed provisioner's claims and options equal GT_SETTINGS.
# ca.json is rewritten only when its parsed content differs, and a running step-ca is then restarted.
# Parameters: GT_CA_DIR, GT_CA_USER, GT_CA_URL, GT_SETTINGS (JSON: address, dnsNames, claims, provisioners{name: {type,
# claims, options}}). stdin (secret): `<provisioner name> <password>` lines for the JWK provisioners to create.
config=$GT_CA_DIR/config/ca.json
private=$(mktemp -d /run/goldentooth-ca-config.XXXXXX)
trap 'rm -rf -- "$private"; gt_cleanup' EXIT
while read -r name password; do
  if [ -n "$name" ]; then printf '%s' "$password" >"$private/$name"; fi
done

absent=$(GT_CONFIG=$config python3 - <<'PY'
import json, os
config = json.load(open(os.environ["GT_CONFIG"]))
have = {p.get("name") for p in config.get("authority", {}).get("provisioners", [])}
for name, want in sorted(json.loads(os.environ["GT_SETTINGS"])["provisioners"].items()):
    if name not in have:
        print(name, want["type"])
PY
)
while read -r name type; do
  [ -n "$name" ] || continue
  if [ "$type" = JWK ]; then
    [ -s "$private/$name" ] || { echo "no password on stdin for provisioner $name" >&2; exit 1; }
    STEPPATH=$GT_CA_DIR step ca provisioner add "$name" --type=JWK --create --password-file="$private/$name" \
      --ca-config="$config" >&2
  else
    STEPPATH=$GT_CA_DIR step ca provisioner add "$name" --type="$type" --ca-config="$config" >&2
  fi
  gt_changed "provisioner $name ($type)"
done <<<"$absent"

changed=0
if [ -n "$absent" ]; then changed=1; fi
candidate=$private/ca.json
if GT_CONFIG=$config GT_CANDIDATE=$candidate python3 - <<'PY'
import json, os, sys
path, settings = os.environ["GT_CONFIG"], json.loads(os.environ["GT_SETTINGS"])
config = json.load(open(path))
before = json.dumps(config, sort_keys=True)
config["address"] = settings["address"]
config["dnsNames"] = settings["dnsNames"]
authority = config.setdefault("authority", {})
authority["claims"] = {**authority.get("claims", {}), **settings["claims"]}
for provisioner in authority.get("provisioners", []):
    want = settings["provisioners"].get(provisioner.get("name"))
    if want is None:
        continue
    for key in ("claims", "options"):
        if want.get(key):
            provisioner[key] = want[key]
        else:
            provisioner.pop(key, None)
if json.dumps(config, sort_keys=True) == before:
    sys.exit(1)
with open(os.environ["GT_CANDIDATE"], "w") as out:
    json.dump(config, out, indent=4)
    out.write("\n")
PY
then
  install -m 0600 -o "$GT_CA_USER" -g "$GT_CA_USER" "$candidate" "$config"
  gt_changed "$config"
  changed=1
fi
if [ "$(stat -c %U "$config")" != "$GT_CA_USER" ]; then
  chown -R "$GT_CA_USER:$GT_CA_USER" "$GT_CA_DIR"
  gt_changed "ownership of $GT_CA_DIR"
fi
if [ "$changed" = 1 ] && systemctl is-active --quiet step-ca; then
  systemctl restart step-ca
  gt_changed "restarted step-ca"
  gt_wait_for_ca "$GT_CA_URL" "$GT_CA_DIR/certs/root_ca.crt"
fi
