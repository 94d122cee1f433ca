#!/bin/sh
# tests/servers/pg_start.sh DIR PORT: a throwaway PostgreSQL cluster on 127.0.0.1:PORT; prints its URL.
set -eu
DIR=$1; PORT=$2; BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
rm -rf "$DIR"; mkdir -p "$DIR"; chown postgres:postgres "$DIR"
runuser -u postgres -- "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 30 start -o \
  "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
