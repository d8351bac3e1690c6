#!/usr/bin/env python3
"""Split the linked core into engine (QuickJS) and core (our C + libc) bytes, from ld's map file."""
import json, re, sys

core = engine = 0
in_map = False
pending = None
for line in open(sys.argv[1]):
    if line.startswith('Linker script and memory map'):
        in_map = True
        continue
    if not in_map:
        continue
    m = re.match(r'^ (\.(?:text|rodata|data)\S*)\s*$', line)
    if m:
        pending = m.group(1)
        continue
    m = re.match(r'^ (\.(?:text|rodata|data)\S*)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+\.o|\S+\.a\(\S+\))\s*$', line)
    if m and (m.group(1) or pending):
        pending = None
        addr, size, obj = int(m.group(2), 16), int(m.group(3), 16), m.group(4)
        if addr == 0:
            continue
        if '/qjs/' in obj:
            engine += size
        else:
            core += size
    else:
        pending = None
json.dump({'core': core, 'engine': engine}, sys.stdout)
print()
