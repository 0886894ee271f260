"""Executes one notebook on a Jupyter kernel and writes it back with its outputs.

Thin glue over Debian's nbclient: nbconvert reports a failing tslab cell as a bare `<Error>`,
so on failure this prints the cell's source, its stderr and the error instead.
Usage: execute_notebook.py NOTEBOOK [--output FILE] [--kernel NAME] [--timeout SECONDS] [--cwd DIR]
"""
import argparse
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError


def describe_failure(nb, index, err):
    """The failing cell's source, its stderr (where tslab writes compile errors) and the error."""
    if index is None:
        return str(err)
    cell = nb.cells[index]
    outputs = cell.get("outputs", [])
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    lines = [f"cell {index} failed:", "---- source ----", cell.source, "---- stderr ----", stderr.rstrip()]
    for o in outputs:
        if o.get("output_type") == "error":
            lines += ["---- error ----", f"{o.get('ename')}: {o.get('evalue')}", "\n".join(o.get("traceback", []))]
    lines += ["---- kernel reply ----", f"{getattr(err, 'ename', '')}: {getattr(err, 'evalue', '')}".strip(": ") or str(err).strip()[-1500:]]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("notebook")
    parser.add_argument("--output")
    parser.add_argument("--kernel", default="tslab-vae-gan")
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--cwd", default=".")
    args = parser.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    current = {"index": None}

    def on_cell_start(cell, cell_index, **_):
        current["index"] = cell_index

    client = NotebookClient(nb, kernel_name=args.kernel, timeout=args.timeout, resources={"metadata": {"path": args.cwd}}, on_cell_start=on_cell_start)
    status = 0
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as err:
        print(f"{args.notebook}: " + describe_failure(nb, current["index"], err), file=sys.stderr)
        status = 1
    nbformat.write(nb, args.output or args.notebook)
    sys.exit(status)


if __name__ == "__main__":
    main()
