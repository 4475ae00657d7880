#!/usr/bin/env bash
# A Spark standalone cluster on this machine, from the Maven jars alone (no Spark download): a
# master and two workers (one core each) on 127.0.0.1, a many-fits job submitted to it with the
# module's shaded jar (executors run in the workers' own JVMs and never compile: the artifact's
# bytes travel with the job), its summary printed, and everything stopped.
#
#   spark/bin/standalone-cluster.sh             # 2000 data sets of examples/regression.flow
#   SETS=2000 ITERS=3000 spark/bin/standalone-cluster.sh
#
# Environment: SETS (data sets, default 2000), ITERS (NFVI iterations, default 3000), PORT (the
# master's, default 7177), FLOWC_SKIP_BUILD=1 to use the jars already built, KEEP=1 to keep the
# work directory (logs, data, results) and print its path.
set -euo pipefail
unset CDPATH
ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SETS="${SETS:-2000}"
ITERS="${ITERS:-3000}"
PORT="${PORT:-7177}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/flowc-standalone.XXXXXX")"
PIDS=()

stop_all() {
  # only the JVMs this script started, by their ids
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP:-0}" = 1 ]; then
    echo "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap stop_all EXIT

# Waits until a log has a line matching a pattern (a JVM that dies first, or 60 s, is a failure).
await() {
  local log="$1" pattern="$2" pid="$3" i
  for i in $(seq 600); do
    grep -q "$pattern" "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "failed to start; its log:" >&2; tail -20 "$log" >&2; return 1; }
    sleep 0.1
  done
  echo "timed out waiting for '$pattern' in $log" >&2
  return 1
}

if [ "${FLOWC_SKIP_BUILD:-0}" != 1 ]; then
  echo "== building the CLI and the spark module (mvn package)"
  mvn -B -q -pl cli,spark -am package dependency:build-classpath -DskipTests \
    -Dmdep.includeScope=provided -Dmdep.outputFile=target/provided-classpath.txt > "$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; exit 1; }
fi
SUBMIT_JAR="$(ls "$ROOT"/spark/target/flowc-spark-*-submit.jar)"

# Spark's launcher finds a distribution's jars in $SPARK_HOME/jars: make one of links to the Maven jars
SPARK_HOME="$WORK/spark-home"
mkdir -p "$SPARK_HOME/jars"
touch "$SPARK_HOME/RELEASE"
tr ':' '\n' < "$ROOT/spark/target/provided-classpath.txt" | while read -r jar; do
  ln -s "$jar" "$SPARK_HOME/jars/$(basename "$jar")"
done
# SPARK_SCALA_VERSION: without it the launcher looks for a source build to learn the Scala version
export SPARK_HOME SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
echo "== Spark $(ls "$SPARK_HOME/jars" | sed -n 's/^spark-core_2.13-\(.*\)\.jar$/\1/p') from $(ls "$SPARK_HOME/jars" | wc -l) Maven jars;" \
  "flowc classes in the submitted jar: $(unzip -l "$SUBMIT_JAR" | grep -c 'io/flowc/.*\.class') (compiler: $(unzip -l "$SUBMIT_JAR" | grep -c 'io/flowc/compiler/' || true))"

# the options Spark's own scripts give its JVMs on Java 17
OPENS=(-XX:+IgnoreUnrecognizedVMOptions)
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
    java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  OPENS+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
OPENS+=(-Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true)
CP="$SPARK_HOME/jars/*"
LOG4J="-Dlog4j2.configurationFile=$WORK/log4j2.properties"
cat > "$WORK/log4j2.properties" <<'LOG'
rootLogger.level = info
rootLogger.appenderRef.file.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
LOG

echo "== master spark://127.0.0.1:$PORT"
java -Xmx256m "${OPENS[@]}" "$LOG4J" -cp "$CP" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$PORT" --webui-port 0 > "$WORK/master.log" 2>&1 &
PIDS+=($!)
await "$WORK/master.log" "I have been elected leader" "${PIDS[0]}"

for w in 1 2; do
  java -Xmx256m "${OPENS[@]}" "$LOG4J" -cp "$CP" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores 1 --memory 1g --webui-port 0 --work-dir "$WORK/worker-$w" \
    "spark://127.0.0.1:$PORT" > "$WORK/worker-$w.log" 2>&1 &
  PIDS+=($!)
  await "$WORK/worker-$w.log" "Successfully registered with master" "$!"
  echo "== worker $w registered (pid $!, 1 core)"
done

echo "== compiling examples/regression.flow once, on the driver's side (bin/flowc compile)"
echo '{"N": 3, "x": [0, 1, 2], "y": [1, 3, 5]}' > "$WORK/shape.json"
bin/flowc compile examples/regression.flow --data "$WORK/shape.json" --flow 'scale-hh*3-loc' -o "$WORK/regression.jar"

# SETS stores of y = a + b x + s e, N from 20 to 200 rows each (awk's generator: the data differ between awks)
awk -v sets="$SETS" 'BEGIN {
  srand(8); print "store,x,y"
  for (k = 0; k < sets; k++) {
    n = 20 + int(rand() * 181); a = 2 * rand() - 1; b = 4 * rand() - 2; s = 0.2 + rand()
    for (i = 0; i < n; i++) {
      x = 2 * rand() - 1
      e = sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand())
      printf "store-%d,%.6f,%.6f\n", k, x, a + b * x + s * e
    }
  }
}' > "$WORK/rows.csv"
echo "== $SETS data sets, $(($(wc -l < "$WORK/rows.csv") - 1)) rows; submitting (NFVI scale-hh*3-loc, $ITERS iterations)"

start=$(date +%s.%N)
java -Xmx1g "${OPENS[@]}" "$LOG4J" -cp "$CP" org.apache.spark.deploy.SparkSubmit \
  --master "spark://127.0.0.1:$PORT" --deploy-mode client --total-executor-cores 2 --executor-memory 1g \
  --conf spark.ui.enabled=false --conf spark.driver.host=127.0.0.1 \
  --class io.flowc.spark.SparkFitMany "$SUBMIT_JAR" \
  --model "$WORK/regression.jar" --input "$WORK/rows.csv" --group store \
  --method nfvi --flow 'scale-hh*3-loc' --iters "$ITERS" --seed 1 --out "$WORK/results.parquet" \
  > "$WORK/submit.out" 2> "$WORK/submit.log" || { echo "the job failed; its log:" >&2; tail -40 "$WORK/submit.log" >&2; exit 1; }
end=$(date +%s.%N)

echo "== result (the job's own summary line, then the submission's wall time including the driver's start-up)"
cat "$WORK/submit.out"
awk -v a="$start" -v b="$end" 'BEGIN { printf "spark-submit took %.1f s\n", b - a }'
echo "== executors, one JVM per worker:"
for w in 1 2; do
  launched=$(grep -c "Asked to launch executor" "$WORK/worker-$w.log" || true)
  echo "worker $w: $launched executor JVM(s) launched"
done
tasks=$(grep -c "Finished task" "$WORK/submit.log" || true)
hosts=$(grep -o "Finished task .* on [^ ]* (executor [0-9]*)" "$WORK/submit.log" | grep -o "executor [0-9]*" | sort | uniq -c | tr -s ' ' | paste -sd ';' -)
echo "tasks finished: $tasks, by executor:$hosts"
echo "== stopping the workers and the master"
