#!/bin/bash
# Accounting: MariaDB and slurmdbd on this node. The database password arrives on stdin (never in argv or a
# file other than slurmdbd.conf, which the next step writes 0600 slurm). The database and its user are made
# once; a user that exists already gets the password set again, so the two never disagree.
# Params: GT_PACKAGES (apt specs).
password=""
IFS= read -r password
if [ -z "$password" ]; then
  echo "error: $(hostname): no slurmdbd database password on stdin" >&2
  exit 1
fi
read -r -a packages <<<"$GT_PACKAGES"
gt_apt_install "${packages[@]}"
gt_enable_now mariadb
sql=""
gt_mktemp sql
chmod 0600 "$sql"
# The password is quoted for SQL: a single quote doubled, nothing else can end the literal.
quoted=${password//\'/\'\'}
cat >"$sql" <<SQL
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'localhost';
ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$quoted';
GRANT ALL PRIVILEGES ON slurm_acct_db.* TO 'slurm'@'localhost';
SQL
have_user=$(mysql -N -e "SELECT COUNT(*) FROM mysql.user WHERE user='slurm' AND host='localhost'")
have_db=$(mysql -N -e "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name='slurm_acct_db'")
mysql <"$sql"  # idempotent: the same password again changes nothing
if [ "$have_user" = 0 ] || [ "$have_db" = 0 ]; then
  gt_changed "slurm_acct_db and its user"
fi
