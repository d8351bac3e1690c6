/**
 * Normalisation applied to the output of a corpus program under `node` (via tsx) and in a
 * Nimbus image before comparing them (rules documented in os/runtime/README.md):
 *  1. Node's footer "Node.js vX.Y.Z" (and the blank line before it) is removed.
 *  2. Node's source excerpt above an uncaught error ("file:line", the source line, the
 *     caret line, then blank lines) is removed.
 *  3. Node's hints "(Use `node --trace-uncaught ...`" and "--trace-warnings" are removed.
 *  4. Stack frames: frames into node internals ("node:") or Nimbus's own sources ("os/")
 *     are dropped; of each run of remaining frames only the first is kept, reduced to
 *     "    at <basename>:<line>" (function names and columns differ between engines).
 *     A " {" that ended the run (inspect's extra properties) is kept.
 */
export function normaliseOutput(text: string): string {
  let s = text.replace(/\r\n/g, '\n');
  s = s.replace(/\n*Node\.js v\d+\.\d+\.\d+\n?$/, '\n');
  s = s.replace(/(^|\n)\n*(?:file:\/\/)?[^\n]*:\d+\n[^\n]*\n *\^+ *\n\n*/g, '$1');
  s = s.replace(/^\(Use `node --trace-(?:uncaught|warnings) \.\.\.`[^\n]*\n/gm, '');
  const lines = s.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    if (!/^\s+at /.test(lines[i])) { out.push(lines[i++]); continue; }
    const run: string[] = [];
    while (i < lines.length && /^\s+at /.test(lines[i])) run.push(lines[i++]);
    const brace = run[run.length - 1].endsWith(' {');
    const user = run.map((l) => l.replace(/ \{$/, '')).filter((l) => !/\(?node:|[(\s/]os\/[\w/-]+\.ts:/.test(l));
    let kept: string | undefined;
    if (user.length > 0) {
      const m = /([^/\s(:]+):(\d+)(?::\d+)?\)?$/.exec(user[0]);
      kept = m ? `    at ${m[1]}:${m[2]}` : user[0];
    }
    if (kept !== undefined) out.push(kept + (brace ? ' {' : ''));
    else if (brace) out[out.length - 1] += ' {';
  }
  return out.join('\n');
}
