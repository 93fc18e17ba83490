#!/usr/bin/env python3
"""Sign-in storm: N client threads, each from its own loopback address (127.0.0.2…), post wrong
passwords to /api/v1/session for `secs` seconds (half at the real user's name, half at unknown
names); the real user signs in from 127.0.0.1 every second with the right password. Samples the
server's RSS every 0.25 s. Usage: storm.py PID PORT USER PASSWORD [N] [SECS]"""
import sys, threading, time, json, http.client, collections
pid, port, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
n = int(sys.argv[5]) if len(sys.argv) > 5 else 200
secs = float(sys.argv[6]) if len(sys.argv) > 6 else 20

def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0

def post(src, name, pw, timeout=30):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(src, 0))
    try:
        c.request("POST", "/api/v1/session", json.dumps({"username": name, "password": pw}), {"content-type": "application/json"})
        r = c.getresponse(); r.read(); return r.status
    except Exception as e:
        return type(e).__name__
    finally:
        c.close()

stop = time.time() + secs
counts = collections.Counter()
lock = threading.Lock()
def attacker(i):
    src = f"127.0.0.{2 + i % 250}"
    k = 0
    while time.time() < stop:
        name = user if i % 2 == 0 else f"nobody{i}"
        s = post(src, name, f"guess-{i}-{k}")
        k += 1
        with lock: counts[s] += 1

samples = []
def sampler():
    while time.time() < stop + 10:
        samples.append((round(time.time() - start, 2), rss())); time.sleep(0.25)

real = []
def real_user():
    while time.time() < stop:
        t0 = time.time(); s = post("127.0.0.1", user, password); real.append((round(t0 - start, 1), s, round(time.time() - t0, 2)))
        time.sleep(1)

start = time.time()
base = rss()
threads = [threading.Thread(target=attacker, args=(i,)) for i in range(n)] + [threading.Thread(target=sampler), threading.Thread(target=real_user)]
for t in threads: t.start()
for t in threads: t.join()
during = [r for t, r in samples if t <= secs]
after = [r for t, r in samples if t > secs + 8]
print(json.dumps({
    "clients": n, "seconds": secs, "rss_mb_before": base, "rss_mb_peak": max(r for _, r in samples),
    "rss_mb_end_of_storm": during[-1] if during else None, "rss_mb_10s_after": after[-1] if after else samples[-1][1],
    "requests": sum(counts.values()), "statuses": {str(k): v for k, v in counts.items()},
    "real_user": real,
    "real_user_ok": sum(1 for _, s, _ in real if s == 201), "real_user_tries": len(real),
}, indent=1))
