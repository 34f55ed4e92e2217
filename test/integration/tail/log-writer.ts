/**
 * A log-writing process for the rotation suite, like a web server or Cowrie: appends numbered
 * lines `<tag> seq=N` (O_APPEND, so a copytruncate makes it continue at offset 0) in bursts of
 * `burst` lines, one write per burst, every `intervalMs`. SIGHUP makes it reopen its path (what
 * logrotate's postrotate does with nginx). Prints `done <last seq>` and exits after `count` lines.
 *
 * Usage: node log-writer.js <path> <firstSeq> <count> <burst> <intervalMs> <tag>
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const [path, firstArg, countArg, burstArg, intervalArg, tag] = process.argv.slice(2);
const first = Number(firstArg);
const last = first + Number(countArg) - 1;
const burst = Number(burstArg);
const interval = Number(intervalArg);
let fd = openSync(path, 'a');
let next = first;
let reopen = false;
process.on('SIGHUP', () => (reopen = true));
process.stdout.write('ready\n');

const timer = setInterval(() => {
  if (reopen) {
    reopen = false;
    closeSync(fd);
    fd = openSync(path, 'a');
  }
  let text = '';
  for (let i = 0; i < burst && next <= last; i++) text += `${tag} seq=${next++}\n`;
  if (text.length > 0) writeSync(fd, text);
  if (next > last) {
    clearInterval(timer);
    closeSync(fd);
    process.stdout.write(`done ${last}\n`);
  }
}, interval);
