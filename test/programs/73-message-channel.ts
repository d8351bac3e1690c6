// expect-exit: 0
// MessageChannel/MessagePort (structured copies, order, onmessage and start(), close events)
// and BroadcastChannel (every other channel of the name gets a copy, not the sender).
const lines: string[] = [];
const { port1, port2 } = new MessageChannel();
const sent = { n: 1, list: [1, 2], when: new Date(0), map: new Map([['k', 'v']]) };
let got = 0;
port2.onmessage = (ev: MessageEvent) => {
  const d = ev.data as typeof sent | string;
  if (typeof d === 'object') lines.push(`port2 got ${JSON.stringify(d)} copy=${d !== sent} map=${(d as typeof sent).map.get('k')} date=${(d as typeof sent).when instanceof Date} type=${ev.type}`);
  else lines.push(`port2 got ${d}`);
  if (++got === 3) port2.postMessage('done');
};
port1.postMessage(sent);
sent.n = 99; // the copy was made when posted
port1.postMessage('second');
port1.postMessage('third');
port1.addEventListener('message', (ev) => {
  lines.push(`port1 got ${(ev as MessageEvent).data}`);
  port1.addEventListener('close', () => { lines.push('port1 close'); finish(); });
  port2.addEventListener('close', () => { lines.push('port2 close'); finish(); });
  port1.close();
});
port1.start();
try { port1.postMessage(() => 1); } catch (e) { lines.push(`${(e as Error).name}`); }
lines.push('posted synchronously');

const a = new BroadcastChannel('news'), b = new BroadcastChannel('news'), c = new BroadcastChannel('news'), other = new BroadcastChannel('sport');
const heard: string[] = [];
b.onmessage = (ev) => { heard.push(`b:${(ev as MessageEvent).data}`); finish(); };
c.addEventListener('message', (ev) => { heard.push(`c:${(ev as MessageEvent).data}`); finish(); });
a.onmessage = () => heard.push('a heard itself');
other.onmessage = () => heard.push('sport heard news');
a.postMessage('hello');
// Prints once both ports have closed and both listeners heard the broadcast (however slow the
// machine), then a little later, so that a message wrongly delivered to a or sport shows too.
let pending = 4;
function finish(): void {
  if (--pending > 0) return;
  setTimeout(() => {
    a.close(); b.close(); c.close(); other.close();
    try { a.postMessage('late'); } catch (e) { lines.push(`closed: ${(e as Error).name}`); }
    lines.push(`broadcast ${heard.sort().join(' ')} name=${a.name}`);
    console.log(lines.join('\n'));
  }, 20);
}

export {}; // a module, not a script: its names stay its own
