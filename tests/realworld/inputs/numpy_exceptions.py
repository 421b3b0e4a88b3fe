# numpy array arithmetic and linear algebra, and pure-Python exceptions raised and caught
# through many frames; prints a summary and writes it to result.txt.
import numpy as np

lines = []
a = np.arange(24, dtype=np.float64).reshape(4, 6)
lines.append(f"sum {a.sum()} column means {a.mean(axis=0).tolist()}")
lines.append(f"elementwise {(a * 2.5 - 1).round(2)[1].tolist()}")
m = np.array([[4.0, 1.0, 0.5], [2.0, 3.0, 1.0], [0.0, 1.0, 5.0]])
x = np.linalg.solve(m, np.array([1.0, 2.0, 3.0]))
lines.append(f"solve {np.round(x, 10).tolist()}")
lines.append(f"det {np.round(np.linalg.det(m), 10)} inverse trace {np.round(np.trace(np.linalg.inv(m)), 10)}")
lines.append(f"eigvalsh {np.round(np.linalg.eigvalsh(m @ m.T), 8).tolist()}")
i = np.arange(1, 100001, dtype=np.int64)
lines.append(f"int64 sum of squares {int((i * i).sum())}")


class Depth(Exception):
    pass


def descend(n):
    try:
        if n == 0:
            raise Depth("bottom")
        return descend(n - 1)
    except KeyError:
        return -1
    finally:
        counts["finally"] += 1


counts = {"finally": 0, "caught": 0}
for depth in (0, 1, 10, 200):
    try:
        descend(depth)
    except Depth as error:
        counts["caught"] += 1
        last = str(error)
try:
    {}["missing"]
except KeyError as error:
    lines.append(f"KeyError {error}")
try:
    np.linalg.inv(np.zeros((2, 2)))
except np.linalg.LinAlgError as error:
    lines.append(f"LinAlgError {error}")
lines.append(f"exceptions caught {counts['caught']} finally blocks {counts['finally']} last {last}")

text = "\n".join(lines) + "\n"
print(text, end="")
with open("/result.txt", "w") as f:
    f.write(text)
