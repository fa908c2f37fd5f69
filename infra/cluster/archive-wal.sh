#!/bin/sh
# PostgreSQL's archive_command on every node of the cluster: archive-wal.sh PATH FILE copies the finished WAL segment (or
# history file) PATH into the shared archive as FILE. Copied under a temporary name and renamed, so a crash never leaves
# a truncated file that looks archived.
#
# A FILE already archived counts as archived. Identical is the usual case (a node re-offering what it or another
# node archived). Different happens to a node rewound by pg_rewind: it copied the then primary's segment while it was
# still being written, and offers that stale copy once it is primary itself; the archived one, written whole by the
# node that wrote the segment, is the one to keep. Failing instead would stop this node's archiving for good (PostgreSQL
# retries the same file forever), which is how the first version of this command broke the archive after a failover.
set -eu
archive="$(dirname "$0")/archive"
if [ -f "$archive/$2" ]; then
  cmp -s "$1" "$archive/$2" || echo "archive-wal: $2 is already archived with other content (a rewound copy); kept the archived one" >&2
  exit 0
fi
cp "$1" "$archive/$2.partial-copy"
sync "$archive/$2.partial-copy" 2>/dev/null || true
mv "$archive/$2.partial-copy" "$archive/$2"
