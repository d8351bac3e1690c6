// One fleet instance asks another (at the address given as argument) over the fleet's network.
export {};
const r = await fetch(`http://${process.argv[2]}/`);
console.log(`peer answered ${r.status} ${(await r.text()).trim()}`);
