#!/usr/bin/python3
# httpget.py METHOD URL: one HTTP request with Python's http.client (the
# oracle of the agent's endpoint tests); prints the status, then the
# Content-Type and Allow headers, then the body:
#   status 200
#   content-type text/plain; version=0.0.4; charset=utf-8
#   allow -
#   <body>
import http.client
import sys
import urllib.parse

method, url = sys.argv[1], sys.argv[2]
u = urllib.parse.urlsplit(url)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
c.request(method, u.path or "/")
r = c.getresponse()
body = r.read()
print("status %d" % r.status)
print("content-type %s" % (r.getheader("Content-Type") or "-"))
print("allow %s" % (r.getheader("Allow") or "-"))
sys.stdout.write(body.decode("utf-8"))
