"""`make bench` runs `python -m bench`: every benchmark module below, one after another.

A module whose file does not exist yet is skipped with a note (others add theirs over time);
a module that exists but fails is an error.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

MODULES = ["bench.grading", "bench.api", "bench.pages", "bench.review"]


def main() -> int:
    for name in MODULES:
        if importlib.util.find_spec(name) is None:
            print(f"(skipping {name}: bench/{name.split('.')[-1]}.py does not exist yet)")
            continue
        module = importlib.import_module(name)
        module.main()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
