"""Drives a live Jupyter kernel as a front end does, for tests: executes cells in order and can
interrupt one (KernelManager.interrupt_kernel, what a front end's "interrupt" button sends) once its
output matches a pattern, or wait for a file to appear between cells.

Thin glue over Debian's jupyter_client. Usage: kernel_session.py SPEC.json
SPEC: {"kernel": NAME, "cwd": DIR, "steps": [
  {"code": SRC, "interrupt_when": REGEX or null, "timeout": SECONDS},
  {"wait_for_glob": PATTERN, "timeout": SECONDS}]}
Prints one JSON object: {"steps": [{"status", "output", "seconds_to_reply_after_interrupt"} or
{"file", "content"}]}.
"""
import glob
import json
import re
import sys
import time

from jupyter_client.manager import KernelManager


def run_cell(km, kc, step):
    msg_id = kc.execute(step["code"])
    deadline = time.time() + step.get("timeout", 120)
    output, status, interrupted_at = [], None, None
    pattern = re.compile(step["interrupt_when"]) if step.get("interrupt_when") else None
    while status is None:
        if time.time() > deadline:
            raise TimeoutError(f"cell did not finish in {step.get('timeout', 120)} s; output so far: {''.join(output)[-2000:]}")
        try:
            msg = kc.get_iopub_msg(timeout=0.2)
        except Exception:  # queue.Empty: nothing yet
            msg = None
        if msg and msg["parent_header"].get("msg_id") == msg_id:
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                output.append(content["text"])
            elif kind == "error":
                output.append(f"{content['ename']}: {content['evalue']}\n")
            elif kind == "status" and content["execution_state"] == "idle":
                reply = kc.get_shell_msg(timeout=30)
                while reply["parent_header"].get("msg_id") != msg_id:
                    reply = kc.get_shell_msg(timeout=30)
                status = reply["content"]["status"]
        if pattern and interrupted_at is None and pattern.search("".join(output)):
            km.interrupt_kernel()
            interrupted_at = time.time()
    result = {"status": status, "output": "".join(output)}
    if interrupted_at is not None:
        result["seconds_to_reply_after_interrupt"] = time.time() - interrupted_at
    return result


def wait_for_glob(step):
    deadline = time.time() + step.get("timeout", 30)
    while time.time() < deadline:
        found = sorted(glob.glob(step["wait_for_glob"]))
        if found:
            time.sleep(0.2)  # written atomically, but let a rename settle before reading
            with open(found[0], encoding="utf8") as f:
                return {"file": found[0], "content": f.read()}
        time.sleep(0.05)
    return {"file": None, "content": None}


def main():
    with open(sys.argv[1], encoding="utf8") as f:
        spec = json.load(f)
    km = KernelManager(kernel_name=spec["kernel"])
    km.start_kernel(cwd=spec["cwd"])
    kc = km.client()
    kc.start_channels()
    results = []
    try:
        kc.wait_for_ready(timeout=120)
        for step in spec["steps"]:
            results.append(wait_for_glob(step) if "wait_for_glob" in step else run_cell(km, kc, step))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(json.dumps({"steps": results}))


if __name__ == "__main__":
    main()
