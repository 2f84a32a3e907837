#!/usr/bin/python3
"""Bench helper: imphash of every file named on stdin (one path a line) with pefile, the way a
user would write it: a single-process loop, full load, get_imphash(). Prints nothing."""

import sys

import pefile


def main():
    for line in sys.stdin:
        path = line.rstrip("\n")
        if path:
            pefile.PE(path).get_imphash()


if __name__ == "__main__":
    main()
