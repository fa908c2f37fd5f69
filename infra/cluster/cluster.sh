# Sourced by infra/optout: OptOut on a cluster on this one machine, from Debian's packages. etcd (Patroni's consensus
# store), three PostgreSQL 15 nodes under Patroni (synchronous, strict), three RabbitMQ nodes joined in one cluster.
# Each piece is started only when it does not answer, so running it again resumes a cluster after a node was killed.

CLUSTER_PG="/var/lib/postgresql/optout-cluster"   # Patroni's configs, the nodes' data, etcd's data, the WAL archive
CLUSTER_MQ="/var/lib/rabbitmq/optout-cluster"     # the RabbitMQ nodes' data and logs
CLUSTER_ETCD="127.0.0.1:23790"
CLUSTER_PG_PORTS=(5441 5442 5443)                 # PostgreSQL; Patroni's REST API on 8011-8013
CLUSTER_MQ_PORTS=(5681 5682 5683)                 # AMQP; Erlang distribution on 25681-25683
CLUSTER_API_PORTS=(5081 5082)                     # two API instances, behind HAProxy on 5080
ARCHIVE_COMMAND="$CLUSTER_PG/archive-wal.sh %p %f"

cluster_install() {
  local missing=()
  command -v patroni >/dev/null || missing+=(patroni python3-etcd)
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v haproxy >/dev/null || missing+=(haproxy)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian packages"
    as_root apt-get update -qq
    # The packages' own services are not started here (no init system does); ours run on ports of their own.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

as_postgres() { as_root su postgres -s /bin/sh -c "$*"; }

start_etcd() {
  as_root mkdir -p "$CLUSTER_PG/etcd" "$CLUSTER_PG/archive"
  as_root chown -R postgres:postgres "$CLUSTER_PG"
  as_root chmod 700 "$CLUSTER_PG"
  curl -sf "http://$CLUSTER_ETCD/version" >/dev/null && return
  log "starting etcd on $CLUSTER_ETCD"
  # Debian's Patroni speaks etcd's v2 API, which etcd 3.4 serves only when asked.
  as_postgres "cd $CLUSTER_PG && nohup etcd --name optout-etcd --data-dir $CLUSTER_PG/etcd/data \
    --listen-client-urls http://$CLUSTER_ETCD --advertise-client-urls http://$CLUSTER_ETCD \
    --listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
    --initial-cluster optout-etcd=http://127.0.0.1:23800 --enable-v2=true >>$CLUSTER_PG/etcd/log 2>&1 &"
  for _ in $(seq 1 30); do curl -sf "http://$CLUSTER_ETCD/version" >/dev/null && return; sleep 0.5; done
  log "etcd did not start: $CLUSTER_PG/etcd/log"; exit 1
}

# The node's number (1-3) from its PostgreSQL port, and the reverse.
pg_node_api() { echo "http://127.0.0.1:$((8010 + $1))"; }

start_patroni() {
  [ -s "$CLUSTER_PG/password" ] || as_postgres "umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > $CLUSTER_PG/password"
  local password; password="$(as_root cat "$CLUSTER_PG/password")"
  # The archive command every node runs (infra/cluster/archive-wal.sh), beside the archive it writes to.
  as_root install -o postgres -g postgres -m 755 "$ROOT/infra/cluster/archive-wal.sh" "$CLUSTER_PG/archive-wal.sh"
  for i in 1 2 3; do
    local dir="$CLUSTER_PG/pg$i"
    curl -s -o /dev/null "$(pg_node_api $i)/health" && continue
    as_root mkdir -p "$dir"
    sed -e "s|@NAME@|pg$i|; s|@API_PORT@|$((8010 + i))|g; s|@PG_PORT@|${CLUSTER_PG_PORTS[$((i - 1))]}|g; s|@ETCD@|$CLUSTER_ETCD|" \
        -e "s|@DIR@|$dir|g; s|@PASSWORD@|$password|g; s|@ARCHIVE_COMMAND@|$ARCHIVE_COMMAND|g" "$ROOT/infra/cluster/patroni.yml" |
      as_root tee "$dir/patroni.yml" >/dev/null
    as_root chown -R postgres:postgres "$dir"; as_root chmod 600 "$dir/patroni.yml"
    log "starting PostgreSQL node pg$i (Patroni) on 127.0.0.1:${CLUSTER_PG_PORTS[$((i - 1))]}"
    as_postgres "cd $dir && nohup patroni $dir/patroni.yml >>$dir/log 2>&1 &"
  done
  # All three at once, then wait: on a first start one node wins etcd's initialize key and the others clone it; on a
  # restart after every node stopped, only the node etcd last named synchronous standby (or the leader) may lead, and
  # it may be any of them (waiting for pg1 alone deadlocked on a machine whose pg1 was an asynchronous replica).
  cluster_primary >/dev/null
  # A cluster bootstrapped before keeps its settings in etcd, not in patroni.yml: bring its archive command up to date.
  as_postgres "patronictl -c $CLUSTER_PG/pg1/patroni.yml edit-config --force -q -p 'archive_command=$ARCHIVE_COMMAND'" >/dev/null
}

# The primary's PostgreSQL port, once one leads (Patroni's /primary answers 200 on the leader only) and accepts connections.
cluster_primary() {
  for _ in $(seq 1 240); do
    for i in 1 2 3; do
      local port="${CLUSTER_PG_PORTS[$((i - 1))]}"
      # Patroni names a restarted leader before its PostgreSQL accepts connections: ask both.
      curl -sf -o /dev/null "$(pg_node_api $i)/primary" && pg_isready -q -h 127.0.0.1 -p "$port" && { echo "$port"; return; }
    done
    sleep 0.5
  done
  log "no PostgreSQL node became primary within 120 s; the end of each node's log ($CLUSTER_PG/pg*/log):"
  for i in 1 2 3; do echo "--- pg$i" >&2; as_root tail -n 15 "$CLUSTER_PG/pg$i/log" >&2 2>/dev/null; done
  exit 1
}

cluster_database() {
  local port; port="$(cluster_primary)"
  local psql="psql -X -q -p $port"
  if ! as_postgres "$psql -tAc \"select 1 from pg_roles where rolname = '$PG_USER'\"" | grep -q 1; then
    as_postgres "$psql -c \"create role $PG_USER login createdb password '$PG_PASSWORD'\""
  fi
  if ! as_postgres "$psql -tAc \"select 1 from pg_database where datname = '$PG_DATABASE'\"" | grep -q 1; then
    as_postgres "createdb -p $port -O $PG_USER $PG_DATABASE"
  fi
}

mq_node() { echo "optout-mq-$1@localhost"; }

start_rabbitmq_nodes() {
  as_root mkdir -p "$CLUSTER_MQ"
  for i in 1 2 3; do
    local dir="$CLUSTER_MQ/mq$i" port="${CLUSTER_MQ_PORTS[$((i - 1))]}"
    as_root rabbitmq-diagnostics -q -n "$(mq_node $i)" ping >/dev/null 2>&1 && continue
    as_root mkdir -p "$dir/mnesia" "$dir/log"
    printf 'listeners.tcp.default = 127.0.0.1:%s\ndistribution.listener.interface = 127.0.0.1\nloopback_users = none\n' "$port" |
      as_root tee "$dir/rabbitmq.conf" >/dev/null
    echo '[].' | as_root tee "$dir/enabled_plugins" >/dev/null
    as_root chown -R rabbitmq:rabbitmq "$CLUSTER_MQ"
    log "starting RabbitMQ node $(mq_node $i) on 127.0.0.1:$port"
    as_root su rabbitmq -s /bin/sh -c "cd $CLUSTER_MQ && env RABBITMQ_NODENAME=$(mq_node $i) RABBITMQ_NODE_PORT=$port \
      RABBITMQ_DIST_PORT=$((20000 + port)) RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf RABBITMQ_MNESIA_BASE=$dir/mnesia \
      RABBITMQ_LOG_BASE=$dir/log RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins RABBITMQ_PID_FILE=$dir/pid \
      NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1 nohup /usr/lib/rabbitmq/bin/rabbitmq-server >>$dir/log/stdout 2>&1 &"
  done
  for i in 1 2 3; do
    for _ in $(seq 1 120); do as_root rabbitmq-diagnostics -q -n "$(mq_node $i)" ping >/dev/null 2>&1 && break; sleep 1; done
  done
  # Nodes 2 and 3 join node 1 once; a node that was only restarted is still a member.
  for i in 2 3; do
    as_root rabbitmqctl -q -n "$(mq_node 1)" cluster_status 2>/dev/null | grep -q "$(mq_node $i)" && continue
    as_root rabbitmqctl -q -n "$(mq_node $i)" stop_app
    as_root rabbitmqctl -q -n "$(mq_node $i)" join_cluster "$(mq_node 1)"
    as_root rabbitmqctl -q -n "$(mq_node $i)" start_app
  done
  # A node answers ping while RabbitMQ itself is still booting: return once every node runs, so a test (or an operator)
  # that goes on to kill a node never takes down a second member of a quorum queue while the first is still on its way.
  for i in 1 2 3; do
    as_root rabbitmqctl -q -n "$(mq_node $i)" await_startup --timeout 120
  done
  local ctl=(as_root rabbitmqctl -q -n "$(mq_node 1)")
  if ! "${ctl[@]}" list_users | grep -q "^$MQ_USER\b"; then
    "${ctl[@]}" add_user "$MQ_USER" "$MQ_PASSWORD" >/dev/null
    "${ctl[@]}" set_user_tags "$MQ_USER" administrator >/dev/null
    "${ctl[@]}" set_permissions -p / "$MQ_USER" ".*" ".*" ".*" >/dev/null
  fi
}

# As `run`'s environment, with the cluster's nodes in place of the one server's.
cluster_environment() {
  environment
  local hosts; hosts="$(printf '127.0.0.1:%s,' "${CLUSTER_PG_PORTS[@]}")"
  # Every node, and only the primary will do: Npgsql finds it, and finds the new one after a failover.
  export ConnectionStrings__Marten="Host=${hosts%,};Database=$PG_DATABASE;Username=$PG_USER;Password=$PG_PASSWORD;Target Session Attributes=primary"
  export ConnectionStrings__RabbitMq="amqp://$MQ_USER:$MQ_PASSWORD@127.0.0.1:${CLUSTER_MQ_PORTS[0]}/"
  for i in 0 1 2; do export "RabbitMq__Nodes__$i=127.0.0.1:${CLUSTER_MQ_PORTS[$i]}"; done
}

cluster_servers() {
  cluster_install; install_servers; start_etcd; start_patroni; cluster_database; start_rabbitmq_nodes; cluster_environment
  PSQL_PORT="$(cluster_primary)"
}

# HAProxy in front of the two API instances: the address the pages and pipelines use, whichever instance is up.
start_haproxy() {
  local config="$LOCAL/haproxy.cfg"
  cat > "$config" <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  retries 2
  option redispatch
frontend api
  bind 127.0.0.1:5080
  default_backend instances
backend instances
  option httpchk GET /health/live
  default-server inter 1s fall 2 rise 1
$(for port in "${CLUSTER_API_PORTS[@]}"; do echo "  server api$port 127.0.0.1:$port check"; done)
CFG
  haproxy -f "$config" -db >"$LOCAL/haproxy.log" 2>&1 &
  echo $!
}

cluster_status() {
  as_root patronictl -c "$CLUSTER_PG/pg1/patroni.yml" list
  as_root rabbitmqctl -q -n "$(mq_node 1)" cluster_status 2>/dev/null | sed -n '/Running Nodes/,/Versions/p' | grep -v '^$\|Versions'
}

# Backups: a base backup taken from the primary over the replication protocol (checked against its manifest), and the
# WAL every node archives to $CLUSTER_PG/archive; together they restore the cluster to its last archived commit.
CLUSTER_BACKUPS="$CLUSTER_PG/backups"
PG_BIN=/usr/lib/postgresql/15/bin

cluster_backup() {
  local port; port="$(cluster_primary)"
  local target; target="$CLUSTER_BACKUPS/$(date -u +%Y%m%dT%H%M%SZ)"
  as_postgres "mkdir -p $CLUSTER_BACKUPS"
  # A fast checkpoint starts it at once; the WAL written meanwhile is streamed into the backup, so it stands alone.
  as_postgres "PGPASSWORD=\$(cat $CLUSTER_PG/password) $PG_BIN/pg_basebackup -h 127.0.0.1 -p $port -U replicator \
    -D $target -X stream -c fast --no-password" >&2
  as_postgres "$PG_BIN/pg_verifybackup -q $target" >&2
  log "base backup of the primary on 127.0.0.1:$port in $target (verified against its manifest)"
  cluster_prune
  echo "$target"
}

# Retention, after each verified backup: the newest $OPTOUT_CLUSTER_BACKUPS_KEPT backups (2 unless set), and the archived
# WAL from the oldest of them on. Older WAL restores nothing without an older backup; kept, it grew by every segment the
# cluster ever wrote until the disk filled (5 GB on this machine's test cluster, and a CI run failed for space).
cluster_prune() {
  local kept="${OPTOUT_CLUSTER_BACKUPS_KEPT:-2}"
  [[ "$kept" =~ ^[1-9][0-9]*$ ]] || { log "OPTOUT_CLUSTER_BACKUPS_KEPT must be a whole number, at least 1: $kept"; exit 2; }
  # Named by their UTC time, so newest first by name; only what holds a manifest is a backup.
  local backups=() dir
  for dir in $(ls -1r "$CLUSTER_BACKUPS"); do
    [[ "$dir" =~ ^[0-9]{8}T[0-9]{6}Z$ ]] && [ -f "$CLUSTER_BACKUPS/$dir/backup_manifest" ] && backups+=("$CLUSTER_BACKUPS/$dir")
  done
  [ ${#backups[@]} -gt 0 ] || return 0
  for dir in "${backups[@]:$kept}"; do
    as_postgres "rm -rf $dir"
    log "removed the backup $dir (keeping the newest $kept)"
  done
  local oldest="${backups[$(( (${#backups[@]} < kept ? ${#backups[@]} : kept) - 1 ))]}"
  # backup_label names the first segment a restore from it needs: START WAL LOCATION: 0/6000028 (file 0000...06)
  local first; first="$(sed -n 's/^START WAL LOCATION: .*(file \([0-9A-F]\{24\}\))$/\1/p' "$oldest/backup_label")"
  [ -n "$first" ] || { log "no start segment in $oldest/backup_label: the archive is left as it is"; return 0; }
  local before; before="$(ls "$CLUSTER_PG/archive" | wc -l)"
  # Removes the segments (of any timeline) before $first; history and backup-history files stay.
  as_postgres "$PG_BIN/pg_archivecleanup $CLUSTER_PG/archive $first"
  log "archive pruned to the WAL from $first on, which the oldest backup kept ($oldest) needs: $((before - $(ls "$CLUSTER_PG/archive" | wc -l))) files removed"
}

# The primary's current WAL segment, closed and archived: a restore then reaches every commit made until now.
cluster_archive_now() {
  local port; port="$(cluster_primary)"
  local psql="psql -X -q -p $port -tA"
  local segment; segment="$(as_postgres "$psql -c 'select pg_walfile_name(pg_switch_wal())'")"
  for _ in $(seq 1 60); do
    [ -f "$CLUSTER_PG/archive/$segment" ] && return
    sleep 0.5
  done
  log "WAL segment $segment was not archived within 30 s"; exit 1
}

# A new, standalone server from a base backup and the archive, on its own port: the restore an operator drills. It
# replays the archive to its end on the newest timeline, then opens for writes. It never archives into the cluster's
# archive (its timeline would confuse the cluster's next promotion) and waits for no synchronous standby.
cluster_restore() {
  local backup="$1" port="${2:-5449}"
  # The path reaches a shell as the postgres user: plain characters only.
  [[ "$backup" =~ ^/[A-Za-z0-9_./-]+$ ]] && [ -f "$backup/backup_manifest" ] || { log "not a base backup: $backup"; exit 2; }
  [[ "$port" =~ ^[0-9]+$ ]] && ! printf '%s\n' "${CLUSTER_PG_PORTS[@]}" 5432 | grep -qx "$port" || { log "not a free port: $port"; exit 2; }
  local dir="/var/lib/postgresql/optout-restore/$port"
  [ -f "$dir/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl -D $dir stop -m fast" >/dev/null 2>&1
  as_root rm -rf "$dir"
  as_postgres "mkdir -p $(dirname "$dir") && cp -a $backup $dir && rm -f $dir/backup_manifest $dir/standby.signal && chmod 700 $dir && touch $dir/recovery.signal"
  # postgresql.auto.conf is read last, so these override what Patroni wrote for the node the backup came from.
  as_postgres "cat >> $dir/postgresql.auto.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
hba_file = '$dir/pg_hba.conf'
ident_file = '$dir/pg_ident.conf'
archive_mode = off
synchronous_standby_names = ''
primary_conninfo = ''
primary_slot_name = ''
restore_command = 'cp $CLUSTER_PG/archive/%f %p'
recovery_target_timeline = 'latest'
CONF
  as_postgres "$PG_BIN/pg_ctl -D $dir -l $dir/log -w -t 300 start" >/dev/null
  # Recovery ends at the end of the archive; the server then leaves recovery and takes writes.
  local open=""
  for _ in $(seq 1 600); do
    [ "$(as_postgres "psql -X -q -p $port -tAc 'select pg_is_in_recovery()'" 2>/dev/null)" = f ] && { open=yes; break; }
    sleep 0.5
  done
  [ -n "$open" ] || { log "the restored server on 127.0.0.1:$port was still replaying after 300 s: $dir/log"; exit 1; }
  log "restored $backup and the archive into $dir, up on 127.0.0.1:$port (stop: su postgres -c '$PG_BIN/pg_ctl -D $dir stop')"
}

# Everything `cluster servers` started, stopped cleanly: RabbitMQ nodes, then Patroni (which stops its PostgreSQL;
# replicas first, so the leader is not handed over on the way), then etcd. Data stays; `cluster servers` resumes it.
cluster_stop() {
  for i in 3 2 1; do as_root rabbitmqctl -q -n "$(mq_node $i)" stop >/dev/null 2>&1 || true; done
  local leader="" order=()
  for i in 1 2 3; do curl -sf -o /dev/null "$(pg_node_api $i)/primary" && leader=$i; done
  for i in 1 2 3; do [ "$i" != "$leader" ] && order+=("$i"); done
  for i in "${order[@]}" $leader; do
    as_root pkill -TERM -f "patroni $CLUSTER_PG/pg$i/patroni.yml" || true
    for _ in $(seq 1 60); do pgrep -f "patroni $CLUSTER_PG/pg$i/patroni.yml" >/dev/null || break; sleep 0.5; done
  done
  as_root pkill -TERM -f "etcd --name optout-etcd" || true
  log "cluster stopped (data kept in $CLUSTER_PG and $CLUSTER_MQ)"
}
