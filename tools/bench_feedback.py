#!/usr/bin/env python3
"""Checks while moderators report: 8 connections post Akismet comment-checks (is_test=1) of
sms.csv texts to a running `kindly serve` for 8 s, with (`fb`) or without (`no`) one more
connection posting submit-spam reports all the while; prints checks/s, their p99 latency
and the reports made. Usage: tools/bench_feedback.py PORT fb|no (docs/BENCHMARKS-server.md).
A request that fails stops the run: exit 1, the first error named.
Needs ../shared/corpora/sms.csv (or $KINDLY_SHARED/corpora/sms.csv)."""
import argparse, sys, threading, time, urllib.parse, urllib.request

sys.dont_write_bytecode = True  # no tools/__pycache__ from importing bench_core
from bench_core import main_guard, read_rows, seconds, shared_corpora  # noqa: E402

p = argparse.ArgumentParser(prog="bench_feedback.py", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("port", type=int, help="the port of a running `kindly serve` on 127.0.0.1")
p.add_argument("mode", choices=("fb", "no"), help="fb: one more connection posts submit-spam; no: none")
p.add_argument("--seconds", type=seconds, default=8, help="how long the checks run (default: %(default)s)")
a = p.parse_args()
port=a.port; fb=a.mode=='fb'; secs=a.seconds
texts=[]
main_guard("bench_feedback", lambda: texts.extend(r['text'] for r in read_rows(shared_corpora() / "sms.csv", ("text",))))
try:
    urllib.request.urlopen('http://127.0.0.1:%d/healthz' % port, timeout=5).read()
except OSError as e:
    sys.exit('bench_feedback: no kindly serve answers on 127.0.0.1:%d (%s)' % (port, e))
stop=time.time()+secs; lat=[]; lock=threading.Lock(); nfb=[0]; errors=[]
def post(path, fields):
    """POST the form; False (the error kept, the thread to stop) when it failed: a figure
    measured over failed requests is no figure."""
    try:
        urllib.request.urlopen('http://127.0.0.1:%d%s' % (port, path), urllib.parse.urlencode(fields).encode()).read()
        return True
    except OSError as e:
        with lock: errors.append('%s: %s' % (path, e))
        return False
def checker(k):
    i=k
    while time.time()<stop:
        t=time.time()
        if not post('/1.1/comment-check', {'blog':'b','user_ip':'1.2.3.4','is_test':'1','comment_content':texts[i%len(texts)]}):
            return
        with lock: lat.append(time.time()-t)
        i+=8
def feeder():
    i=0
    while time.time()<stop:
        if not post('/1.1/submit-spam', {'blog':'b','user_ip':'1.2.3.4','comment_content':'spam offer number %d win cash now'%i}):
            return
        i+=1; nfb[0]+=1
ts=[threading.Thread(target=checker,args=(k,)) for k in range(8)]+([threading.Thread(target=feeder)] if fb else [])
[t.start() for t in ts]; [t.join() for t in ts]
if errors:
    sys.exit('bench_feedback: %d of the %d connections stopped on an error (first: %s)' % (len(errors), len(ts), errors[0]))
lat.sort()
print('checks/s %.0f p99 %.1f ms feedback %d'%(len(lat)/secs, lat[int(len(lat)*0.99)]*1000, nfb[0]))
