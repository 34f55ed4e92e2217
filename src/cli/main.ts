/**
 * The `sluice` command line. One error boundary: usage errors exit 2 with the usage hint, sluice
 * errors print their code and message, anything else prints the stack (a bug). Each command is a
 * plain `run(options)` function loaded lazily, so `sluice --help` stays fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { isSluiceError, SluiceError } from '../errors.js';
import { processIO, type CommandIO } from './output.js';
import { VERSION } from './version.js';
import type { SluiceConfig } from '../config/index.js';
import { honeypotDatabase } from './commands/honeypot-database.js';

/** Exit code for usage and configuration errors. */
export const EXIT_USAGE = 2;

/** Runs the CLI with `argv` (as process.argv: node, script, args…) and returns the exit code. */
export async function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
    return reportError(err, io);
  }
}

function buildProgram(io: CommandIO, setExit: (code: number) => void): Command {
  const program = new Command('sluice')
    .description('Network-security telemetry into search: packets, access logs and honeypot logs, exactly once.')
    .version(VERSION)
    .option('-c, --config <file>', 'YAML configuration file (default: ./sluice.yaml when present, or $SLUICE_CONFIG)')
    .option('-d, --data-dir <dir>', 'directory of the embedded store (default ./sluice-data)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('ingest')
    .description('decode pcap/pcapng captures (files or directories, recursively) into the store')
    .argument('<paths...>', 'capture files or directories')
    .addOption(new Option('-o, --output <format>', 'summary format').choices(['table', 'json']))
    .addOption(new Option('--progress <when>', 'progress bar on stderr').choices(['auto', 'always', 'never']))
    .option('--no-progress', 'never show a progress bar')
    .option('--batch-packets <n>', 'packets per store transaction', parseInteger)
    .option('--no-recursive', 'do not descend into subdirectories')
    .addOption(new Option('--to <sink>', 'where documents go (default: the embedded store)').choices(['local', 'elasticsearch']))
    .addOption(esUrlOption('Elasticsearch/OpenSearch node URL (repeat for several nodes; implies --to elasticsearch)'))
    .addOption(esIndexOption()).addOption(esDataStreamOption()).addOption(tlsCaOption()).addOption(tlsInsecureOption()).addOption(tlsCertOption()).addOption(tlsKeyOption()).addOption(esCompressionOption())
    .addOption(dissectorOption()).addOption(tsharkIndexOption()).addOption(tsharkPathOption()).addOption(tsharkFieldLimitOption())
    .action(async (paths: string[], opts: Record<string, unknown>, cmd: Command) => {
      const global = cmd.optsWithGlobals();
      const urls = opts.esUrl as string[] | undefined;
      const config = await loadCliConfig(global, {
        output: opts.output,
        progress: opts.progress === false ? 'never' : opts.progress,
        'ingest.batch_packets': opts.batchPackets,
        'ingest.recursive': opts.recursive === false ? false : undefined,
        'ingest.to': opts.to ?? (urls !== undefined ? 'elasticsearch' : undefined),
        ...tsharkFlags(opts),
        ...engineFlags(opts),
      });
      const { runIngest } = await import('./commands/ingest-command.js');
      setExit(
        await untilSignal(io, (stopSignal) =>
          runIngest(
            {
              paths,
              dataDir: config.data_dir,
              output: config.output,
              progress: config.progress,
              batchPackets: config.ingest.batch_packets,
              readChunkBytes: config.ingest.read_chunk_bytes,
              recursive: config.ingest.recursive,
              followSymlinks: config.ingest.follow_symlinks,
              synchronous: config.store.local.synchronous,
              cacheMb: config.store.local.cache_mb,
              to: config.ingest.to,
              elasticsearch: config.elasticsearch,
              tshark: config.ingest.dissector === 'tshark' ? config.tshark : undefined,
              stopSignal,
            },
            io,
          ),
        ),
      );
    });

  program
    .command('watch')
    .description('watch a directory (recursively) and ingest each capture into the store once it stops growing, exactly once')
    .argument('[dir]', 'directory to watch (default: watch.dir of the configuration)')
    .option('--stable-ms <n>', 'take a file once its size and mtime did not change for this long (default 5000)', parseInteger)
    .option('--poll-interval-ms <n>', 'time between two scans (default 1000)', parseInteger)
    .option('--parallel-files <n>', 'files ingested at once (default 1)', parseInteger)
    .addOption(new Option('--after <action>', 'what to do with a capture once it is in the store (default keep)').choices(['keep', 'delete', 'move']))
    .option('--archive-dir <dir>', 'where --after move puts files (relative paths kept, never overwriting)')
    .option('--quarantine-dir <dir>', 'where damaged captures go, with a <name>.reason.txt (default <data dir>/quarantine)')
    .option('--min-free-mb <n>', 'pause intake while the data directory has less free space (default 1024; 0: off)', parseInteger)
    .option('--once', 'scan once, ingest what is stable, then exit')
    .addOption(httpAddressOption()).addOption(healthIntervalOption())
    .addOption(new Option('--to <sink>', 'where documents go (default: the embedded store)').choices(['local', 'elasticsearch']))
    .addOption(esUrlOption('Elasticsearch/OpenSearch node URL (repeat for several nodes; implies --to elasticsearch)'))
    .addOption(esIndexOption()).addOption(esDataStreamOption()).addOption(tlsCaOption()).addOption(tlsInsecureOption()).addOption(tlsCertOption()).addOption(tlsKeyOption()).addOption(esCompressionOption())
    .addOption(dissectorOption()).addOption(tsharkIndexOption()).addOption(tsharkPathOption()).addOption(tsharkFieldLimitOption())
    .action(async (dirArg: string | undefined, opts: Record<string, unknown>, cmd: Command) => {
      const global = cmd.optsWithGlobals();
      const config = await loadCliConfig(global, {
        'ingest.to': opts.to ?? (opts.esUrl !== undefined ? 'elasticsearch' : undefined),
        'watch.dir': dirArg,
        'watch.stable_ms': opts.stableMs,
        'watch.poll_interval_ms': opts.pollIntervalMs,
        'watch.parallel_files_count': opts.parallelFiles,
        'watch.after': opts.after,
        'watch.archive_dir': opts.archiveDir,
        'watch.quarantine_dir': opts.quarantineDir,
        'watch.min_free_mb': opts.minFreeMb,
        ...tsharkFlags(opts),
        ...opsFlags(opts),
        ...engineFlags(opts),
      });
      const w = config.watch;
      if (w.dir === undefined) throw new SluiceError('SLUICE_USAGE', 'watch needs a directory: give it as an argument or set watch.dir in the configuration');
      const { runWatch } = await import('./commands/watch-command.js');
      const { join } = await import('node:path');
      setExit(
        await untilSignal(io, (stopSignal) =>
          runWatch(
            {
              dir: w.dir!,
              dataDir: config.data_dir,
              stableMs: w.stable_ms,
              pollIntervalMs: w.poll_interval_ms,
              parallelFiles: w.parallel_files_count,
              after: w.after,
              archiveDir: w.archive_dir,
              quarantineDir: w.quarantine_dir ?? join(config.data_dir, 'quarantine'),
              minFreeMb: w.min_free_mb,
              once: opts.once === true,
              batchPackets: config.ingest.batch_packets,
              readChunkBytes: config.ingest.read_chunk_bytes,
              synchronous: config.store.local.synchronous,
              cacheMb: config.store.local.cache_mb,
              elasticsearch: config.ingest.to === 'elasticsearch' ? config.elasticsearch : undefined,
              ops: opsOptions('watch', config),
              tshark: config.ingest.dissector === 'tshark' ? config.tshark : undefined,
              stopSignal,
            },
            io,
          ),
        ),
      );
    });

  program
    .command('capture')
    .description("capture live packets with dumpcap or tcpdump (run as a child process) into the store or Elasticsearch/OpenSearch, exactly once, with the tool's drop counters")
    .argument('[paths...]', 'none: capture reads an interface (ingest files with sluice ingest)')
    .option('-i, --interface <name>', 'interface to capture on (see --list-interfaces)')
    .option('--list-interfaces', 'list the interfaces the capture tool can open, then exit')
    .option('-f, --bpf <filter>', 'capture filter, pcap-filter(7) syntax')
    .option('--count <n>', 'stop after n packets', parseInteger)
    .option('--duration-secs <n>', 'stop after n seconds', parseInteger)
    .option('-s, --snaplen <bytes>', 'bytes kept of each packet, 1-262144 (default 262144)', parseInteger)
    .addOption(new Option('--tool <tool>', 'capture tool (default auto: dumpcap, else tcpdump)').choices(['auto', 'dumpcap', 'tcpdump']))
    .option('--dir <dir>', 'packet folder (default <data dir>/capture/<interface>)')
    .option('--rotate-secs <n>', 'new capture file every n seconds (default 10; 0: never)', parseInteger)
    .option('--rotate-bytes <n>', 'new capture file after n bytes (default 64000000; 0: never)', parseInteger)
    .option('--no-keep-files', 'delete each capture file once it is in the store')
    .option('--min-free-mb <n>', 'delete the oldest ingested files below this free disk (default 1024; 0: off)', parseInteger)
    .option('--max-dir-mb <n>', 'delete the oldest ingested files while the packet folder is larger (default 0: no limit)', parseInteger)
    .addOption(new Option('-o, --output <format>', 'summary format (and --list-interfaces: json = NDJSON)').choices(['table', 'json']))
    .addOption(new Option('--progress <when>', 'progress line on stderr').choices(['auto', 'always', 'never']))
    .addOption(httpAddressOption()).addOption(healthIntervalOption())
    .addOption(esUrlOption('deliver to this Elasticsearch/OpenSearch node instead of the store (repeat for several nodes)'))
    .addOption(esIndexOption()).addOption(esDataStreamOption()).addOption(tlsCaOption()).addOption(tlsInsecureOption()).addOption(tlsCertOption()).addOption(tlsKeyOption()).addOption(esCompressionOption())
    .action(async (paths: string[], opts: Record<string, unknown>, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), {
        output: opts.output,
        progress: opts.progress,
        'capture.interface': opts.interface,
        'capture.bpf': opts.bpf,
        'capture.snaplen_bytes': opts.snaplen,
        'capture.tool': opts.tool,
        'capture.dir': opts.dir,
        'capture.rotate_secs': opts.rotateSecs,
        'capture.rotate_bytes': opts.rotateBytes,
        'capture.keep_files': opts.keepFiles === false ? false : undefined,
        'capture.min_free_mb': opts.minFreeMb,
        'capture.max_dir_mb': opts.maxDirMb,
        'ingest.to': opts.esUrl !== undefined ? 'elasticsearch' : undefined,
        ...opsFlags(opts),
        ...engineFlags(opts),
      });
      const c = config.capture;
      const list = opts.listInterfaces === true;
      const { runCapture } = await import('./commands/capture-command.js');
      setExit(
        await untilSignal(io, (stopSignal) =>
          runCapture(
            {
              paths,
              listInterfaces: list,
              // From the flag only when listing, so a configured capture.interface does not conflict with --list-interfaces.
              interface: list ? (opts.interface as string | undefined) : c.interface,
              bpf: list ? (opts.bpf as string | undefined) : c.bpf,
              snaplenBytes: list ? (opts.snaplen as number | undefined) : c.snaplen_bytes,
              count: opts.count as number | undefined,
              durationSecs: opts.durationSecs as number | undefined,
              tool: c.tool,
              dir: c.dir,
              rotateSecs: c.rotate_secs,
              rotateBytes: c.rotate_bytes,
              keepFiles: c.keep_files,
              minFreeMb: c.min_free_mb,
              maxDirMb: c.max_dir_mb,
              dataDir: config.data_dir,
              output: config.output,
              progress: config.progress,
              batchPackets: config.ingest.batch_packets,
              readChunkBytes: config.ingest.read_chunk_bytes,
              synchronous: config.store.local.synchronous,
              cacheMb: config.store.local.cache_mb,
              elasticsearch: config.ingest.to === 'elasticsearch' ? config.elasticsearch : undefined,
              ops: list ? undefined : opsOptions('capture', config),
              stopSignal,
            },
            io,
          ),
        ),
      );
    });

  withOptions(program
    .command('tail')
    .description('follow web access logs or honeypot logs through rotation into the store or Elasticsearch/OpenSearch, exactly once')
    .argument('[paths...]', 'files or glob patterns (quote globs: "/var/log/nginx/access.log*"); default: tail.paths of the configuration')
    .addOption(new Option('--dataset <kind>', 'what the files hold (default access)').choices(['access', 'honeypot']))
    .addOption(new Option('--format <preset>', 'access-log format (default apache_combined)').choices(['apache_common', 'apache_combined', 'apache_vhost_combined', 'nginx_combined', 'nginx_main', 'json']))
    .option('--apache-log-format <string>', 'an Apache LogFormat string (overrides --format)')
    .option('--nginx-log-format <string>', 'an nginx log_format string (overrides --format)')
    .addOption(new Option('--start-at <where>', 'files without a checkpoint found at start begin at their beginning or end (default beginning)').choices(['beginning', 'end']))
    .option('--poll-interval-ms <n>', 'time between two scans of the paths (default 1000)', parseInteger)
    .option('--once', 'read every file to its end, deliver, then exit (instead of following)'), [...enricherOptions(), ...rateLimitOptions()])
    .addOption(httpAddressOption()).addOption(healthIntervalOption())
    .addOption(esUrlOption('deliver to this Elasticsearch/OpenSearch node instead of the store (repeat for several nodes)'))
    .addOption(tlsCaOption()).addOption(tlsInsecureOption()).addOption(tlsCertOption()).addOption(tlsKeyOption()).addOption(esCompressionOption())
    .action(async (paths: string[], opts: Record<string, unknown>, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), {
        'tail.dataset': opts.dataset,
        'tail.start_at': opts.startAt,
        'tail.poll_interval_ms': opts.pollIntervalMs,
        'access_log.format': opts.format,
        'access_log.apache_log_format': opts.apacheLogFormat,
        'access_log.nginx_log_format': opts.nginxLogFormat,
        ...enricherFlags(opts),
        'ingest.to': opts.esUrl !== undefined ? 'elasticsearch' : undefined,
        ...opsFlags(opts),
        ...rateLimitFlags(opts),
        ...engineFlags(opts),
      });
      const { runTail } = await import('./commands/tail-command.js');
      setExit(
        await untilSignal(io, (stopSignal) =>
          runTail({ paths, config, toEngine: config.ingest.to === 'elasticsearch', untilIdle: opts.once === true, stopSignal, ops: opsOptions('tail', config) }, io),
        ),
      );
    });

  const honeypot = program.command('honeypot').description('honeypot analytics over the relational store (SQLite by default, or PostgreSQL with honeypot.db: postgres)');
  const HONEYPOT_QUERIES = [
    ['summary', 'attack summary: sessions, unique IPs, login success rate, top countries and ASNs'],
    ['credentials', 'top username/password pairs'],
    ['usernames', 'top usernames'],
    ['passwords', 'top passwords'],
    ['commands', 'top commands'],
    ['downloads', 'downloads with their SHA-256'],
    ['patterns', 'attack patterns found (with MITRE ATT&CK ids)'],
  ] as const;
  for (const [what, description] of HONEYPOT_QUERIES) {
    honeypot
      .command(what)
      .description(description)
      .option('--since <time>', 'from this time (ISO 8601, epoch seconds, -24h, now-7d)')
      .option('--until <time>', 'until this time (exclusive)')
      .option('--limit <n>', 'rows (default 10)', parseInteger)
      .addOption(honeypotDbOption())
      .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']))
      .action(async (opts: Record<string, unknown>, cmd: Command) => {
        const config = await loadCliConfig(cmd.optsWithGlobals(), { output: opts.output, 'honeypot.db': opts.db });
        const { runHoneypotQuery } = await import('./commands/honeypot-command.js');
        setExit(
          await runHoneypotQuery(
            { database: honeypotDatabase(config), what, since: opts.since as string | undefined, until: opts.until as string | undefined, limit: opts.limit as number | undefined, output: config.output },
            io,
          ),
        );
      });
  }
  honeypot
    .command('session')
    .description('everything about one session: the session, its logins, commands, downloads and raw events')
    .argument('<id>', 'Cowrie session id')
    .addOption(honeypotDbOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']))
    .action(async (id: string, opts: Record<string, unknown>, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), { output: opts.output, 'honeypot.db': opts.db });
      const { runHoneypotQuery } = await import('./commands/honeypot-command.js');
      setExit(await runHoneypotQuery({ database: honeypotDatabase(config), what: 'session', session: id, output: config.output }, io));
    });
  honeypot
    .command('ingest')
    .description('read whole Cowrie/HP_TI JSON logs into the relational store (idempotent; follow live logs with sluice tail --dataset honeypot)')
    .argument('<files...>', 'Cowrie JSON log files')
    .option('--no-geoip', 'no country/ASN lookup of new addresses')
    .addOption(honeypotDbOption())
    .addOption(new Option('-o, --output <format>', 'report format').choices(['table', 'json']))
    .action(async (files: string[], opts: Record<string, unknown>, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), { output: opts.output, 'honeypot.db': opts.db, 'geoip.enabled': opts.geoip === false ? false : undefined });
      const { runHoneypotIngest } = await import('./commands/honeypot-command.js');
      setExit(await runHoneypotIngest({ database: honeypotDatabase(config), files, geoip: config.geoip.enabled, maxFieldBytes: config.honeypot.max_field_bytes, output: config.output }, io));
    });
  honeypot
    .command('retention')
    .description('delete honeypot sessions and events older than an age (dry run unless --apply); daily indices: sluice retention')
    .requiredOption('--older-than <age>', 'a whole number and h, d or w, e.g. 30d')
    .option('--apply', 'delete (default: list what would be deleted)')
    .addOption(honeypotDbOption())
    .addOption(new Option('-o, --output <format>', 'report format').choices(['table', 'json']))
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), { output: opts.output, 'honeypot.db': opts.db });
      const { runHoneypotRetention } = await import('./commands/honeypot-command.js');
      setExit(await runHoneypotRetention({ database: honeypotDatabase(config), olderThan: opts.olderThan as string, apply: opts.apply === true, output: config.output }, io));
    });

  const db = program.command('db').description('the honeypot database schema (SQLite or PostgreSQL)');
  for (const action of ['migrate', 'status'] as const) {
    db.command(action)
      .description(action === 'migrate' ? 'apply pending migrations (idempotent)' : 'list applied and pending migrations (exit 3 when some are pending)')
      .addOption(honeypotDbOption())
      .addOption(new Option('-o, --output <format>', 'report format').choices(['table', 'json']))
      .action(async (opts: Record<string, unknown>, cmd: Command) => {
        const config = await loadCliConfig(cmd.optsWithGlobals(), { output: opts.output, 'honeypot.db': opts.db });
        const { runDbCommand } = await import('./commands/db-command.js');
        setExit(await runDbCommand({ database: honeypotDatabase(config), action, output: config.output }, io));
      });
  }

  program
    .command('ship')
    .description('follow access logs through rotation into a Kafka topic (parsed, or raw with --raw), exactly once')
    .argument('[paths...]', 'files or glob patterns; default: tail.paths of the configuration')
    .addOption(new Option('--format <preset>', 'access-log format (default apache_combined)').choices(['apache_common', 'apache_combined', 'apache_vhost_combined', 'nginx_combined', 'nginx_main', 'json']))
    .option('--apache-log-format <string>', 'an Apache LogFormat string (overrides --format)')
    .option('--nginx-log-format <string>', 'an nginx log_format string (overrides --format)')
    .addOption(new Option('--start-at <where>', 'files without a checkpoint begin at their beginning or end').choices(['beginning', 'end']))
    .option('--poll-interval-ms <n>', 'time between two scans of the paths (default 1000)', parseInteger)
    .option('--once', 'read every file to its end, wait for Kafka to acknowledge, then exit')
    .option('--kafka-brokers <list>', 'host:port[,host:port…] of the Kafka brokers', collect)
    .option('--topic <name>', 'topic (default sluice-access)')
    .addOption(new Option('--compression <codec>', 'record compression (default lz4; zstd needs Node.js 22.15+)').choices(['lz4', 'snappy', 'gzip', 'none', 'zstd']))
    .option('--partitions <n>', 'partitions when ship creates the topic (default 4)', parseInteger)
    .addOption(new Option('--partition-by <what>', 'record key: document id (spread) or file identity (per-file order)').choices(['document', 'file']))
    .option('--raw', 'send raw lines instead of parsed events (consume parses them)')
    .addOption(httpAddressOption()).addOption(healthIntervalOption())
    .action(async (paths: string[], opts: Record<string, unknown>, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), {
        'tail.start_at': opts.startAt,
        'tail.poll_interval_ms': opts.pollIntervalMs,
        'access_log.format': opts.format,
        'access_log.apache_log_format': opts.apacheLogFormat,
        'access_log.nginx_log_format': opts.nginxLogFormat,
        'kafka.brokers': splitBrokers(opts.kafkaBrokers),
        'kafka.topic': opts.topic,
        'kafka.compression': opts.compression,
        'kafka.partitions_count': opts.partitions,
        'kafka.partition_by': opts.partitionBy,
        ...opsFlags(opts),
      });
      const { runShip } = await import('./commands/ship-command.js');
      const { tailOptionsFromConfig } = await import('./commands/tail-command.js');
      const { accessLogPipelineFromConfig } = await import('../pipeline/logs/log-pipelines-from-config.js');
      // ship only parses: the enrichers run on the consuming side.
      const pipeline = await accessLogPipelineFromConfig(
        { ...config, geoip: { ...config.geoip, enabled: false }, user_agent: { ...config.user_agent, enabled: false }, threat: { ...config.threat, enabled: false } },
        (m) => io.stderr.write(`sluice: warning: ${m}\n`),
      );
      const k = config.kafka;
      setExit(
        await untilSignal(io, (stopSignal) =>
          runShip(
            {
              pipeline,
              raw: opts.raw === true,
              untilIdle: opts.once === true,
              stopSignal,
              ops: opsOptions('ship', config),
              tail: tailOptionsFromConfig(config, paths.length > 0 ? paths : config.tail.paths, opts.once === true),
              kafka: {
                brokers: k.brokers,
                topic: k.topic,
                clientId: k.client_id,
                compression: k.compression,
                deliveryTimeoutMs: k.delivery_timeout_ms,
                partitions: k.partitions_count,
                partitionBy: k.partition_by,
                breaker: { failureThreshold: k.breaker_failure_count, resetMs: k.breaker_reset_ms },
                slowRequestMs: k.slow_request_ms,
              },
            },
            io,
          ),
        ),
      );
    });

  withOptions(program
    .command('consume')
    .description('a Kafka consumer-group member: enrich what sluice ship sent and deliver it to Elasticsearch/OpenSearch, committing only after delivery')
    .option('--kafka-brokers <list>', 'host:port[,host:port…] of the Kafka brokers', collect)
    .option('--topic <name>', 'topic (default sluice-access)')
    .option('--group <id>', 'consumer group (default sluice-consume); members of one group split the partitions')
    .option('--dlq-topic <name>', 'dead-letter topic for poison records (default <topic>-dlq)'), [...enricherOptions(), ...rateLimitOptions()])
    .addOption(httpAddressOption()).addOption(healthIntervalOption())
    .addOption(esUrlOption('Elasticsearch/OpenSearch node to deliver to (repeat for several nodes)'))
    .addOption(tlsCaOption()).addOption(tlsInsecureOption()).addOption(tlsCertOption()).addOption(tlsKeyOption()).addOption(esCompressionOption())
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), {
        'kafka.brokers': splitBrokers(opts.kafkaBrokers),
        'kafka.topic': opts.topic,
        'kafka.group': opts.group,
        'kafka.dlq_topic': opts.dlqTopic,
        ...enricherFlags(opts),
        ...opsFlags(opts),
        ...rateLimitFlags(opts),
        ...engineFlags(opts),
      });
      const { runConsume } = await import('./commands/consume-command.js');
      const { accessLogPipelineFromConfig } = await import('../pipeline/logs/log-pipelines-from-config.js');
      const pipeline = await accessLogPipelineFromConfig(config, (m) => io.stderr.write(`sluice: warning: ${m}\n`));
      const k = config.kafka;
      setExit(
        await untilSignal(io, (stopSignal) =>
          runConsume(
            {
              pipeline,
              config,
              stopSignal,
              ops: opsOptions('consume', config),
              kafka: { brokers: k.brokers, topic: k.topic, group: k.group, clientId: k.client_id, dlqTopic: k.dlq_topic, batchRecords: k.batch_records_count, sessionTimeoutMs: k.session_timeout_ms, reconnectTimeoutMs: k.reconnect_timeout_ms, breaker: { failureThreshold: k.breaker_failure_count, resetMs: k.breaker_reset_ms } },
            },
            io,
          ),
        ),
      );
    });

  program
    .command('search')
    .description('print the documents matching a KQL query, in time order (NDJSON when piped or with --output json)')
    .addOption(new Option('--dataset <name>', 'which documents to search: packets, web access logs or honeypot events (default packets)').choices(['packets', 'access', 'honeypot']))
    .argument('[query...]', 'KQL, e.g. \'dns.question.name: *.example.com and not source.ip: 10.0.0.0/8\' (empty or * for all); or the positional form: IP [IP] [PORT [PORT]] [ipv4|ipv6|tcp|udp]')
    .addOption(new Option('-o, --output <format>', 'output format (default: table on a terminal, json otherwise)').choices(['table', 'json']))
    .option('--from <time>', 'only documents at or after this time (ISO 8601, now, -24h, now-7d, epoch seconds)')
    .option('--to <time>', 'only documents before this time (same forms as --from)')
    .option('--file <path>', 'only documents of this capture (path, file name or capture id)')
    .option('--limit <n>', 'stop after n documents (default: no limit)', parseInteger)
    .option('--count', 'print the number of matching documents only')
    .addOption(esUrlOption('search Elasticsearch/OpenSearch instead of the embedded store (repeat for several nodes)'))
    .addOption(esIndexOption()).addOption(esDataStreamOption()).addOption(tlsCaOption()).addOption(tlsInsecureOption()).addOption(tlsCertOption()).addOption(tlsKeyOption())
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      const global = cmd.optsWithGlobals();
      const config = await loadCliConfig(global, engineFlags(opts));
      const q = await queryOptions(args, opts);
      const { runSearch } = await import('./commands/search-command.js');
      setExit(
        await runSearch(
          {
            dataDir: config.data_dir,
            ...q,
            output: (opts.output as 'table' | 'json' | undefined) ?? 'auto',
            count: opts.count === true,
            engine: opts.esUrl !== undefined,
            elasticsearch: config.elasticsearch,
            dataset: opts.dataset as 'packets' | 'access' | 'honeypot' | undefined,
            accessIndexPattern: config.access_log.index_pattern,
            honeypotIndexPrefix: config.honeypot.index_prefix,
          },
          io,
        ),
      );
    });

  program
    .command('pcap')
    .description('write the packets matching a KQL query to a pcap or pcapng file, in time order, with their original bytes and timestamps')
    .argument('[query...]', 'KQL (empty or * for all packets), or the positional form: IP [IP] [PORT [PORT]] [ipv4|ipv6|tcp|udp]')
    .requiredOption('-o, --output <file>', 'output file: *.pcapng for pcapng, anything else for pcap; - for stdout')
    .addOption(new Option('--format <format>', 'container format (default: from the file name; pcap for stdout)').choices(['pcap', 'pcapng']))
    .option('--from <time>', 'only documents at or after this time (ISO 8601, now, -24h, now-7d, epoch seconds)')
    .option('--to <time>', 'only documents before this time (same forms as --from)')
    .option('--file <path>', 'only packets of this capture (path, file name or capture id)')
    .option('--limit <n>', 'stop after n packets (default: no limit)', parseInteger)
    .addOption(new Option('--summary <format>', 'summary format (on stderr when writing to stdout)').choices(['table', 'json']).default('table'))
    .addOption(esUrlOption('read the packets from Elasticsearch/OpenSearch instead of the embedded store (repeat for several nodes)'))
    .addOption(esIndexOption()).addOption(esDataStreamOption()).addOption(tlsCaOption()).addOption(tlsInsecureOption()).addOption(tlsCertOption()).addOption(tlsKeyOption())
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      const global = cmd.optsWithGlobals();
      const config = await loadCliConfig(global, engineFlags(opts));
      const q = await queryOptions(args, opts);
      const { runPcap } = await import('./commands/pcap-command.js');
      setExit(
        await runPcap(
          {
            dataDir: config.data_dir,
            ...q,
            output: opts.output as string,
            format: opts.format as 'pcap' | 'pcapng' | undefined,
            json: opts.summary === 'json',
            engine: opts.esUrl !== undefined,
            elasticsearch: config.elasticsearch,
          },
          io,
        ),
      );
    });

  program
    .command('setup')
    .description('install the index template and the lifecycle policy (ILM/ISM) on Elasticsearch/OpenSearch, idempotently; optionally create API keys')
    .option('--api-keys', 'also create a publish key and a read key (Elasticsearch only) and print them once')
    .option('--delete-after-days <n>', 'the lifecycle policy deletes an index this many days after its creation (default 30)', parseInteger)
    .addOption(esUrlOption('Elasticsearch/OpenSearch node URL (repeat for several nodes)'))
    .addOption(esIndexOption()).addOption(esDataStreamOption()).addOption(tlsCaOption()).addOption(tlsInsecureOption()).addOption(tlsCertOption()).addOption(tlsKeyOption())
    .addOption(new Option('-o, --output <format>', 'report format').choices(['table', 'json']).default('table'))
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), engineFlags(opts));
      const { runSetupCommand } = await import('./commands/setup-command.js');
      setExit(await runSetupCommand({
        elasticsearch: config.elasticsearch,
        apiKeys: opts.apiKeys === true,
        deleteAfterDays: opts.deleteAfterDays as number | undefined,
        output: opts.output as 'table' | 'json',
      }, io));
    });

  program
    .command('retention')
    .description('delete daily packet indices older than an age, by the UTC date in their name (dry run unless --apply)')
    .requiredOption('--older-than <age>', 'age: a whole number and h, d or w, e.g. 30d, 12h, 2w')
    .option('--apply', 'delete (default: dry run, list only)')
    .addOption(esUrlOption('Elasticsearch/OpenSearch node URL (repeat for several nodes)'))
    .addOption(esIndexOption()).addOption(esDataStreamOption()).addOption(tlsCaOption()).addOption(tlsInsecureOption()).addOption(tlsCertOption()).addOption(tlsKeyOption())
    .addOption(new Option('-o, --output <format>', 'report format').choices(['table', 'json']).default('table'))
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), engineFlags(opts));
      const { runRetention } = await import('./commands/retention-command.js');
      setExit(await runRetention({
        elasticsearch: config.elasticsearch,
        olderThan: opts.olderThan as string,
        apply: opts.apply === true,
        output: opts.output as 'table' | 'json',
      }, io));
    });

  const dlq = program.command('dlq').description('documents a sink refused for good (dead letters)');
  dlq
    .command('list')
    .description('show the dead letters, with why each was refused')
    .addOption(new Option('--sink <sink>', 'which sink').choices(['elasticsearch']).default('elasticsearch'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), {});
      const { runDlqList } = await import('./commands/dlq-command.js');
      setExit(await runDlqList({ dataDir: config.data_dir, sink: opts.sink as string, output: opts.output as 'table' | 'json' }, io));
    });
  dlq
    .command('replay')
    .description('send the dead letters again (after fixing the cause); those refused again stay')
    .addOption(new Option('--sink <sink>', 'which sink').choices(['elasticsearch']).default('elasticsearch'))
    .addOption(esUrlOption('Elasticsearch/OpenSearch node URL (repeat for several nodes)'))
    .addOption(tlsCaOption()).addOption(tlsInsecureOption()).addOption(tlsCertOption()).addOption(tlsKeyOption()).addOption(esCompressionOption())
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), engineFlags(opts));
      const { runDlqReplay } = await import('./commands/dlq-command.js');
      setExit(await runDlqReplay({ dataDir: config.data_dir, sink: opts.sink as string, output: 'table', elasticsearch: config.elasticsearch }, io));
    });

  const configCmd = program.command('config').description('inspect the configuration');
  configCmd
    .command('init')
    .description('write a commented default configuration file (every key, its default and its environment variable)')
    .argument('[file]', 'where to write it', 'sluice.yaml')
    .option('--force', 'overwrite an existing file')
    .action(async (file: string, opts: Record<string, unknown>) => {
      const { defaultConfigYaml } = await import('../config/index.js');
      const { writeFileSync, existsSync } = await import('node:fs');
      if (existsSync(file) && opts.force !== true) throw new SluiceError('SLUICE_USAGE', `${file} exists; pass --force to overwrite it`);
      writeFileSync(file, defaultConfigYaml());
      io.stdout.write(`Wrote ${file}. Check it with: sluice --config ${file} config check\n`);
    });
  configCmd
    .command('check')
    .description('validate the merged configuration and print every problem (exit 2 when there is one)')
    .action(async (_opts: unknown, cmd: Command) => {
      const { resolveConfig } = await import('../config/index.js');
      const global = cmd.optsWithGlobals();
      const resolved = resolveConfig({ configFile: global.config as string | undefined, flags: global.dataDir === undefined ? {} : { data_dir: global.dataDir } });
      io.stdout.write(`Configuration OK${resolved.file ? ` (file: ${resolved.file})` : ' (no configuration file: environment and defaults)'}.\n`);
    });
  configCmd
    .command('show')
    .description('print the merged configuration (flags > environment > .env > file > defaults), secrets redacted')
    .action(async (_opts: unknown, cmd: Command) => {
      const config = await loadCliConfig(cmd.optsWithGlobals(), {});
      const { redactConfig } = await import('../config/index.js');
      io.stdout.write(JSON.stringify(redactConfig(config), null, 2) + '\n');
    });

  return program;
}

/** The query options shared by `search` and `pcap`: KQL from the arguments, time bounds, file, limit. */
async function queryOptions(args: string[], opts: Record<string, unknown>) {
  const { queryFromArgs } = await import('../query/positional-query.js');
  const { parseTimeBound } = await import('../query/time-bound.js');
  let kql = queryFromArgs(args);
  if (typeof opts.file === 'string') {
    const f = JSON.stringify(opts.file);
    const byFile = opts.dataset === 'access' || opts.dataset === 'honeypot' ? `log.file.path: ${f}` : `(pcap.file: ${f} or source_file: ${f} or pcap.capture_id: ${f})`;
    kql = kql.trim() === '' || kql.trim() === '*' ? byFile : `(${kql}) and ${byFile}`;
  }
  return {
    kql,
    fromNs: typeof opts.from === 'string' ? parseTimeBound(opts.from, '--from') : undefined,
    toNs: typeof opts.to === 'string' ? parseTimeBound(opts.to, '--to') : undefined,
    limit: opts.limit as number | undefined,
  };
}

/** How the CLI spells the flag of each config key it offers (so errors name what the user typed). */
const FLAG_LABELS: Readonly<Record<string, string>> = {
  data_dir: '--data-dir',
  output: '--output',
  progress: '--progress',
  'ingest.batch_packets': '--batch-packets',
  'ingest.recursive': '--no-recursive',
  'ingest.to': '--to',
  'elasticsearch.urls': '--es-url',
  'elasticsearch.index_pattern': '--es-index',
  'capture.interface': '--interface',
  'capture.bpf': '--bpf',
  'api.address': '--http-address',
  'ingest.dissector': '--dissector',
  'tail.dataset': '--dataset',
  'honeypot.db': '--db',
  'kafka.brokers': '--kafka-brokers',
  'kafka.topic': '--topic',
  'access_log.format': '--format',
  'access_log.apache_log_format': '--apache-log-format',
  'access_log.nginx_log_format': '--nginx-log-format',
  'tshark.index_pattern': '--tshark-index',
  'log.health_interval_secs': '--health-log-interval-secs',
  'rate_limit.events_per_sec': '--rate-limit',
  'rate_limit.burst_count': '--rate-limit-burst',
  'rate_limit.mode': '--rate-limit-mode',
  'rate_limit.scope': '--rate-limit-scope',
  'elasticsearch.compression': '--es-compression',
};

function honeypotDbOption(): Option {
  return new Option('--db <kind>', 'honeypot database: sqlite (<data dir>/honeypot.db, default) or postgres (postgres.url, e.g. SLUICE_POSTGRES__URL)').choices(['sqlite', 'postgres']);
}

/** `--kafka-brokers a:9092,b:9092 --kafka-brokers c:9092` → one list (undefined when not given). */
function splitBrokers(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.flatMap((v: string) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

/** `--http-address`: turns the operations endpoint on. */
function httpAddressOption(): Option {
  return new Option('--http-address <host:port>', 'serve /metrics, /healthz and /readyz here (e.g. 127.0.0.1:9599; default: api.* of the configuration, off)');
}

function healthIntervalOption(): Option {
  return new Option('--health-log-interval-secs <n>', 'seconds between two health log lines on stderr (default 60; 0: off)').argParser(parseInteger);
}

function dissectorOption(): Option {
  return new Option('--dissector <kind>', "packet dissector: native (default) or tshark (Wireshark's dissectors, espcap-shaped documents; needs --es-url)").choices(['native', 'tshark']);
}

function tsharkIndexOption(): Option {
  return new Option('--tshark-index <pattern>', 'daily index of the tshark dissector, %Y %m %d = UTC date of the packet (default packets-%Y-%m-%d)');
}

function tsharkPathOption(): Option {
  return new Option('--tshark-path <file>', 'tshark executable (default: tshark in PATH)');
}

function tsharkFieldLimitOption(): Option {
  return new Option('--tshark-field-limit <n>', 'long-tail fields mapped per index when the engine has no flat_object/flattened (default 2000)').argParser(parseInteger);
}

/** The tshark dissector flags as configuration overrides. */
function tsharkFlags(opts: Record<string, unknown>): Record<string, unknown> {
  return {
    'ingest.dissector': opts.dissector,
    'tshark.index_pattern': opts.tsharkIndex,
    'tshark.path': opts.tsharkPath,
    'tshark.field_limit_count': opts.tsharkFieldLimit,
  };
}

/** Adds `options` to `command` (keeps a chain of commander calls going). */
function withOptions(command: Command, options: readonly Option[]): Command {
  for (const o of options) command.addOption(o);
  return command;
}

/** `--no-geoip`, `--no-user-agent`, `--no-threat`, `--threat-rules` (see {@link enricherFlags}). */
function enricherOptions(): Option[] {
  return [
    new Option('--no-geoip', 'no GeoIP enrichment'),
    new Option('--no-user-agent', 'no user-agent parsing'),
    new Option('--no-threat', 'no attack-rule matching'),
    new Option('--threat-rules <file>', 'extra attack-rule file (YAML; repeat for several)').argParser(collect),
  ];
}

/** The enricher flags as configuration overrides (`--no-…` turns one off; nothing given: the configuration decides). */
function enricherFlags(opts: Record<string, unknown>): Record<string, unknown> {
  return {
    'geoip.enabled': opts.geoip === false ? false : undefined,
    'user_agent.enabled': opts.userAgent === false ? false : undefined,
    'threat.enabled': opts.threat === false ? false : undefined,
    'threat.rules_paths': opts.threatRules,
  };
}

/** `--rate-limit`, `--rate-limit-burst`, `--rate-limit-mode`, `--rate-limit-scope` (see {@link rateLimitFlags}). */
function rateLimitOptions(): Option[] {
  return [
    new Option('--rate-limit <events/s>', 'let at most this many events per second through (per file or partition; default: no limit)').argParser(parsePositiveNumber),
    new Option('--rate-limit-burst <n>', "events let through at once after a quiet spell (default: one second's worth)").argParser(parseInteger),
    new Option('--rate-limit-mode <mode>', 'over the rate: delay (hold the source back, nothing lost; default) or drop (and count)').choices(['delay', 'drop']),
    new Option('--rate-limit-scope <scope>', 'a bucket per file/partition (source, default) or one for everything (global)').choices(['source', 'global']),
  ];
}

/** The rate-limit flags as configuration overrides. */
function rateLimitFlags(opts: Record<string, unknown>): Record<string, unknown> {
  return {
    'rate_limit.events_per_sec': opts.rateLimit,
    'rate_limit.burst_count': opts.rateLimitBurst,
    'rate_limit.mode': opts.rateLimitMode,
    'rate_limit.scope': opts.rateLimitScope,
  };
}

/** The operations flags as configuration overrides. */
function opsFlags(opts: Record<string, unknown>): Record<string, unknown> {
  return {
    'api.enabled': opts.httpAddress !== undefined ? true : undefined,
    'api.address': opts.httpAddress,
    'log.health_interval_secs': opts.healthLogIntervalSecs,
  };
}

/** Metrics, logs, health line and endpoint of a long-running command, from `api.*` and `log.*`. */
function opsOptions(command: string, config: SluiceConfig) {
  return {
    command,
    version: VERSION,
    api: config.api,
    log: { level: config.log.level, format: config.log.format, healthIntervalSecs: config.log.health_interval_secs },
  };
}

/** Merges the global flags and a command's flags (dotted config paths) into the loaded config. */
async function loadCliConfig(global: Record<string, unknown>, commandFlags: Record<string, unknown>) {
  const { loadConfig } = await import('../config/index.js');
  const flags: Record<string, unknown> = { data_dir: global.dataDir };
  for (const [k, v] of Object.entries(commandFlags)) flags[k] = v;
  for (const k of Object.keys(flags)) if (flags[k] === undefined) delete flags[k];
  return loadConfig({ flags, flagLabels: FLAG_LABELS, configFile: global.config as string | undefined });
}

/** `--es-url`, repeatable (several nodes). */
function esUrlOption(description: string): Option {
  return new Option('--es-url <url>', description).argParser(collect);
}

function esIndexOption(): Option {
  return new Option('--es-index <pattern>', 'daily index pattern, %Y %m %d = UTC date of the packet (default sluice-packets-%Y.%m.%d)');
}

function esDataStreamOption(): Option {
  return new Option('--es-data-stream', 'use one data stream (named after the index pattern without its date) instead of daily indices');
}

function tlsCaOption(): Option {
  return new Option('--elasticsearch-tls-ca-file <file>', 'CA certificate (PEM) that signed the cluster certificate');
}

function tlsCertOption(): Option {
  return new Option('--elasticsearch-tls-cert-file <file>', 'client certificate (PEM) for mutual TLS (with --elasticsearch-tls-key-file)');
}

function tlsKeyOption(): Option {
  return new Option('--elasticsearch-tls-key-file <file>', 'private key (PEM, unencrypted) of the client certificate');
}

function tlsInsecureOption(): Option {
  return new Option('--elasticsearch-tls-insecure', 'do not verify the cluster certificate (test clusters only; prints a warning)');
}

/**
 * Runs a long command with SIGINT/SIGTERM handling: the first signal sets `stopped` (the command
 * stops after its current batch and checkpoints); a second one exits at once with 130.
 */
async function untilSignal<T>(io: CommandIO, run: (stopSignal: { stopped: boolean }) => Promise<T>): Promise<T> {
  const stopSignal = { stopped: false };
  const onSignal = () => {
    if (stopSignal.stopped) process.exit(130);
    stopSignal.stopped = true;
    io.stderr.write('\nStopping after the current batch (press Ctrl-C again to quit at once)…\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(stopSignal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The engine connection flags shared by the commands that talk to Elasticsearch/OpenSearch, as config paths. */
function engineFlags(opts: Record<string, unknown>): Record<string, unknown> {
  return {
    'elasticsearch.urls': opts.esUrl,
    'elasticsearch.index_pattern': opts.esIndex,
    'elasticsearch.data_stream': opts.esDataStream === true ? true : undefined,
    'elasticsearch.tls.ca_file': opts.elasticsearchTlsCaFile,
    'elasticsearch.tls.insecure': opts.elasticsearchTlsInsecure === true ? true : undefined,
    'elasticsearch.tls.cert_file': opts.elasticsearchTlsCertFile,
    'elasticsearch.tls.key_file': opts.elasticsearchTlsKeyFile,
    'elasticsearch.compression': opts.esCompression,
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--es-compression`: gzip request bodies or not (auto: not to loopback nodes). */
function esCompressionOption(): Option {
  return new Option('--es-compression <mode>', 'gzip bulk request bodies: auto (not to loopback nodes; default), gzip, none').choices(['auto', 'gzip', 'none']);
}

function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new SluiceError('SLUICE_USAGE', `expected a number above 0, got '${value}'`);
  return n;
}

function parseInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new SluiceError('SLUICE_USAGE', `expected a non-negative integer, got '${value}'`);
  return n;
}

function reportError(err: unknown, io: CommandIO): number {
  if (err instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    return err.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (isSluiceError(err)) {
    io.stderr.write(`sluice: ${err.message} [${err.code}]\n`);
    return err.stage === 'usage' || err.stage === 'config' ? EXIT_USAGE : 1;
  }
  io.stderr.write(`sluice: unexpected error (a bug; please report it with this output):\n${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
}
