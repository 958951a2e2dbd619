#!/usr/bin/env python3
"""Wall time of pages and API calls as a logged-in user sees them (HTTP included).

Usage: python3 bench/page_times.py BASE_URL USERNAME PASSWORD PATH [PATH ...]
Logs in through the login form (and sets a new password if the account still has
its one-time password: the new one is printed), then requests each path 24 times
with Accept-Encoding: gzip and prints the compressed size and the min / median / p90
of the last 21 (the first 3 warm up). Loopback only: nothing is sent elsewhere.
"""
import http.cookiejar
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request

NEW_PASSWORD = "mat-khau-do-luong-2026"


def main():
    base, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
    host = urllib.parse.urlparse(base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"refusing {host}: loopback only")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def csrf(html):
        return re.search(r'name="csrf" value="([^"]+)"', html).group(1)

    login = opener.open(base + "/login").read().decode()
    form = {"username": user, "password": password, "csrf": csrf(login)}
    answer = opener.open(base + "/login", urllib.parse.urlencode(form).encode())
    page = answer.read().decode()
    if "account" in answer.geturl():
        form = {"current": password, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf": csrf(page)}
        opener.open(base + "/account/password", urllib.parse.urlencode(form).encode()).read()
        print(f"one-time password replaced by {NEW_PASSWORD}")
    for path in sys.argv[4:]:
        times, size, status = [], 0, 0
        for i in range(24):
            request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
            started = time.perf_counter()
            response = opener.open(request)
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if i >= 3:
                times.append(elapsed)
            size, status = len(body), response.status
        times.sort()
        print(f"{path}: status {status}, {size} B compressed, min {times[0]:.1f} / median "
              f"{statistics.median(times):.1f} / p90 {times[int(len(times) * 0.9)]:.1f} ms")


if __name__ == "__main__":
    main()
