#!/bin/sh
# Nightly backup of Lode's database (everything Lode stores is in it): a pg_dump in the
# compressed custom format, 14 days kept. Run from cron on the compose host (docs/deploy.md):
#   15 3 * * * root /opt/lode/deploy/backup.sh
# Without Docker, set DATABASE_URL and LODE_BACKUP_DIRECT=true.
set -eu
cd "$(dirname "$0")/.."
dir=${LODE_BACKUP_DIR:-backups}
keep_days=${LODE_BACKUP_KEEP_DAYS:-14}
mkdir -p "$dir"
chmod 700 "$dir"
file="$dir/lode-$(date -u +%Y%m%dT%H%M%SZ).dump"
if [ "${LODE_BACKUP_DIRECT:-false}" = true ]; then
  pg_dump -Fc --dbname="$DATABASE_URL" > "$file.tmp"
else
  docker compose exec -T postgres sh -c 'pg_dump -Fc -U "$POSTGRES_USER" "$POSTGRES_DB"' > "$file.tmp"
fi
mv "$file.tmp" "$file"
find "$dir" -name 'lode-*.dump' -mtime +"$keep_days" -delete
echo "Backup written: $file ($(du -h "$file" | cut -f1))"
# Off the machine: a backup on the same disk is not a backup. For example:
# rclone copy "$file" remote:lode-backups/
