# Sourced by the benchmarks that run the service on the benchmark store (run `infra/optout bench lookups` once first,
# so it exists): the servers, the signing keys, the service's settings, a pipeline's token, a Release build, and
#   psql_ SQL              one query on the benchmark store, its answer unaligned
#   start_api PORT         the service on 127.0.0.1:PORT in the background (its pid in $api_pid), once it is ready
#   hold_sequencer_off     the log's sequencer lock taken by another session (its pid in $holder_pid), so no instance
#                          leads it; let_sequencer_go ends that session
infra/optout servers >/dev/null
[ -s .local/audit-log-key.pem ] || (umask 077; openssl genpkey -algorithm ed25519 -out .local/audit-log-key.pem)
[ -s .local/audit-signing-key.pem ] || (umask 077; openssl ecparam -name prime256v1 -genkey -noout -out .local/audit-signing-key.pem)
export ConnectionStrings__Marten="Host=127.0.0.1;Port=5432;Database=optout_bench;Username=optout;Password=optout"
export ConnectionStrings__RabbitMq="amqp://optout:optout@127.0.0.1:5672/"
export Auth__DevelopmentSigningKey="$(cat .local/dev-signing-key)"
export ASPNETCORE_ENVIRONMENT=Development RateLimiting__TokenLimit=100000000 RateLimiting__TokensPerSecond=100000000
export Audit__Log__SigningKeyPem="$(cat .local/audit-log-key.pem)" Audit__SigningKeyPem="$(cat .local/audit-signing-key.pem)"
export OPTOUT_WRK_DIR="$PWD/benchmarks/wrk" OPTOUT_TOKEN="$(infra/optout token --role pipeline --subject bench | tail -n 1)"
build_out="$(dotnet build src/OptOut.Api -c Release -v q -nologo 2>&1)" || { printf '%s\n' "$build_out" >&2; echo "the service's build failed" >&2; return 1; }
psql_() { su postgres -c "psql -d optout_bench -Atc \"$1\""; }
start_api() {
  (cd src/OptOut.Api/bin/Release/net10.0 && Urls="http://127.0.0.1:$1" exec dotnet OptOut.Api.dll) >"/tmp/optout-bench-api-$1.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null && return; sleep 1; done
  echo "the service on :$1 never became ready" >&2; return 1
}
sequencer_lock=$(dotnet run --project benchmarks/OptOut.Benchmarks -c Release -v q -- sequencer-lock 2>/dev/null | tail -n 1)
hold_sequencer_off() {
  su postgres -c "psql -d optout_bench -c \"select pg_advisory_lock($sequencer_lock); select pg_sleep(100000)\"" >/dev/null 2>&1 &
  holder_pid=$!
  sleep 1
}
let_sequencer_go() {
  psql_ "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted and (classid::bigint << 32) | objid::bigint = $sequencer_lock" >/dev/null
  wait "$holder_pid" 2>/dev/null || true
}
