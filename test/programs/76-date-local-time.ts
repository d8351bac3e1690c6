// expect-exit: 0
// Date's local-time half (the image runs in UTC; node is put in UTC for the comparison). On the
// process target these reach the C library's local time: glibc's opened /etc/localtime, a
// system call outside the seccomp allow-list, and the instance was killed.
process.env.TZ = 'UTC';
const d = new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789));
console.log(d.getHours(), d.getMinutes(), d.getSeconds(), d.getDay(), d.getDate(), d.getMonth(), d.getFullYear());
console.log(d.getTimezoneOffset(), new Date(0).getTimezoneOffset());
console.log(d.toString().slice(0, 33), '|', d.toDateString(), '|', d.toTimeString().slice(0, 17));
const local = new Date(2024, 1, 29, 23, 59, 59);
console.log(local.toISOString(), local.getTime() === Date.UTC(2024, 1, 29, 23, 59, 59));
local.setHours(25);
console.log(local.toISOString(), String(new Date(8.64e15)).slice(0, 15));
export {};
