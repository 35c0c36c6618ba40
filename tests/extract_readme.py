#!/usr/bin/env python3
"""Write the first ```c code block of README.md to a file, so that a test
compiles exactly the example the README shows."""
import sys

src, dst = sys.argv[1], sys.argv[2]
lines = open(src, encoding="utf-8").read().split("\n")
start = lines.index("```c") + 1
end = lines.index("```", start)
with open(dst, "w", encoding="utf-8") as f:
    f.write("\n".join(lines[start:end]) + "\n")
